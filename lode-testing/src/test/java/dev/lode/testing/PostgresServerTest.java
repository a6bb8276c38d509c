package dev.lode.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresServerTest {
    @Test
    void serverAcceptsJdbcConnectionsOnLoopbackAndRunsQueries() throws SQLException {
        PostgresServer pg = PostgresServer.shared();
        String url = pg.createDatabase("fixture_test");
        assertThat(url).startsWith("jdbc:postgresql://127.0.0.1:" + pg.port() + "/fixture_test");

        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE asset (name TEXT PRIMARY KEY, size BIGINT NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO asset VALUES (?, ?)")) {
                for (int i = 0; i < 100; i++) {
                    ps.setString(1, "acme/run-1/texture/t" + i + ".ktx2");
                    ps.setLong(2, i * 1000L);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*), sum(size), version() FROM asset")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(100);
                assertThat(rs.getLong(2)).isEqualTo(4_950_000L);
                assertThat(rs.getString(3)).startsWith("PostgreSQL");
            }
        }
    }

    @Test
    void oneServerPerJvmAndFreshDatabasesOnRequest() throws SQLException {
        assertThat(PostgresServer.shared()).isSameAs(PostgresServer.shared());
        PostgresServer pg = PostgresServer.shared();
        String url = pg.createDatabase("fixture_fresh");
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().execute("CREATE TABLE t (x INT)");
        }
        pg.createDatabase("fixture_fresh");
        try (Connection c = DriverManager.getConnection(url);
                ResultSet rs =
                        c.createStatement().executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 't'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void unsafeDatabaseNamesAreRejected() {
        assertThatThrownBy(() -> PostgresServer.shared().createDatabase("x; DROP DATABASE postgres"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void serverListensOnlyOnLoopback() throws SQLException {
        try (Connection c = PostgresServer.shared().connect("postgres");
                ResultSet rs = c.createStatement().executeQuery("SHOW listen_addresses")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("127.0.0.1");
        }
    }
}
