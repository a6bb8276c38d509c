package dev.lode.server;

import dev.lode.catalog.Catalog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On start, fails the single streamed PUTs this server (the same node) was receiving when its
 * previous process stopped: their bytes died with it, and a client waiting on their status must
 * learn so rather than wait forever. Multipart uploads keep their parts on disk and stay resumable.
 */
final class InterruptedUploads {
    private static final Logger LOG = LoggerFactory.getLogger(InterruptedUploads.class);
    static final String REASON = "interrupted by server restart";

    private InterruptedUploads() {}

    /**
     * This server's name among those sharing a catalog: {@code $LODE_NODE_ID}, else host name and
     * data folder, which stay the same across restarts and differ between two servers on one
     * PostgreSQL catalog. (In containers whose host name changes on every start, set
     * {@code LODE_NODE_ID}; otherwise an interrupted single upload is only ended by garbage
     * collection, a day later.)
     */
    static String defaultNode(Path dataDir) {
        String env = System.getenv("LODE_NODE_ID");
        if (env != null && !env.isBlank()) {
            return env.strip().length() > 255 ? env.strip().substring(0, 255) : env.strip();
        }
        return hostName() + ":" + dataDir.toAbsolutePath().normalize();
    }

    /**
     * The kernel's host name where it can be read without DNS (a name lookup, which
     * {@link InetAddress#getLocalHost()} does, can take seconds on a machine without DNS).
     */
    private static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        for (String var : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String h = System.getenv(var);
            if (h != null && !h.isBlank()) {
                return h.strip();
            }
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    static void fail(Catalog catalog, String node) {
        List<String> failed = catalog.uploads().failInterrupted(node, REASON);
        if (!failed.isEmpty()) {
            LOG.info("{} single uploads interrupted by the last stop marked failed: {}", failed.size(), failed);
        }
    }
}
