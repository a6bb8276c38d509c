package dev.lode.catalog;

import dev.lode.core.ObjectId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What garbage collection and usage accounting need from the catalog: runs past their retention,
 * every row that keeps an object alive, garbage-collection roots, and bytes served per tenant.
 */
public final class LifecycleCatalog {
    private final Catalog catalog;

    LifecycleCatalog(Catalog catalog) {
        this.catalog = catalog;
    }

    /** The runs whose newest artifact was stored before {@code cutoff}, oldest first. */
    public List<RunSummary> runsOlderThan(Instant cutoff) {
        return catalog.read(c -> {
            String sql = "SELECT tenant, run, COUNT(*), SUM(size), MAX(created_at) FROM tenant_assets"
                    + " GROUP BY tenant, run HAVING MAX(created_at) < ? ORDER BY MAX(created_at), tenant, run";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, cutoff.toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    List<RunSummary> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new RunSummary(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getLong(3),
                                rs.getLong(4),
                                Instant.ofEpochMilli(rs.getLong(5))));
                    }
                    return out;
                }
            }
        });
    }

    /**
     * Removes every artifact of {@code tenant}'s {@code run} if its newest one is still older than
     * {@code cutoff} (one statement, so an artifact stored into the run meanwhile keeps the whole
     * run); returns the number of artifacts removed.
     */
    public int deleteRunIfOlderThan(String tenant, String run, Instant cutoff) {
        return catalog.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM tenant_assets WHERE tenant = ? AND run = ?"
                    + " AND (SELECT MAX(t.created_at) FROM tenant_assets t WHERE t.tenant = ? AND t.run = ?) < ?")) {
                ps.setString(1, tenant);
                ps.setString(2, run);
                ps.setString(3, tenant);
                ps.setString(4, run);
                ps.setLong(5, cutoff.toEpochMilli());
                int removed = ps.executeUpdate();
                if (removed > 0) {
                    // the run's tags go with it, or a later artifact at the same path would inherit them
                    try (PreparedStatement tags = c.prepareStatement(
                            "DELETE FROM tenant_asset_tags WHERE tenant = ? AND run = ? AND NOT EXISTS (SELECT 1"
                                    + " FROM tenant_assets a WHERE a.tenant = tenant_asset_tags.tenant"
                                    + " AND a.run = tenant_asset_tags.run"
                                    + " AND a.artifact_type = tenant_asset_tags.artifact_type"
                                    + " AND a.filename = tenant_asset_tags.filename)")) {
                        tags.setString(1, tenant);
                        tags.setString(2, run);
                        tags.executeUpdate();
                    }
                }
                return removed;
            }
        });
    }

    /**
     * Every object a catalog row names: logical assets (the server's own store), tenant artifacts
     * and the objects of active uploads (their tenant's store).
     */
    public List<ObjectUse> objectUses() {
        return catalog.read(c -> {
            List<ObjectUse> out = new ArrayList<>();
            collect(c, "SELECT NULL, NULL, object_id, media_type FROM assets", out);
            collect(c, "SELECT tenant, run, object_id, media_type FROM tenant_assets", out);
            collect(
                    c,
                    "SELECT tenant, NULL, object_id, 'application/octet-stream' FROM uploads"
                            + " WHERE object_id IS NOT NULL AND state IN ('PENDING', 'UPLOADING')",
                    out);
            return out;
        });
    }

    /** The parts of every active (pending or uploading) upload. */
    public List<UploadPartUse> activeUploadParts() {
        return catalog.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT u.tenant, u.upload_id, p.sha256 FROM upload_parts p"
                                    + " JOIN uploads u ON u.upload_id = p.upload_id WHERE u.state IN ('PENDING', 'UPLOADING')");
                    ResultSet rs = ps.executeQuery()) {
                List<UploadPartUse> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new UploadPartUse(rs.getString(1), rs.getString(2), ObjectId.parse(rs.getString(3))));
                }
                return out;
            }
        });
    }

    private static void collect(Connection c, String sql, List<ObjectUse> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new ObjectUse(
                        rs.getString(1), rs.getString(2), ObjectId.parse(rs.getString(3)), rs.getString(4)));
            }
        }
    }

    /** Every precomputed encoding. */
    public List<EncodedVariant> encodings() {
        return catalog.read(c -> {
            try (PreparedStatement ps =
                            c.prepareStatement("SELECT object_id, encoding, encoded_id, size FROM asset_encodings"
                                    + " ORDER BY object_id, encoding");
                    ResultSet rs = ps.executeQuery()) {
                List<EncodedVariant> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new EncodedVariant(
                            ObjectId.parse(rs.getString(1)),
                            rs.getString(2),
                            ObjectId.parse(rs.getString(3)),
                            rs.getLong(4)));
                }
                return out;
            }
        });
    }

    /** Forgets the encodings of {@code source} (its object is gone); returns how many there were. */
    public int deleteEncodingsOf(ObjectId source) {
        return catalog.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM asset_encodings WHERE object_id = ?")) {
                ps.setString(1, source.hex());
                return ps.executeUpdate();
            }
        });
    }

    /** Keeps {@code id} (and what it references) from garbage collection; pinning twice is fine. */
    public void pin(ObjectId id, String note) {
        Objects.requireNonNull(id, "id");
        String n = note == null ? "" : (note.length() > 255 ? note.substring(0, 255) : note);
        catalog.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO gc_roots (object_id, note, created_at)"
                    + " VALUES (?, ?, ?) ON CONFLICT (object_id) DO NOTHING")) {
                ps.setString(1, id.hex());
                ps.setString(2, n);
                ps.setLong(3, System.currentTimeMillis());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Lets garbage collection have {@code id} again; returns whether it was pinned. */
    public boolean unpin(ObjectId id) {
        return catalog.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM gc_roots WHERE object_id = ?")) {
                ps.setString(1, id.hex());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** The pinned objects. */
    public List<GcRoot> roots() {
        return catalog.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT object_id, note, created_at FROM gc_roots ORDER BY created_at, object_id");
                    ResultSet rs = ps.executeQuery()) {
                List<GcRoot> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new GcRoot(
                            ObjectId.parse(rs.getString(1)), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))));
                }
                return out;
            }
        });
    }

    /**
     * Adds response bytes served per tenant to the running totals, in one transaction. Several
     * servers sharing the catalog each add what they counted, so the totals are the sum over all.
     */
    public void addBytesServed(Map<String, Long> bytesByTenant) {
        if (bytesByTenant.isEmpty()) {
            return;
        }
        bytesByTenant.forEach((tenant, bytes) -> {
            if (bytes < 0) {
                throw new IllegalArgumentException("bytes served must not be negative: " + tenant + "=" + bytes);
            }
        });
        long now = System.currentTimeMillis();
        catalog.write(c -> {
            // Upsert: SQLite (3.24+) and PostgreSQL (9.5+) share this syntax.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tenant_bytes_served (tenant, bytes, updated_at)"
                    + " VALUES (?, ?, ?) ON CONFLICT (tenant) DO UPDATE SET"
                    + " bytes = tenant_bytes_served.bytes + excluded.bytes, updated_at = excluded.updated_at")) {
                for (Map.Entry<String, Long> e : bytesByTenant.entrySet()) {
                    ps.setString(1, e.getKey());
                    ps.setLong(2, e.getValue());
                    ps.setLong(3, now);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** Response bytes served per tenant so far, by tenant name. */
    public Map<String, Long> bytesServed() {
        return catalog.read(c -> {
            try (PreparedStatement ps =
                            c.prepareStatement("SELECT tenant, bytes FROM tenant_bytes_served ORDER BY tenant");
                    ResultSet rs = ps.executeQuery()) {
                Map<String, Long> out = new LinkedHashMap<>();
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
                return out;
            }
        });
    }
}
