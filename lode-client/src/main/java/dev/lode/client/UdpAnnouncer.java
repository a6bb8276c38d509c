package dev.lode.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of the small UDP channel that stands in for a game's realtime link, so the
 * prefetch flow runs end to end without a game. Clients send {@code 'S'} to subscribe and
 * {@code 'P' + 8 bytes} to ping (answered with {@code 'Q' + the same 8 bytes}); the server sends
 * each subscriber an {@link AssetManifestPacket} once per plugin version: on subscribe for every
 * plugin it serves, and on every hot-load or version bump after that. Subscribers silent for two
 * minutes are forgotten.
 */
public final class UdpAnnouncer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpAnnouncer.class);
    static final byte SUBSCRIBE = 'S';
    static final byte PING = 'P';
    static final byte PONG = 'Q';
    private static final Duration EXPIRY = Duration.ofMinutes(2);

    private final DatagramChannel channel;
    private final Supplier<List<AssetManifestPacket>> current;
    private final Map<SocketAddress, Subscriber> subscribers = new ConcurrentHashMap<>();
    private final Thread loop;

    private record Subscriber(Map<Long, String> sent, long[] lastSeen) {}

    /** Binds {@code bind} and starts answering; {@code current} lists the packets of all plugins served now. */
    public UdpAnnouncer(InetSocketAddress bind, Supplier<List<AssetManifestPacket>> current) throws IOException {
        this.channel = DatagramChannel.open();
        this.channel.bind(bind);
        this.current = current;
        this.loop = Thread.ofVirtual().name("lode-udp-announcer").start(this::receiveLoop);
    }

    /** The bound address (its port when 0 was asked for). */
    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Number of live subscribers. */
    public int subscriberCount() {
        return subscribers.size();
    }

    /** Sends {@code packet} to every subscriber that has not had this version of the plugin yet. */
    public void announce(AssetManifestPacket packet) {
        for (Map.Entry<SocketAddress, Subscriber> e : subscribers.entrySet()) {
            sendOnce(e.getKey(), e.getValue(), packet);
        }
    }

    private void sendOnce(SocketAddress to, Subscriber s, AssetManifestPacket p) {
        String sha = p.sha256().hex();
        if (sha.equals(s.sent().put(p.pluginId(), sha))) {
            return;
        }
        try {
            channel.send(ByteBuffer.wrap(p.encode()), to);
        } catch (IOException e) {
            log.warn("cannot send asset manifest packet to {}: {}", to, e.toString());
            s.sent().remove(p.pluginId(), sha);
        }
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocate(256);
        while (channel.isOpen()) {
            SocketAddress from;
            try {
                buf.clear();
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.warn("udp receive failed: {}", e.toString());
                continue;
            }
            buf.flip();
            if (from == null || !buf.hasRemaining()) {
                continue;
            }
            long now = System.nanoTime();
            expire(now);
            byte type = buf.get();
            if (type == SUBSCRIBE) {
                Subscriber s =
                        subscribers.computeIfAbsent(from, k -> new Subscriber(new ConcurrentHashMap<>(), new long[1]));
                s.lastSeen()[0] = now;
                for (AssetManifestPacket p : current.get()) {
                    sendOnce(from, s, p);
                }
            } else if (type == PING && buf.remaining() == 8) {
                Subscriber s = subscribers.get(from);
                if (s != null) {
                    s.lastSeen()[0] = now;
                }
                ByteBuffer pong = ByteBuffer.allocate(9).put(PONG).put(buf);
                try {
                    channel.send(pong.flip(), from);
                } catch (IOException e) {
                    log.debug("cannot answer ping from {}: {}", from, e.toString());
                }
            }
            // Anything else is ignored: UDP is open to the world.
        }
    }

    private void expire(long now) {
        subscribers.entrySet().removeIf(e -> now - e.getValue().lastSeen()[0] > EXPIRY.toNanos());
    }

    @Override
    public void close() throws IOException {
        channel.close();
        loop.interrupt();
    }
}
