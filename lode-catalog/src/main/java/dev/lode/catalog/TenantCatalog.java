package dev.lode.catalog;

import dev.lode.core.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Tenants, their API keys and their presign secrets.
 *
 * <p>An API key is {@code lode_} plus 32 random bytes in base64url; the catalog keeps only its
 * SHA-256. A plain (unsalted, fast) hash is enough here because the keys are 256-bit random values,
 * not passwords: there is nothing to brute-force. Each tenant also has a random 256-bit signing
 * secret for presigned URLs, so a URL signed for one tenant never verifies for another.
 */
public final class TenantCatalog {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String KEY_PREFIX = "lode_";

    private final Catalog catalog;

    TenantCatalog(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Creates tenant {@code name} and returns its first API key (shown once, stored hashed). */
    public String create(String name) {
        Tenant.checkName(name);
        String key = newKey();
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        long now = System.currentTimeMillis();
        catalog.write(c -> {
            if (exists(c, name)) {
                throw new TenantExistsException(name);
            }
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO tenants (name, signing_secret, created_at) VALUES (?, ?, ?)")) {
                ps.setString(1, name);
                ps.setString(2, HexFormat.of().formatHex(secret));
                ps.setLong(3, now);
                ps.executeUpdate();
            }
            insertKey(c, name, key, now);
            return null;
        });
        return key;
    }

    /** Issues another API key for an existing tenant. */
    public String issueKey(String name) {
        String key = newKey();
        catalog.write(c -> {
            requireExists(c, name);
            insertKey(c, name, key, System.currentTimeMillis());
            return null;
        });
        return key;
    }

    /** Revokes {@code key} of tenant {@code name}; returns false if it was not a live key of that tenant. */
    public boolean revokeKey(String name, String key) {
        return catalog.write(c -> {
            requireExists(c, name);
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE tenant_keys SET revoked_at = ? WHERE key_hash = ? AND tenant = ? AND revoked_at IS NULL")) {
                ps.setLong(1, System.currentTimeMillis());
                ps.setString(2, hash(key));
                ps.setString(3, name);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** The tenant a live (unrevoked) key belongs to. */
    public Optional<String> authenticate(String key) {
        if (key == null || !key.startsWith(KEY_PREFIX) || key.length() > 128) {
            return Optional.empty();
        }
        return catalog.read(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT tenant FROM tenant_keys WHERE key_hash = ? AND revoked_at IS NULL")) {
                ps.setString(1, hash(key));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    /** The tenant's secret for presigned URLs. */
    public Optional<byte[]> signingSecret(String name) {
        return catalog.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT signing_secret FROM tenants WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(HexFormat.of().parseHex(rs.getString(1))) : Optional.<byte[]>empty();
                }
            }
        });
    }

    /** The tenant named {@code name}. */
    public Optional<Tenant> find(String name) {
        return catalog.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name, created_at FROM tenants WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new Tenant(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))))
                            : Optional.<Tenant>empty();
                }
            }
        });
    }

    /** Every tenant, by name. */
    public List<Tenant> list() {
        return catalog.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name, created_at FROM tenants ORDER BY name");
                    ResultSet rs = ps.executeQuery()) {
                List<Tenant> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Tenant(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))));
                }
                return out;
            }
        });
    }

    private static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM tenants WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void requireExists(Connection c, String name) throws SQLException {
        if (!exists(c, name)) {
            throw new UnknownTenantException(name);
        }
    }

    private static void insertKey(Connection c, String tenant, String key, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO tenant_keys (key_hash, tenant, key_prefix, created_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, hash(key));
            ps.setString(2, tenant);
            ps.setString(3, key.substring(0, 12));
            ps.setLong(4, now);
            ps.executeUpdate();
        }
    }

    private static String newKey() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String hash(String key) {
        return Sha256.of(key.getBytes(StandardCharsets.UTF_8)).hex();
    }

    /** Creating a tenant that already exists. */
    public static final class TenantExistsException extends CatalogException {
        public TenantExistsException(String name) {
            super("tenant '" + name + "' already exists");
        }
    }

    /** Naming a tenant that does not exist. */
    public static final class UnknownTenantException extends CatalogException {
        public UnknownTenantException(String name) {
            super("no tenant named '" + name + "'");
        }
    }
}
