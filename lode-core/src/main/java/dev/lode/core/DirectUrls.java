package dev.lode.core;

import java.net.URI;
import java.time.Duration;

/**
 * A store whose objects a client can fetch straight from it, without passing through a lode server
 * (an S3 bucket: presigned SigV4 URLs).
 */
public interface DirectUrls {
    /**
     * A URL that reads {@code id} for {@code ttl}, signed for this store's key of it only.
     *
     * @throws IllegalArgumentException if the store cannot sign for that long
     */
    URI presignGet(ObjectId id, Duration ttl);

    /**
     * The object's key in the store: the path under which a CDN whose origin is the store serves
     * it (bucket keys are never URL-escaped: they are letters, digits, '.', '_', '-' and '/').
     */
    String keyOf(ObjectId id);
}
