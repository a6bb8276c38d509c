package dev.lode.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * A real S3 API server for tests and benchmarks: s3proxy embedded, backed by a folder, on a
 * loopback port, checking SigV4 signatures (and presigned URL expiry) with its own credentials.
 * Can be stopped and started again on the same port and folder to test outages.
 */
public final class S3ProxyServer implements AutoCloseable {
    private final Path dir;
    private final String accessKey = "lode-test";
    private final String secretKey;
    private final boolean ignoreUnknownHeaders;
    private int port;
    private S3Proxy proxy;

    private S3ProxyServer(Path dir, boolean ignoreUnknownHeaders) {
        this(dir, ignoreUnknownHeaders, UUID.randomUUID().toString());
    }

    private S3ProxyServer(Path dir, boolean ignoreUnknownHeaders, String secretKey) {
        this.secretKey = secretKey;
        this.dir = dir;
        this.ignoreUnknownHeaders = ignoreUnknownHeaders;
    }

    /** Starts a server storing its buckets as folders under {@code dir}. */
    public static S3ProxyServer start(Path dir) {
        S3ProxyServer s = new S3ProxyServer(dir, false);
        s.startOn(0);
        return s;
    }

    /** Like {@link #start(Path)}, with the same credentials as {@code other} (a replica of it, say). */
    public static S3ProxyServer startLike(Path dir, S3ProxyServer other) {
        S3ProxyServer s = new S3ProxyServer(dir, false, other.secretKey);
        s.startOn(0);
        return s;
    }

    /**
     * Like {@link #start(Path)}, but ignoring request headers s3proxy does not know (the SDK's
     * S3TransferManager sends {@code x-amz-mp-object-size}, which s3proxy otherwise rejects).
     * Signatures are still checked.
     */
    public static S3ProxyServer startIgnoringUnknownHeaders(Path dir) {
        S3ProxyServer s = new S3ProxyServer(dir, true);
        s.startOn(0);
        return s;
    }

    private void startOn(int wanted) {
        try {
            Files.createDirectories(dir);
            S3Proxy p = S3Proxy.builder()
                    .blobStore(new FilesystemNio2BlobStore(dir.toString()))
                    .endpoint(URI.create("http://127.0.0.1:" + wanted))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                    .ignoreUnknownHeaders(ignoreUnknownHeaders)
                    .build();
            p.start();
            for (int i = 0; i < 500 && !"STARTED".equals(p.getState()); i++) {
                Thread.sleep(10);
            }
            this.proxy = p;
            this.port = p.getPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start s3proxy in " + dir + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start s3proxy on port " + wanted + ": " + e.getMessage(), e);
        }
    }

    /** Stops serving; the folder stays. */
    public void stop() {
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop s3proxy on port " + port, e);
            }
            proxy = null;
        }
    }

    /** Starts again on the same port and folder after {@link #stop()}. */
    public void restart() {
        stop();
        startOn(port);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    /** Settings for {@code bucket} on this server: path-style, its credentials, fast retries. */
    public S3Settings.Builder settings(String bucket) {
        return S3Settings.builder(bucket)
                .endpoint(endpoint())
                .pathStyle(true)
                .region("us-east-1")
                .credentials(accessKey, secretKey);
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    @Override
    public void close() {
        stop();
    }
}
