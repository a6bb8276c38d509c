package dev.lode.catalog;

import dev.lode.core.ObjectId;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** The {@code uploads} and {@code upload_parts} tables. */
public final class UploadCatalog {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Catalog catalog;

    UploadCatalog(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Starts a multipart upload to {@code key} in state {@code PENDING}; the tenant must exist. */
    public UploadRecord create(TenantAssetKey key, boolean isPublic) {
        return create(key, isPublic, null);
    }

    /**
     * Starts an upload to {@code key} in state {@code PENDING}. {@code streamedBy} names the server
     * streaming a single PUT (see {@link #failInterrupted}); null for a multipart upload, which any
     * server may resume.
     */
    public UploadRecord create(TenantAssetKey key, boolean isPublic, String streamedBy) {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        String id = "up_" + HexFormat.of().formatHex(b);
        long now = System.currentTimeMillis();
        return catalog.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO uploads (upload_id, tenant, run, artifact_type,"
                    + " filename, is_public, state, created_at, updated_at, streamed_by)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, key.tenant());
                ps.setString(3, key.run());
                ps.setString(4, key.type().token());
                ps.setString(5, key.filename());
                ps.setInt(6, isPublic ? 1 : 0);
                ps.setString(7, UploadState.PENDING.name());
                ps.setLong(8, now);
                ps.setLong(9, now);
                if (streamedBy == null) {
                    ps.setNull(10, Types.VARCHAR);
                } else {
                    ps.setString(10, nodeColumn(streamedBy));
                }
                ps.executeUpdate();
            }
            return find(c, id).orElseThrow();
        });
    }

    /** The upload {@code id}. */
    public Optional<UploadRecord> find(String id) {
        return catalog.read(c -> find(c, id));
    }

    /** The most recently started upload to {@code key}, if any. */
    public Optional<UploadRecord> latest(TenantAssetKey key) {
        return catalog.read(c -> {
            String id;
            try (PreparedStatement ps = c.prepareStatement("SELECT upload_id FROM uploads WHERE tenant = ? AND run = ?"
                    + " AND artifact_type = ? AND filename = ? ORDER BY created_at DESC, upload_id DESC LIMIT 1")) {
                ps.setString(1, key.tenant());
                ps.setString(2, key.run());
                ps.setString(3, key.type().token());
                ps.setString(4, key.filename());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<UploadRecord>empty();
                    }
                    id = rs.getString(1);
                }
            }
            return find(c, id);
        });
    }

    private static Optional<UploadRecord> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT tenant, run, artifact_type, filename, is_public, state,"
                + " object_id, size, deduplicated, error, created_at, updated_at FROM uploads WHERE upload_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                TenantAssetKey key = new TenantAssetKey(
                        rs.getString(1),
                        rs.getString(2),
                        ArtifactType.ofToken(rs.getString(3)).orElseThrow(),
                        rs.getString(4));
                String obj = rs.getString(7);
                long size = rs.getLong(8);
                if (rs.wasNull()) {
                    size = -1;
                }
                return Optional.of(new UploadRecord(
                        id,
                        key,
                        rs.getInt(5) != 0,
                        UploadState.valueOf(rs.getString(6)),
                        obj == null ? null : ObjectId.parse(obj),
                        size,
                        rs.getInt(9) != 0,
                        rs.getString(10),
                        Instant.ofEpochMilli(rs.getLong(11)),
                        Instant.ofEpochMilli(rs.getLong(12))));
            }
        }
    }

    /** Moves an active upload from {@code PENDING} to {@code UPLOADING}: its first bytes arrived. */
    public UploadRecord markUploading(String uploadId) {
        return catalog.write(c -> {
            requireOpen(c, uploadId);
            setUploading(c, uploadId);
            return find(c, uploadId).orElseThrow();
        });
    }

    private static void setUploading(Connection c, String uploadId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE uploads SET state = ?, updated_at = ? WHERE upload_id = ? AND state = ?")) {
            ps.setString(1, UploadState.UPLOADING.name());
            ps.setLong(2, System.currentTimeMillis());
            ps.setString(3, uploadId);
            ps.setString(4, UploadState.PENDING.name());
            ps.executeUpdate();
        }
    }

    /**
     * Records (or re-records, for a retried part) part {@code number} of an active upload, which
     * is {@code UPLOADING} from then on.
     */
    public void putPart(String uploadId, UploadPart part) {
        catalog.write(c -> {
            requireOpen(c, uploadId);
            setUploading(c, uploadId);
            try (PreparedStatement del =
                    c.prepareStatement("DELETE FROM upload_parts WHERE upload_id = ? AND part_number = ?")) {
                del.setString(1, uploadId);
                del.setInt(2, part.number());
                del.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO upload_parts (upload_id, part_number, sha256, size) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, uploadId);
                ps.setInt(2, part.number());
                ps.setString(3, part.sha256());
                ps.setLong(4, part.size());
                ps.executeUpdate();
            }
            touch(c, uploadId);
            return null;
        });
    }

    /** The parts received so far, by number. */
    public List<UploadPart> parts(String uploadId) {
        return catalog.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT part_number, sha256, size FROM upload_parts WHERE upload_id = ? ORDER BY part_number")) {
                ps.setString(1, uploadId);
                try (ResultSet rs = ps.executeQuery()) {
                    List<UploadPart> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new UploadPart(rs.getInt(1), rs.getString(2), rs.getLong(3)));
                    }
                    return out;
                }
            }
        });
    }

    /** Marks an active upload complete with its object and records the artifact, in one transaction. */
    public UploadRecord complete(String uploadId, TenantAsset asset, boolean deduplicated) {
        return catalog.write(c -> {
            requireOpen(c, uploadId);
            try (PreparedStatement ps = c.prepareStatement("UPDATE uploads SET state = ?, object_id = ?, size = ?,"
                    + " deduplicated = ?, updated_at = ? WHERE upload_id = ?")) {
                ps.setString(1, UploadState.COMPLETE.name());
                ps.setString(2, asset.objectId().hex());
                ps.setLong(3, asset.size());
                ps.setInt(4, deduplicated ? 1 : 0);
                ps.setLong(5, System.currentTimeMillis());
                ps.setString(6, uploadId);
                ps.executeUpdate();
            }
            deletePartRows(c, uploadId);
            TenantAssetKey k = asset.key();
            try (PreparedStatement del = c.prepareStatement("DELETE FROM tenant_assets"
                    + " WHERE tenant = ? AND run = ? AND artifact_type = ? AND filename = ?")) {
                del.setString(1, k.tenant());
                del.setString(2, k.run());
                del.setString(3, k.type().token());
                del.setString(4, k.filename());
                del.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO tenant_assets (tenant, run, artifact_type,"
                            + " filename, object_id, size, media_type, is_public, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, k.tenant());
                ps.setString(2, k.run());
                ps.setString(3, k.type().token());
                ps.setString(4, k.filename());
                ps.setString(5, asset.objectId().hex());
                ps.setLong(6, asset.size());
                ps.setString(7, asset.mediaType());
                ps.setInt(8, asset.isPublic() ? 1 : 0);
                ps.setLong(9, asset.createdAt().toEpochMilli());
                ps.executeUpdate();
            }
            return find(c, uploadId).orElseThrow();
        });
    }

    /** Ends an active upload as {@code ABORTED} or {@code FAILED} (with {@code error}). */
    public UploadRecord end(String uploadId, UploadState state, String error) {
        if (state != UploadState.ABORTED && state != UploadState.FAILED) {
            throw new IllegalArgumentException("end() takes ABORTED or FAILED, not " + state);
        }
        return catalog.write(c -> {
            requireOpen(c, uploadId);
            endIn(c, uploadId, state, error);
            return find(c, uploadId).orElseThrow();
        });
    }

    private static void endIn(Connection c, String uploadId, UploadState state, String error) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE uploads SET state = ?, error = ?, updated_at = ? WHERE upload_id = ?")) {
            ps.setString(1, state.name());
            if (error == null) {
                ps.setNull(2, Types.VARCHAR);
            } else {
                ps.setString(2, error.length() > 1000 ? error.substring(0, 1000) : error);
            }
            ps.setLong(3, System.currentTimeMillis());
            ps.setString(4, uploadId);
            ps.executeUpdate();
        }
        deletePartRows(c, uploadId);
    }

    /**
     * Fails the single PUTs that {@code node} was streaming when it stopped: they are active and
     * streamed by {@code node}, and their bytes died with its process. Multipart uploads are not
     * touched (their parts are on disk; any server may resume them). Returns the uploads failed.
     */
    public List<String> failInterrupted(String node, String reason) {
        return catalog.write(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT upload_id FROM uploads WHERE streamed_by = ? AND state IN (?, ?) ORDER BY upload_id")) {
                ps.setString(1, nodeColumn(node));
                ps.setString(2, UploadState.PENDING.name());
                ps.setString(3, UploadState.UPLOADING.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            for (String id : ids) {
                endIn(c, id, UploadState.FAILED, reason);
            }
            return ids;
        });
    }

    /**
     * The active uploads with no activity (creation, state change or part) since {@code cutoff},
     * oldest first: multipart uploads a client gave up on.
     */
    public List<UploadRecord> inactiveSince(Instant cutoff) {
        return catalog.read(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT upload_id FROM uploads"
                    + " WHERE state IN (?, ?) AND updated_at < ? ORDER BY updated_at, upload_id")) {
                ps.setString(1, UploadState.PENDING.name());
                ps.setString(2, UploadState.UPLOADING.name());
                ps.setLong(3, cutoff.toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            List<UploadRecord> out = new ArrayList<>(ids.size());
            for (String id : ids) {
                find(c, id).ifPresent(out::add);
            }
            return out;
        });
    }

    /**
     * Aborts {@code uploadId} if it is still active and inactive since {@code cutoff} (checked in
     * the same transaction, so a part that arrived meanwhile saves it); returns whether it did.
     */
    public boolean abortIfInactive(String uploadId, Instant cutoff, String reason) {
        return catalog.write(c -> {
            Optional<UploadRecord> r = find(c, uploadId);
            if (r.isEmpty()
                    || !r.get().state().isActive()
                    || !r.get().updatedAt().isBefore(cutoff)) {
                return false;
            }
            endIn(c, uploadId, UploadState.ABORTED, reason);
            return true;
        });
    }

    /** A node name as stored: at most the column's 255 characters, the same on write and lookup. */
    private static String nodeColumn(String node) {
        return node.length() > 255 ? node.substring(0, 255) : node;
    }

    private static void deletePartRows(Connection c, String uploadId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM upload_parts WHERE upload_id = ?")) {
            ps.setString(1, uploadId);
            ps.executeUpdate();
        }
    }

    private static void touch(Connection c, String uploadId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE uploads SET updated_at = ? WHERE upload_id = ?")) {
            ps.setLong(1, System.currentTimeMillis());
            ps.setString(2, uploadId);
            ps.executeUpdate();
        }
    }

    private static void requireOpen(Connection c, String uploadId) throws SQLException {
        UploadRecord r = find(c, uploadId).orElseThrow(() -> new UploadStateException("no upload " + uploadId));
        if (!r.state().isActive()) {
            throw new UploadStateException("upload " + uploadId + " is " + r.state() + ", no longer active");
        }
    }

    /** An operation on an upload that does not exist or is no longer open. */
    public static final class UploadStateException extends CatalogException {
        public UploadStateException(String message) {
            super(message);
        }
    }
}
