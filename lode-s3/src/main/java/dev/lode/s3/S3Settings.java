package dev.lode.s3;

import dev.lode.core.ChunkerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Where and how to reach an S3-compatible bucket, and how to upload to it. Immutable; build with
 * {@link #builder(String)}.
 */
public final class S3Settings {
    /** S3's smallest part size (every part but the last must be at least this big). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    /** S3's largest part size. */
    public static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;

    /** S3's largest number of parts in one multipart upload. */
    public static final int MAX_PARTS = 10_000;

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern PREFIX_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final String bucket;
    private final String prefix;
    private final URI endpoint;
    private final String region;
    private final boolean pathStyle;
    private final AwsCredentialsProvider credentials;
    private final long multipartThreshold;
    private final long partSize;
    private final int uploadConcurrency;
    private final int maxConnections;
    private final RetryPolicy retry;
    private final Path spoolDir;
    private final ChunkerConfig chunker;
    private final URI cdnBase;
    private final int fileHashCacheSize;
    private final List<ExecutionInterceptor> interceptors;

    private S3Settings(Builder b) {
        this.bucket = b.bucket;
        this.prefix = b.prefix;
        this.endpoint = b.endpoint;
        this.region = b.region;
        this.pathStyle = b.pathStyle;
        this.credentials = b.credentials != null
                ? b.credentials
                : DefaultCredentialsProvider.builder().build();
        this.multipartThreshold = b.multipartThreshold;
        this.partSize = b.partSize;
        this.uploadConcurrency = b.uploadConcurrency;
        this.maxConnections = b.maxConnections > 0 ? b.maxConnections : Math.max(16, 2 * b.uploadConcurrency);
        this.retry = b.retry;
        this.spoolDir = b.spoolDir != null ? b.spoolDir : Path.of(System.getProperty("java.io.tmpdir"));
        this.chunker = b.chunker;
        this.cdnBase = b.cdnBase;
        this.fileHashCacheSize = b.fileHashCacheSize;
        this.interceptors = List.copyOf(b.interceptors);
    }

    /** A builder for settings on {@code bucket}. */
    public static Builder builder(String bucket) {
        return new Builder(bucket);
    }

    /** The bucket. */
    public String bucket() {
        return bucket;
    }

    /** The key prefix every tenant lives under (no leading or trailing slash), or empty. */
    public String prefix() {
        return prefix;
    }

    /** The endpoint for non-AWS services (MinIO, Ceph, R2, s3proxy); empty means AWS S3. */
    public Optional<URI> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** The signing region. */
    public String region() {
        return region;
    }

    /** Whether the bucket goes in the path ({@code http://host/bucket/key}) rather than the host name. */
    public boolean pathStyle() {
        return pathStyle;
    }

    /** Where credentials come from. */
    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    /** Objects of at least this many bytes are uploaded in parts. */
    public long multipartThreshold() {
        return multipartThreshold;
    }

    /** The size of every part but the last. */
    public long partSize() {
        return partSize;
    }

    /** Parts in flight at once for one upload. */
    public int uploadConcurrency() {
        return uploadConcurrency;
    }

    /** HTTP connections in the pool. */
    public int maxConnections() {
        return maxConnections;
    }

    /** How failed requests are retried. */
    public RetryPolicy retry() {
        return retry;
    }

    /** Where uploads from streams are spooled while their hash is computed. */
    public Path spoolDir() {
        return spoolDir;
    }

    /** The chunk sizes for objects' chunk maps. */
    public ChunkerConfig chunker() {
        return chunker;
    }

    /** The CDN base URL in front of the bucket, for public asset URLs. */
    public Optional<URI> cdnBase() {
        return Optional.ofNullable(cdnBase);
    }

    /** How many files' hashes {@code putFile} remembers while they are unchanged (0: none). */
    public int fileHashCacheSize() {
        return fileHashCacheSize;
    }

    /** SDK interceptors added to every request (request metrics, tracing, fault injection in tests). */
    public List<ExecutionInterceptor> interceptors() {
        return interceptors;
    }

    /** The largest object these settings can upload (part size × 10,000). */
    public long maxObjectSize() {
        return partSize * MAX_PARTS;
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder(bucket);
        b.prefix = prefix;
        b.endpoint = endpoint;
        b.region = region;
        b.pathStyle = pathStyle;
        b.credentials = credentials;
        b.multipartThreshold = multipartThreshold;
        b.partSize = partSize;
        b.uploadConcurrency = uploadConcurrency;
        b.maxConnections = maxConnections;
        b.retry = retry;
        b.spoolDir = spoolDir;
        b.chunker = chunker;
        b.cdnBase = cdnBase;
        b.fileHashCacheSize = fileHashCacheSize;
        b.interceptors.addAll(interceptors);
        return b;
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix) + (endpoint == null ? "" : " at " + endpoint);
    }

    /** Configures {@link S3Settings}; each setter checks its argument. */
    public static final class Builder {
        private final String bucket;
        private String prefix = "";
        private URI endpoint;
        private String region = "us-east-1";
        private boolean pathStyle;
        private AwsCredentialsProvider credentials;
        private long multipartThreshold = 5L * 1024 * 1024;
        private long partSize = 16L * 1024 * 1024;
        private int uploadConcurrency = 4;
        private int maxConnections;
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private Path spoolDir;
        private ChunkerConfig chunker = ChunkerConfig.DEFAULT;
        private URI cdnBase;
        private int fileHashCacheSize = 10_000;
        private final List<ExecutionInterceptor> interceptors = new ArrayList<>();

        private Builder(String bucket) {
            if (bucket == null || !BUCKET.matcher(bucket).matches()) {
                throw new IllegalArgumentException("not an S3 bucket name (3-63 of a-z 0-9 . -): '" + bucket + "'");
            }
            this.bucket = bucket;
        }

        /** A key prefix (e.g. {@code lode/prod}) every tenant lives under; default none. */
        public Builder prefix(String prefix) {
            String p = Objects.requireNonNull(prefix, "prefix");
            while (p.startsWith("/")) {
                p = p.substring(1);
            }
            while (p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            if (!p.isEmpty()) {
                for (String segment : p.split("/", -1)) {
                    if (!PREFIX_SEGMENT.matcher(segment).matches()) {
                        throw new IllegalArgumentException("bad key prefix '" + prefix + "': segment '" + segment
                                + "' must start with a letter or digit and hold only letters, digits, '.', '_', '-'");
                    }
                }
            }
            this.prefix = p;
            return this;
        }

        /** The service endpoint, e.g. {@code http://127.0.0.1:9000}; default AWS S3. */
        public Builder endpoint(URI endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
                throw new IllegalArgumentException("S3 endpoint must be http or https: " + endpoint);
            }
            this.endpoint = endpoint;
            return this;
        }

        /** The signing region; default {@code us-east-1} (what MinIO, Ceph and s3proxy expect). */
        public Builder region(String region) {
            if (region == null || region.isBlank()) {
                throw new IllegalArgumentException("region must not be blank");
            }
            this.region = region;
            return this;
        }

        /** Path-style addressing (needed for most non-AWS services and IP endpoints); default off. */
        public Builder pathStyle(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        /** Credentials; default the AWS SDK's chain (environment, profile, container, instance). */
        public Builder credentials(AwsCredentialsProvider credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** Fixed credentials. */
        public Builder credentials(String accessKeyId, String secretAccessKey) {
            return credentials(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey)));
        }

        /** Objects at least this big go in parts; default 5 MiB. */
        public Builder multipartThreshold(long bytes) {
            if (bytes < 1 || bytes > MAX_PART_SIZE) {
                throw new IllegalArgumentException("multipart threshold must be 1 B to 5 GiB, got " + bytes);
            }
            this.multipartThreshold = bytes;
            return this;
        }

        /**
         * The size of every part but the last; default 16 MiB. One size per upload because R2 (and
         * S3's own checksum rules) need equal parts.
         */
        public Builder partSize(long bytes) {
            if (bytes < MIN_PART_SIZE || bytes > MAX_PART_SIZE) {
                throw new IllegalArgumentException("part size must be 5 MiB to 5 GiB, got " + bytes);
            }
            this.partSize = bytes;
            return this;
        }

        /** Parts uploaded at once; default 4. Memory stays bounded: parts stream from a file. */
        public Builder uploadConcurrency(int parts) {
            if (parts < 1 || parts > 64) {
                throw new IllegalArgumentException("upload concurrency must be 1 to 64, got " + parts);
            }
            this.uploadConcurrency = parts;
            return this;
        }

        /** HTTP connection pool size; default max(16, 2 × upload concurrency). */
        public Builder maxConnections(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("max connections must be positive, got " + connections);
            }
            this.maxConnections = connections;
            return this;
        }

        /** How failed requests are retried; default {@link RetryPolicy#DEFAULT}. */
        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** Where stream uploads are spooled; default the system temporary folder. */
        public Builder spoolDir(Path dir) {
            this.spoolDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Chunk sizes for chunk maps; default {@link ChunkerConfig#DEFAULT}. */
        public Builder chunker(ChunkerConfig chunker) {
            this.chunker = Objects.requireNonNull(chunker, "chunker");
            return this;
        }

        /** The CDN base URL whose paths are bucket keys (e.g. {@code https://cdn.example.com}). */
        public Builder cdnBase(URI cdnBase) {
            Objects.requireNonNull(cdnBase, "cdnBase");
            if (!"https".equals(cdnBase.getScheme()) && !"http".equals(cdnBase.getScheme())) {
                throw new IllegalArgumentException("CDN base must be an http(s) URL: " + cdnBase);
            }
            this.cdnBase = cdnBase;
            return this;
        }

        /**
         * How many files' SHA-256 {@code putFile} remembers while the file is unchanged, so that
         * putting it again reads nothing (default 10,000; 0 turns it off).
         */
        public Builder fileHashCacheSize(int entries) {
            if (entries < 0 || entries > 10_000_000) {
                throw new IllegalArgumentException("file hash cache size must be 0..10000000, got " + entries);
            }
            this.fileHashCacheSize = entries;
            return this;
        }

        /** Adds an SDK interceptor to every request. */
        public Builder interceptor(ExecutionInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        public S3Settings build() {
            return new S3Settings(this);
        }
    }
}
