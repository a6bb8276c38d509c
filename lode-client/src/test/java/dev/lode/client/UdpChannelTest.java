package dev.lode.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpChannelTest {
    private static AssetManifestPacket packet(long id, byte seed) {
        ObjectId sha = Sha256.of(new byte[] {seed});
        return new AssetManifestPacket(
                id, URI.create("http://127.0.0.1:37015/plugins/" + id + "/manifest"), sha, "1.0");
    }

    private static void await(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void subscribersGetEachPluginVersionOnceAndMeasureTheirPing() throws Exception {
        List<AssetManifestPacket> serving = new CopyOnWriteArrayList<>(List.of(packet(7, (byte) 1)));
        try (UdpAnnouncer server =
                new UdpAnnouncer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> serving)) {
            List<AssetManifestPacket> received = new CopyOnWriteArrayList<>();
            List<Duration> pings = new CopyOnWriteArrayList<>();
            try (UdpChannel client = new UdpChannel(server.address(), received::add, Duration.ofMillis(50))) {
                client.start(pings::add);
                await(() -> received.size() >= 1 && pings.size() >= 2);
                assertThat(received).containsExactly(packet(7, (byte) 1));
                assertThat(pings).allMatch(d -> d.compareTo(Duration.ofSeconds(1)) < 0);

                server.announce(packet(7, (byte) 1)); // same version again: not resent
                AssetManifestPacket bump = packet(7, (byte) 2);
                serving.set(0, bump);
                server.announce(bump);
                server.announce(bump);
                await(() -> received.size() >= 2);
                Thread.sleep(200);
                assertThat(received).containsExactly(packet(7, (byte) 1), bump);
                assertThat(server.subscriberCount()).isEqualTo(1);
            }
        }
    }

    @Test
    void garbageDatagramsAreIgnored() throws Exception {
        try (UdpAnnouncer server =
                        new UdpAnnouncer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List::of);
                java.nio.channels.DatagramChannel junk = java.nio.channels.DatagramChannel.open()) {
            junk.connect(server.address());
            junk.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
            junk.write(java.nio.ByteBuffer.wrap(new byte[] {'P', 1}));
            List<AssetManifestPacket> received = new CopyOnWriteArrayList<>();
            try (UdpChannel client = new UdpChannel(server.address(), received::add, Duration.ofMillis(50))) {
                await(() -> server.subscriberCount() == 1);
                assertThat(server.subscriberCount()).isEqualTo(1);
            }
        }
    }
}
