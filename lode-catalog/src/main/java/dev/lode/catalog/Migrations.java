package dev.lode.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies the numbered schema migrations {@code migrations/V001__name.sql, V002__...} found on the
 * class path next to this class, in order, each in one transaction together with its row in
 * {@code schema_version}. The list of files is {@code migrations/index.txt} (one file name a line),
 * because class-path folders cannot be listed portably.
 *
 * <p>A migration file is plain SQL; statements end with {@code ;} at the end of a line, and lines
 * starting with {@code --} are comments.
 */
final class Migrations {
    private static final String INDEX = "migrations/index.txt";

    private Migrations() {}

    /** The migrations known to this build, in order. */
    static List<Migration> available() {
        String index = resource(INDEX);
        List<Migration> out = new ArrayList<>();
        for (String line : index.split("\n")) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            if (!name.matches("V\\d{3}__[a-z0-9_]+\\.sql")) {
                throw new CatalogException("bad migration file name in " + INDEX + ": " + name);
            }
            int version = Integer.parseInt(name.substring(1, 4));
            if (version != out.size() + 1) {
                throw new CatalogException(
                        "migration " + name + " out of sequence, expected V" + String.format("%03d", out.size() + 1));
            }
            out.add(new Migration(version, name, statements(resource("migrations/" + name))));
        }
        return out;
    }

    /** An arbitrary constant naming lode's migration lock among PostgreSQL advisory locks. */
    private static final long PG_MIGRATION_LOCK = 0x6c6f_6465_6d69_67L;

    /**
     * Brings the schema to the newest version; returns the version reached. On PostgreSQL a
     * session advisory lock keeps two servers starting together from applying the same migration.
     */
    static int migrate(Connection c) throws SQLException {
        boolean postgres = c.getMetaData()
                .getDatabaseProductName()
                .toLowerCase(java.util.Locale.ROOT)
                .contains("postgres");
        if (!postgres) {
            return migrateLocked(c);
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + PG_MIGRATION_LOCK + ")");
            try {
                return migrateLocked(c);
            } finally {
                st.execute("SELECT pg_advisory_unlock(" + PG_MIGRATION_LOCK + ")");
            }
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static int migrateLocked(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                    + "version INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at BIGINT NOT NULL)");
        }
        int current = currentVersion(c);
        List<Migration> all = available();
        if (current > all.size()) {
            throw new CatalogException("catalog schema version " + current + " is newer than this build knows ("
                    + all.size() + "); upgrade lode");
        }
        for (Migration m : all.subList(current, all.size())) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (String sql : m.statements()) {
                    st.execute(sql);
                }
                try (PreparedStatement ps =
                        c.prepareStatement("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)")) {
                    ps.setInt(1, m.version());
                    ps.setString(2, m.name());
                    ps.setLong(3, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw new CatalogException(
                        "migration " + m.name() + " failed, schema left at version " + currentVersion(c) + ": "
                                + e.getMessage(),
                        e);
            } finally {
                c.setAutoCommit(auto);
            }
        }
        return currentVersion(c);
    }

    static int currentVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : script.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("--")) {
                continue;
            }
            cur.append(line).append('\n');
            if (t.endsWith(";")) {
                String s = cur.toString().strip();
                out.add(s.substring(0, s.length() - 1));
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) {
            throw new CatalogException(
                    "migration script ends without ';': " + cur.toString().strip());
        }
        return out;
    }

    private static String resource(String name) {
        try (InputStream in = Migrations.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new CatalogException("missing catalog resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CatalogException("cannot read catalog resource " + name + ": " + e.getMessage(), e);
        }
    }

    record Migration(int version, String name, List<String> statements) {}
}
