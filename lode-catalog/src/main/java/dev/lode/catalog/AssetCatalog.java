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

/** The {@code assets} table (logical id → object) and precomputed encodings of objects. */
public final class AssetCatalog {
    /** The owner {@link #publicObjectOwner} names for the server's own assets (no tenant's name is empty). */
    public static final String SERVER_OWNER = "";

    private final Catalog catalog;

    AssetCatalog(Catalog catalog) {
        this.catalog = catalog;
    }

    /** The asset named {@code id}, if any. */
    public Optional<AssetRecord> find(String id) {
        return catalog.read(c -> find(c, id));
    }

    private static Optional<AssetRecord> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, object_id, size, media_type, created_at, updated_at FROM assets WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new AssetRecord(
                        rs.getString(1),
                        ObjectId.parse(rs.getString(2)),
                        rs.getLong(3),
                        rs.getString(4),
                        Instant.ofEpochMilli(rs.getLong(5)),
                        Instant.ofEpochMilli(rs.getLong(6))));
            }
        }
    }

    /** Stores or replaces asset {@code id}; returns the new record. */
    public AssetRecord put(String id, ObjectId objectId, long size, String mediaType) {
        long now = System.currentTimeMillis();
        return catalog.write(c -> {
            Optional<AssetRecord> old = find(c, id);
            if (old.isPresent()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE assets SET object_id = ?, size = ?, media_type = ?, updated_at = ? WHERE id = ?")) {
                    ps.setString(1, objectId.hex());
                    ps.setLong(2, size);
                    ps.setString(3, mediaType);
                    ps.setLong(4, now);
                    ps.setString(5, id);
                    ps.executeUpdate();
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO assets "
                        + "(id, object_id, size, media_type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, id);
                    ps.setString(2, objectId.hex());
                    ps.setLong(3, size);
                    ps.setString(4, mediaType);
                    ps.setLong(5, now);
                    ps.setLong(6, now);
                    ps.executeUpdate();
                }
            }
            return find(c, id).orElseThrow(() -> new CatalogException("asset " + id + " vanished during put"));
        });
    }

    /** Removes asset {@code id}; returns the removed record. */
    public Optional<AssetRecord> delete(String id) {
        return catalog.write(c -> {
            Optional<AssetRecord> old = find(c, id);
            if (old.isPresent()) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM assets WHERE id = ?")) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
            }
            return old;
        });
    }

    /** Number of assets. */
    public long count() {
        return catalog.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM assets");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Records a compressed variant of {@code source} (replacing an older one of that encoding). */
    public void putEncoding(EncodedVariant v) {
        catalog.write(c -> {
            try (PreparedStatement del =
                    c.prepareStatement("DELETE FROM asset_encodings WHERE object_id = ? AND encoding = ?")) {
                del.setString(1, v.source().hex());
                del.setString(2, v.encoding());
                del.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO asset_encodings (object_id, encoding, encoded_id, size) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, v.source().hex());
                ps.setString(2, v.encoding());
                ps.setString(3, v.encodedId().hex());
                ps.setLong(4, v.size());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The precomputed encodings of {@code source}. */
    public List<EncodedVariant> encodings(ObjectId source) {
        return catalog.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT encoding, encoded_id, size FROM asset_encodings WHERE object_id = ? ORDER BY encoding")) {
                ps.setString(1, source.hex());
                try (ResultSet rs = ps.executeQuery()) {
                    List<EncodedVariant> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new EncodedVariant(
                                source, rs.getString(1), ObjectId.parse(rs.getString(2)), rs.getLong(3)));
                    }
                    return out;
                }
            }
        });
    }

    /**
     * Who owns {@code id} if it is the object, or a precomputed encoding, of a public asset: a
     * tenant's name, or {@link #SERVER_OWNER} for the server's own assets (which are all public).
     */
    public Optional<String> publicObjectOwner(ObjectId id) {
        return catalog.read(c -> {
            String sql = "SELECT '' FROM assets WHERE object_id = ?"
                    + " UNION ALL SELECT tenant FROM tenant_assets WHERE object_id = ? AND is_public = 1"
                    + " UNION ALL SELECT '' FROM asset_encodings e JOIN assets a ON a.object_id = e.object_id"
                    + " WHERE e.encoded_id = ?"
                    + " UNION ALL SELECT t.tenant FROM asset_encodings e JOIN tenant_assets t"
                    + " ON t.object_id = e.object_id WHERE e.encoded_id = ? AND t.is_public = 1";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 1; i <= 4; i++) {
                    ps.setString(i, id.hex());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }
}
