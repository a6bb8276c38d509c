package dev.lode.cli;

import dev.lode.client.AssetManifestPacket;
import dev.lode.client.UdpAnnouncer;
import dev.lode.core.ObjectId;
import dev.lode.server.Plugin;
import dev.lode.server.PluginChange;
import dev.lode.server.PluginRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the server's plugin registry to the UDP announcer: every plugin served becomes an
 * {@link AssetManifestPacket} whose URL uses the server's public host name ({@code https} when TLS
 * is on), and every hot-load or version bump is announced to the subscribed clients, once each.
 */
final class PluginAnnouncements implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginAnnouncements.class);

    private final PluginRegistry registry;
    private final String base;
    private final UdpAnnouncer udp;
    private final AutoCloseable subscription;

    PluginAnnouncements(
            PluginRegistry registry, InetSocketAddress udpBind, String scheme, String publicHost, int httpPort)
            throws IOException {
        this.registry = registry;
        String host = publicHost.contains(":") && !publicHost.startsWith("[") ? "[" + publicHost + "]" : publicHost;
        this.base = scheme + "://" + host + ":" + httpPort;
        this.udp = new UdpAnnouncer(udpBind, this::current);
        this.subscription = registry.addListener(this::onChange);
    }

    /** The UDP address clients subscribe to. */
    InetSocketAddress address() throws IOException {
        return udp.address();
    }

    private void onChange(PluginChange change) {
        switch (change) {
            case PluginChange.Added a -> packet(a.plugin()).ifPresent(udp::announce);
            case PluginChange.Updated u -> packet(u.plugin()).ifPresent(udp::announce);
            case PluginChange.Removed r -> {
                // Nothing to announce: clients keep what they have.
            }
        }
    }

    private List<AssetManifestPacket> current() {
        List<AssetManifestPacket> out = new ArrayList<>();
        for (Plugin p : registry.all()) {
            packet(p).ifPresent(out::add);
        }
        return out;
    }

    Optional<AssetManifestPacket> packet(Plugin p) {
        try {
            long id = Long.parseLong(p.pluginId());
            URI url = URI.create(base + "/plugins/" + p.pluginId() + "/manifest");
            return Optional.of(new AssetManifestPacket(id, url, ObjectId.parse(p.bundleSha256()), p.minVersion()));
        } catch (IllegalArgumentException e) {
            log.warn("plugin {} cannot be announced over UDP: {}", p.pluginId(), e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void close() throws Exception {
        subscription.close();
        udp.close();
    }
}
