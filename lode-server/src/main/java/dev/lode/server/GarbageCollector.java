package dev.lode.server;

import dev.lode.catalog.Catalog;
import dev.lode.catalog.EncodedVariant;
import dev.lode.catalog.GcRoot;
import dev.lode.catalog.ObjectUse;
import dev.lode.catalog.RunSummary;
import dev.lode.catalog.Tenant;
import dev.lode.catalog.UploadPartUse;
import dev.lode.catalog.UploadRecord;
import dev.lode.core.ByteRange;
import dev.lode.core.LodeException;
import dev.lode.core.Manifest;
import dev.lode.core.ManifestCodec;
import dev.lode.core.ManifestEntry;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;
import dev.lode.core.ObjectStores;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One garbage collection (see {@link GarbageCollection} for what keeps an object). The order makes
 * it safe against concurrent uploads without a lock: runs are removed first, then the references
 * are read from the catalog, then each store is listed, and an object outside the references is
 * deleted only if its store says it was written before the grace cutoff. An object put after the
 * references were read is younger than the cutoff (a put of bytes already held renews the local
 * store's file time), so it survives until the next collection, which sees its catalog row.
 *
 * <p>Stores: with {@link ObjectStores#isSingle()} the references of everything are one set over the
 * one store; otherwise the server's store keeps what logical assets and roots name, and each
 * tenant's store keeps what that tenant's artifacts and uploads name. A precomputed encoding is
 * kept wherever its source is kept; an encoding whose source is gone is forgotten and its object
 * deleted (after the grace period, like any other).
 */
final class GarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    private static final String SHARED = "";
    private static final byte[] MANIFEST_PREFIX =
            ("{\"format\":\"" + ManifestCodec.FORMAT + "\"").getBytes(StandardCharsets.US_ASCII);
    private static final String ABANDONED = "abandoned: no activity for %s, aborted by garbage collection";

    private final ObjectStores stores;
    private final Catalog catalog;
    private final GcOptions options;
    private final Clock clock;

    private long objectsDeleted;
    private long bytesFreed;
    private long keptYoung;
    private long keptUnknownAge;
    private final Set<ObjectId> deleted = new HashSet<>();

    GarbageCollector(ObjectStores stores, Catalog catalog, GcOptions options, Clock clock) {
        this.stores = stores;
        this.catalog = catalog;
        this.options = options;
        this.clock = clock;
    }

    GcReport run() {
        long started = System.nanoTime();
        Instant now = clock.instant();
        List<RunSummary> runs = removeRuns(now.minus(options.olderThan()));
        List<String> uploads = abortUploads(now.minus(options.uploadExpiry()));
        // The store's own unfinished multipart uploads (an S3 bucket's, cut off by a crash).
        int storeUploads = options.dryRun() ? 0 : stores.abortIncompleteUploads(options.uploadExpiry());
        sweepObjects(runs, Set.copyOf(uploads), now.minus(options.grace()));
        long assets = runs.stream().mapToLong(RunSummary::assets).sum();
        return new GcReport(
                options.dryRun(),
                runs.size(),
                assets,
                objectsDeleted,
                bytesFreed,
                uploads.size(),
                storeUploads,
                keptYoung,
                keptUnknownAge,
                runs,
                uploads,
                Duration.ofNanos(System.nanoTime() - started));
    }

    // ---------------------------------------------------------------- catalog

    private List<RunSummary> removeRuns(Instant cutoff) {
        List<RunSummary> expired = catalog.lifecycle().runsOlderThan(cutoff);
        if (options.dryRun()) {
            return expired;
        }
        List<RunSummary> removed = new ArrayList<>();
        for (RunSummary r : expired) {
            int n = catalog.lifecycle().deleteRunIfOlderThan(r.tenant(), r.run(), cutoff);
            if (n > 0) {
                LOG.debug("removed run {}/{} ({} assets, newest {})", r.tenant(), r.run(), n, r.newest());
                removed.add(new RunSummary(r.tenant(), r.run(), n, r.bytes(), r.newest()));
            }
        }
        return removed;
    }

    private List<String> abortUploads(Instant cutoff) {
        List<String> out = new ArrayList<>();
        String reason = String.format(Locale.ROOT, ABANDONED, human(options.uploadExpiry()));
        for (UploadRecord u : catalog.uploads().inactiveSince(cutoff)) {
            if (options.dryRun()) {
                out.add(u.uploadId());
            } else if (catalog.uploads().abortIfInactive(u.uploadId(), cutoff, reason)) {
                out.add(u.uploadId()); // its parts' objects are swept below like any unreferenced object
                LOG.debug("aborted upload {} to {}, inactive since {}", u.uploadId(), u.key(), u.updatedAt());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- objects

    private void sweepObjects(List<RunSummary> removedRuns, Set<String> abortedUploads, Instant cutoff) {
        Set<String> goneRuns = new HashSet<>();
        for (RunSummary r : removedRuns) {
            goneRuns.add(r.tenant() + "/" + r.run());
        }
        Map<String, Set<ObjectId>> refs = new HashMap<>();
        refs.put(SHARED, new HashSet<>());
        List<ObjectUse> manifestCandidates = new ArrayList<>();
        for (ObjectUse u : catalog.lifecycle().objectUses()) {
            if (options.dryRun() && u.run() != null && goneRuns.contains(u.tenant() + "/" + u.run())) {
                continue; // what a real run would have removed no longer counts
            }
            refs.computeIfAbsent(storeKey(u.tenant()), k -> new HashSet<>()).add(u.objectId());
            if (mayBeManifest(u.mediaType())) {
                manifestCandidates.add(u);
            }
        }
        for (UploadPartUse p : catalog.lifecycle().activeUploadParts()) {
            if (options.dryRun() && abortedUploads.contains(p.uploadId())) {
                continue; // a real run would have aborted that upload
            }
            refs.computeIfAbsent(storeKey(p.tenant()), k -> new HashSet<>()).add(p.objectId());
        }
        for (GcRoot root : catalog.lifecycle().roots()) {
            refs.get(SHARED).add(root.objectId());
            manifestCandidates.add(new ObjectUse(null, null, root.objectId(), "application/json"));
        }
        for (ObjectUse u : manifestCandidates) {
            expandManifest(storeKey(u.tenant()), u.objectId(), refs.get(storeKey(u.tenant())));
        }
        List<EncodedVariant> orphans = new ArrayList<>();
        Set<ObjectId> orphanEncoded = new HashSet<>();
        for (EncodedVariant e : catalog.lifecycle().encodings()) {
            boolean live = false;
            for (Set<ObjectId> set : refs.values()) {
                if (set.contains(e.source())) {
                    set.add(e.encodedId());
                    live = true;
                }
            }
            if (!live) {
                orphans.add(e);
            }
        }
        for (EncodedVariant e : orphans) {
            if (refs.values().stream().noneMatch(s -> s.contains(e.encodedId()))) {
                orphanEncoded.add(e.encodedId());
            }
        }
        List<String> keys = sweptStores();
        for (String key : keys) {
            Set<ObjectId> kept = refs.getOrDefault(key, Set.of());
            ObjectStore store = storeOf(key);
            List<ObjectId> candidates = new ArrayList<>();
            store.forEach(id -> {
                if (!kept.contains(id) && !orphanEncoded.contains(id)) {
                    candidates.add(id);
                }
            });
            for (ObjectId id : candidates) {
                collect(store, id, cutoff);
            }
        }
        // Encodings whose source is gone: forget them, then their objects go like any other.
        Set<ObjectId> forgotten = new HashSet<>();
        for (EncodedVariant e : orphans) {
            boolean sourceGone = deleted.contains(e.source())
                    || keys.stream().noneMatch(k -> storeOf(k).contains(e.source()));
            if (!sourceGone) {
                continue;
            }
            if (!options.dryRun() && forgotten.add(e.source())) {
                catalog.lifecycle().deleteEncodingsOf(e.source());
            }
            if (!orphanEncoded.contains(e.encodedId())) {
                continue;
            }
            for (String key : keys) {
                ObjectStore store = storeOf(key);
                if (!deleted.contains(e.encodedId()) && store.contains(e.encodedId())) {
                    collect(store, e.encodedId(), cutoff);
                }
            }
        }
    }

    private void collect(ObjectStore store, ObjectId id, Instant cutoff) {
        Optional<Instant> written = store.lastModified(id);
        if (written.isEmpty()) {
            keptUnknownAge++;
            return;
        }
        if (!written.get().isBefore(cutoff)) {
            keptYoung++;
            return;
        }
        OptionalLong size = store.size(id);
        if (options.dryRun()) {
            objectsDeleted++;
            bytesFreed += size.orElse(0);
            deleted.add(id);
            return;
        }
        if (store.deleteIfOlderThan(id, cutoff)) {
            objectsDeleted++;
            bytesFreed += size.orElse(0);
            deleted.add(id);
            LOG.debug("deleted unreferenced object {} from {}", id, store);
        }
    }

    /** Adds the entries and chunk maps of {@code id} to {@code refs} if it is a manifest, recursively. */
    private void expandManifest(String key, ObjectId id, Set<ObjectId> refs) {
        ObjectStore store = storeOf(key);
        Deque<ObjectId> todo = new ArrayDeque<>();
        Set<ObjectId> seen = new HashSet<>();
        todo.add(id);
        while (!todo.isEmpty()) {
            ObjectId next = todo.poll();
            if (!seen.add(next)) {
                continue;
            }
            Optional<Manifest> m = readManifest(store, next);
            if (m.isEmpty()) {
                continue;
            }
            for (ManifestEntry e : m.get().entries()) {
                refs.add(e.sha256());
                if (e.chunkMap() != null) {
                    refs.add(e.chunkMap());
                }
                if (mayBeManifest(e.mediaType())) {
                    todo.add(e.sha256());
                }
            }
        }
    }

    /** The manifest in {@code id}, if the object exists and starts like a canonical manifest. */
    private static Optional<Manifest> readManifest(ObjectStore store, ObjectId id) {
        OptionalLong size = store.size(id);
        if (size.isEmpty() || size.getAsLong() < MANIFEST_PREFIX.length) {
            return Optional.empty();
        }
        try {
            byte[] head;
            try (InputStream in = store.openRange(id, new ByteRange(0, MANIFEST_PREFIX.length))) {
                head = in.readAllBytes();
            }
            if (!Arrays.equals(head, MANIFEST_PREFIX)) {
                return Optional.empty();
            }
            try (InputStream in = store.openRange(id, ByteRange.whole(size.getAsLong()))) {
                return Optional.of(ManifestCodec.read(in));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read object " + id + " from " + store, e);
        } catch (LodeException e) {
            // Starts like a manifest but is not one (or vanished): it keeps nothing else.
            LOG.debug("object {} is not a readable manifest: {}", id, e.getMessage());
            return Optional.empty();
        }
    }

    /** {@code 1d}, {@code 6h}, {@code 90s}: durations as {@link Durations#parse} reads them. */
    static String human(Duration d) {
        long s = d.toSeconds();
        if (s > 0 && s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s > 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s > 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s > 0 ? s + "s" : d.toMillis() + "ms";
    }

    private static boolean mayBeManifest(String mediaType) {
        return mediaType != null && mediaType.toLowerCase(Locale.ROOT).contains("json");
    }

    private String storeKey(String tenant) {
        return tenant == null || stores.isSingle() ? SHARED : tenant;
    }

    private ObjectStore storeOf(String key) {
        return key.equals(SHARED) ? stores.shared() : stores.tenant(key);
    }

    private List<String> sweptStores() {
        if (stores.isSingle()) {
            return List.of(SHARED);
        }
        Set<String> keys = new LinkedHashSet<>();
        keys.add(SHARED);
        for (Tenant t : catalog.tenants().list()) {
            keys.add(t.name());
        }
        return List.copyOf(keys);
    }

    // ---------------------------------------------------------------- files

}
