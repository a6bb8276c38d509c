package dev.lode.catalog;

import dev.lode.core.ObjectId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code tenant_assets} table. */
public final class TenantAssetCatalog {
    private final Catalog catalog;

    TenantAssetCatalog(Catalog catalog) {
        this.catalog = catalog;
    }

    /** The artifact at {@code key}. */
    public Optional<TenantAsset> find(TenantAssetKey key) {
        return catalog.read(c -> find(c, key));
    }

    private static Optional<TenantAsset> find(Connection c, TenantAssetKey key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT object_id, size, media_type, is_public, created_at"
                + " FROM tenant_assets WHERE tenant = ? AND run = ? AND artifact_type = ? AND filename = ?")) {
            bind(ps, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new TenantAsset(
                        key,
                        ObjectId.parse(rs.getString(1)),
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getInt(4) != 0,
                        Instant.ofEpochMilli(rs.getLong(5))));
            }
        }
    }

    /** Stores or replaces the artifact at {@code a.key()}. */
    public void put(TenantAsset a) {
        catalog.write(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM tenant_assets"
                    + " WHERE tenant = ? AND run = ? AND artifact_type = ? AND filename = ?")) {
                bind(del, a.key());
                del.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO tenant_assets (tenant, run, artifact_type,"
                            + " filename, object_id, size, media_type, is_public, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bind(ps, a.key());
                ps.setString(5, a.objectId().hex());
                ps.setLong(6, a.size());
                ps.setString(7, a.mediaType());
                ps.setInt(8, a.isPublic() ? 1 : 0);
                ps.setLong(9, a.createdAt().toEpochMilli());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Whether this tenant already holds an artifact with these bytes (anywhere). */
    public boolean tenantHoldsObject(String tenant, ObjectId id) {
        return catalog.read(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT 1 FROM tenant_assets WHERE tenant = ? AND object_id = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, id.hex());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** Removes the artifact at {@code key}; returns whether it existed. */
    public boolean delete(TenantAssetKey key) {
        return catalog.write(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM tenant_assets"
                    + " WHERE tenant = ? AND run = ? AND artifact_type = ? AND filename = ?")) {
                bind(del, key);
                return del.executeUpdate() == 1;
            }
        });
    }

    /**
     * Usage of every tenant, by name: artifacts, bytes before and after dedup, distinct objects and
     * bytes served. A tenant with nothing stored has a row of zeros.
     */
    public List<TenantUsage> usage() {
        return catalog.read(c -> {
            String sql = "SELECT t.name, COALESCE(a.n, 0), COALESCE(a.logical, 0), COALESCE(d.stored, 0),"
                    + " COALESCE(d.objects, 0), COALESCE(s.bytes, 0) FROM tenants t"
                    + " LEFT JOIN (SELECT tenant, COUNT(*) AS n, SUM(size) AS logical FROM tenant_assets"
                    + "   GROUP BY tenant) a ON a.tenant = t.name"
                    + " LEFT JOIN (SELECT tenant, COUNT(*) AS objects, SUM(size) AS stored FROM"
                    + "   (SELECT DISTINCT tenant, object_id, size FROM tenant_assets) u GROUP BY tenant) d"
                    + "   ON d.tenant = t.name"
                    + " LEFT JOIN tenant_bytes_served s ON s.tenant = t.name ORDER BY t.name";
            try (PreparedStatement ps = c.prepareStatement(sql);
                    ResultSet rs = ps.executeQuery()) {
                List<TenantUsage> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new TenantUsage(
                            rs.getString(1),
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getLong(5),
                            rs.getLong(6)));
                }
                return out;
            }
        });
    }

    private static void bind(PreparedStatement ps, TenantAssetKey k) throws SQLException {
        ps.setString(1, k.tenant());
        ps.setString(2, k.run());
        ps.setString(3, k.type().token());
        ps.setString(4, k.filename());
    }
}
