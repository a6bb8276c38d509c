package dev.lode.core;

import java.util.Objects;

/**
 * Where a server's objects live: one store for its own assets (admin uploads, manifests, staged
 * files) and one per tenant.
 *
 * <p>A local folder is one physical store for everyone ({@link #single}): identical bytes are kept
 * once across tenants, and whether an upload was new is decided per tenant by the catalog. An
 * S3-compatible bucket gives each tenant its own key prefix, so that deduplication never tells one
 * tenant what another has stored.
 */
public interface ObjectStores extends AutoCloseable {
    /** The store of the server's own assets. */
    ObjectStore shared();

    /** The store of {@code tenant}'s uploads. */
    ObjectStore tenant(String tenant);

    /** Whether every tenant's store is {@link #shared()} itself (one physical store). */
    boolean isSingle();

    /**
     * Aborts the store's own unfinished multipart uploads started more than {@code olderThan} ago
     * (an S3 bucket bills their parts until then); returns how many. Stores without such uploads
     * have none to abort.
     */
    default int abortIncompleteUploads(java.time.Duration olderThan) {
        return 0;
    }

    /** Closes the stores. */
    @Override
    void close();

    /** One store for the server and every tenant; closing the result closes {@code store}. */
    static ObjectStores single(ObjectStore store) {
        Objects.requireNonNull(store, "store");
        return new ObjectStores() {
            @Override
            public ObjectStore shared() {
                return store;
            }

            @Override
            public ObjectStore tenant(String tenant) {
                return store;
            }

            @Override
            public boolean isSingle() {
                return true;
            }

            @Override
            public void close() {
                store.close();
            }

            @Override
            public String toString() {
                return "ObjectStores.single[" + store + "]";
            }
        };
    }
}
