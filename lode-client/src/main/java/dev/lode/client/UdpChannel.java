package dev.lode.client;

import dev.lode.core.FormatException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of the UDP channel (see {@link UdpAnnouncer}): subscribes to a server, passes
 * every {@link AssetManifestPacket} it receives to a handler, and measures its own ping once a
 * second, which makes it a {@link LatencySource} for the {@link LagGate}.
 */
public final class UdpChannel implements LatencySource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpChannel.class);

    private final DatagramChannel channel;
    private final Consumer<AssetManifestPacket> onPacket;
    private final Duration pingEvery;
    private volatile Consumer<Duration> samples = d -> {};
    private final Thread receiver;
    private final Thread sender;

    /** Connects to the server at {@code server} and subscribes. */
    public UdpChannel(InetSocketAddress server, Consumer<AssetManifestPacket> onPacket, Duration pingEvery)
            throws IOException {
        this.channel = DatagramChannel.open();
        this.channel.connect(server);
        this.onPacket = onPacket;
        this.pingEvery = pingEvery;
        this.receiver = Thread.ofVirtual().name("lode-udp-receive").start(this::receiveLoop);
        this.sender = Thread.ofVirtual().name("lode-udp-ping").start(this::sendLoop);
    }

    @Override
    public void start(Consumer<Duration> samples) {
        this.samples = samples;
    }

    private void sendLoop() {
        long n = 0;
        try {
            while (channel.isOpen()) {
                if (n++ % 15 == 0) {
                    channel.write(ByteBuffer.wrap(new byte[] {UdpAnnouncer.SUBSCRIBE}));
                }
                ByteBuffer ping = ByteBuffer.allocate(9).put(UdpAnnouncer.PING).putLong(System.nanoTime());
                channel.write(ping.flip());
                Thread.sleep(pingEvery);
            }
        } catch (InterruptedException | ClosedChannelException e) {
            // closing
        } catch (IOException e) {
            log.warn("udp channel to the server failed: {}", e.toString());
        }
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocate(512);
        while (channel.isOpen()) {
            try {
                buf.clear();
                channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // e.g. ICMP port unreachable while the server restarts: keep listening.
                log.debug("udp receive: {}", e.toString());
                sleepQuietly();
                continue;
            }
            buf.flip();
            if (!buf.hasRemaining()) {
                continue;
            }
            byte type = buf.get(0);
            if (type == UdpAnnouncer.PONG && buf.remaining() == 9) {
                long sent = buf.getLong(1);
                samples.accept(Duration.ofNanos(System.nanoTime() - sent));
            } else if (type == AssetManifestPacket.MAGIC) {
                byte[] b = new byte[buf.remaining()];
                buf.get(b);
                try {
                    onPacket.accept(AssetManifestPacket.decode(b));
                } catch (FormatException e) {
                    log.warn("ignoring malformed asset manifest packet: {}", e.getMessage());
                }
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        receiver.interrupt();
        sender.interrupt();
    }
}
