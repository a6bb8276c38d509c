package dev.lode.catalog;

import dev.lode.core.ObjectId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code tenant_assets} table and its tags ({@code tenant_asset_tags}). Tags are free-form
 * labels, like a manifest entry's: 1-64 of letters, digits, {@code . _ : -}, starting with a letter
 * or digit. They belong to the asset's path: replacing the asset at a path keeps them, deleting it
 * removes them. Lookups by tag stay within one tenant and use the index on {@code (tenant, tag)}.
 */
public final class TenantAssetCatalog {
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final int MAX_TAGS = 64;

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

    /** Stores or replaces the artifact at {@code a.key()}; its tags stay as they were. */
    public void put(TenantAsset a) {
        catalog.write(c -> {
            upsert(c, a);
            return null;
        });
    }

    /**
     * Stores or replaces the artifact at {@code a.key()} and replaces its tags with {@code tags}, in
     * one transaction.
     *
     * @throws IllegalArgumentException for a malformed tag or more than 64 tags (nothing is stored)
     */
    public void put(TenantAsset a, Set<String> tags) {
        Set<String> sorted = checkTags(tags);
        catalog.write(c -> {
            upsert(c, a);
            replaceTags(c, a.key(), sorted);
            return null;
        });
    }

    private static void upsert(Connection c, TenantAsset a) throws SQLException {
        try (PreparedStatement del = c.prepareStatement(
                "DELETE FROM tenant_assets" + " WHERE tenant = ? AND run = ? AND artifact_type = ? AND filename = ?")) {
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

    /** Removes the artifact at {@code key} and its tags; returns whether it existed. */
    public boolean delete(TenantAssetKey key) {
        return catalog.write(c -> {
            try (PreparedStatement tags = c.prepareStatement("DELETE FROM tenant_asset_tags"
                    + " WHERE tenant = ? AND run = ? AND artifact_type = ? AND filename = ?")) {
                bind(tags, key);
                tags.executeUpdate();
            }
            try (PreparedStatement del = c.prepareStatement("DELETE FROM tenant_assets"
                    + " WHERE tenant = ? AND run = ? AND artifact_type = ? AND filename = ?")) {
                bind(del, key);
                return del.executeUpdate() == 1;
            }
        });
    }

    // ---------------------------------------------------------------- tags

    /**
     * Replaces the tags of the asset at {@code key} with {@code tags} (an empty set removes them all),
     * in one transaction.
     *
     * @throws UnknownAssetException when no asset is at {@code key}
     * @throws IllegalArgumentException for a malformed tag or more than 64 tags
     */
    public void setTags(TenantAssetKey key, Set<String> tags) {
        Objects.requireNonNull(key, "key");
        Set<String> sorted = checkTags(tags);
        catalog.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM tenant_assets"
                    + " WHERE tenant = ? AND run = ? AND artifact_type = ? AND filename = ?")) {
                bind(ps, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new UnknownAssetException("no asset at " + key.path() + " to tag");
                    }
                }
            }
            replaceTags(c, key, sorted);
            return null;
        });
    }

    private static void replaceTags(Connection c, TenantAssetKey key, Set<String> sorted) throws SQLException {
        try (PreparedStatement del = c.prepareStatement("DELETE FROM tenant_asset_tags"
                + " WHERE tenant = ? AND run = ? AND artifact_type = ? AND filename = ?")) {
            bind(del, key);
            del.executeUpdate();
        }
        if (sorted.isEmpty()) {
            return;
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO tenant_asset_tags"
                + " (tenant, run, artifact_type, filename, tag) VALUES (?, ?, ?, ?, ?)")) {
            for (String tag : sorted) {
                bind(ins, key);
                ins.setString(5, tag);
                ins.addBatch();
            }
            ins.executeBatch();
        }
    }

    /** The tags of the asset at {@code key}, sorted; empty when it has none or does not exist. */
    public Set<String> tags(TenantAssetKey key) {
        Objects.requireNonNull(key, "key");
        return catalog.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT tag FROM tenant_asset_tags"
                    + " WHERE tenant = ? AND run = ? AND artifact_type = ? AND filename = ? ORDER BY tag")) {
                bind(ps, key);
                TreeSet<String> out = new TreeSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return java.util.Collections.unmodifiableSet(out);
            }
        });
    }

    /**
     * Up to {@code limit} of {@code tenant}'s assets tagged {@code tag}, ordered by path (run, type,
     * file name), starting after {@code after} when it is given (for paging). Uses the index on
     * {@code (tenant, tag, run, artifact_type, filename)}, so a page costs the same whatever the
     * number of assets with that tag.
     */
    public List<TenantAsset> findByTag(String tenant, String tag, TenantAssetKey after, int limit) {
        Tenant.checkName(tenant);
        checkTag(tag);
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be 1..10000, got " + limit);
        }
        if (after != null && !after.tenant().equals(tenant)) {
            throw new IllegalArgumentException("paging key " + after.path() + " is not in tenant " + tenant);
        }
        String sql = "SELECT a.run, a.artifact_type, a.filename, a.object_id, a.size, a.media_type, a.is_public,"
                + " a.created_at FROM tenant_asset_tags t JOIN tenant_assets a ON a.tenant = t.tenant"
                + " AND a.run = t.run AND a.artifact_type = t.artifact_type AND a.filename = t.filename"
                + " WHERE t.tenant = ? AND t.tag = ?"
                + (after == null
                        ? ""
                        : " AND (t.run > ? OR (t.run = ? AND (t.artifact_type > ?"
                                + " OR (t.artifact_type = ? AND t.filename > ?))))")
                + " ORDER BY t.run, t.artifact_type, t.filename LIMIT ?";
        return catalog.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, tenant);
                ps.setString(i++, tag);
                if (after != null) {
                    ps.setString(i++, after.run());
                    ps.setString(i++, after.run());
                    ps.setString(i++, after.type().token());
                    ps.setString(i++, after.type().token());
                    ps.setString(i++, after.filename());
                }
                ps.setInt(i, limit);
                List<TenantAsset> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        TenantAssetKey k = new TenantAssetKey(
                                tenant,
                                rs.getString(1),
                                ArtifactType.ofToken(rs.getString(2)).orElseThrow(),
                                rs.getString(3));
                        out.add(new TenantAsset(
                                k,
                                ObjectId.parse(rs.getString(4)),
                                rs.getLong(5),
                                rs.getString(6),
                                rs.getInt(7) != 0,
                                Instant.ofEpochMilli(rs.getLong(8))));
                    }
                }
                return out;
            }
        });
    }

    private static Set<String> checkTags(Set<String> tags) {
        Objects.requireNonNull(tags, "tags");
        if (tags.size() > MAX_TAGS) {
            throw new IllegalArgumentException("at most " + MAX_TAGS + " tags per asset, got " + tags.size());
        }
        Set<String> sorted = new TreeSet<>();
        for (String t : tags) {
            checkTag(t);
            sorted.add(t);
        }
        return sorted;
    }

    /** Whether {@code tag} is a well-formed tag. */
    public static boolean isValidTag(String tag) {
        return tag != null && TAG.matcher(tag).matches();
    }

    private static void checkTag(String tag) {
        if (!isValidTag(tag)) {
            throw new IllegalArgumentException("bad tag '" + tag
                    + "': 1-64 of letters, digits, '.', '_', ':', '-', starting with a letter or digit");
        }
    }

    /** Tagging an asset that does not exist. */
    public static final class UnknownAssetException extends CatalogException {
        public UnknownAssetException(String message) {
            super(message);
        }
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
