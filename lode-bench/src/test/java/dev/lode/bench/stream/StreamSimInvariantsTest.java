package dev.lode.bench.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamSimInvariantsTest {
    @Test
    void smallWorldStaysWithinBudgetLeaksNothingAndLoadsDependenciesFirst() {
        SimConfig c = SimConfig.small();
        SimWorld world = new SimWorld(c);
        LodeFlyThrough lode = new LodeFlyThrough(world, null);
        lode.run("lode");
        SimResult r = lode.result();

        assertThat(lode.dependencyViolations)
                .as("assets ready before a dependency")
                .isZero();
        assertThat(r.overBudgetFrames()).isZero();
        assertThat(r.peakGpu()).isLessThanOrEqualTo(c.gpuBudget());
        assertThat(r.peakCpu()).isLessThanOrEqualTo(c.cpuBudget());
        assertThat(lode.gpu.peakBytes()).isLessThanOrEqualTo(c.gpuBudget());
        assertThat(r.leaks()).isZero();
        assertThat(lode.streamer.leakReport()).isEmpty();
        assertThat(lode.streamer.stats().loaded()).isPositive();
        lode.streamer.close();
        assertThat(lode.gpu.bytes()).as("GPU memory after close").isZero();

        FifoFlyThrough fifo = new FifoFlyThrough(world, null);
        fifo.run("fifo");
        assertThat(fifo.result().leaks()).isZero();
        assertThat(fifo.result().overBudgetFrames()).isZero();
    }

    @Test
    void theSimulationIsDeterministic() {
        SimResult[] a = StreamSim.run(SimConfig.small(), null);
        SimResult[] b = StreamSim.run(SimConfig.small(), null);
        assertThat(a).containsExactly(b);
    }

    @Test
    void aTightGpuBudgetFallsBackToCoarserLevelsWithoutGoingOver() {
        SimConfig s = SimConfig.small();
        SimConfig tight = s.withGpuBudget(20L << 20);
        LodeFlyThrough lode = new LodeFlyThrough(new SimWorld(tight), null);
        lode.run("lode");
        SimResult r = lode.result();
        assertThat(lode.downgrades).isPositive();
        assertThat(r.overBudgetFrames()).isZero();
        assertThat(lode.gpu.peakBytes()).isLessThanOrEqualTo(tight.gpuBudget());
        assertThat(r.leaks()).isZero();
        assertThat(lode.dependencyViolations).isZero();
        lode.streamer.close();
    }
}
