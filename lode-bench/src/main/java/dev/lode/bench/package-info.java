/**
 * Benchmarks: JMH kernels (run with {@code org.openjdk.jmh.Main}) and the Java drivers that
 * {@code bench/run} scripts call to time lode against its peers in the same run.
 */
package dev.lode.bench;
