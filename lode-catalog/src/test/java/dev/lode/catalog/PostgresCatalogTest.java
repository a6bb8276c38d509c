package dev.lode.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The catalog on a real PostgreSQL server (started by {@link PostgresServer}): every behaviour test
 * of {@link CatalogTest} runs again here through {@link #open()}, with the same migrations; the
 * SQLite-specific ones are replaced by their PostgreSQL counterparts.
 */
class PostgresCatalogTest extends CatalogTest {
    private String url;

    @Override
    Catalog open() {
        url = PostgresServer.shared().createDatabase("catalog_test");
        return Catalog.builder().jdbcUrl(url).build();
    }

    @Override
    Catalog reopen() {
        return Catalog.builder().jdbcUrl(url).build();
    }

    @Override
    @Test
    void openingCreatesSchemaInWalModeAndReopeningKeepsVersion() throws Exception {
        try (Catalog c = open()) {
            assertThat(c.schemaVersion()).isEqualTo(Migrations.available().size());
        }
        try (Catalog c = reopen()) {
            assertThat(c.schemaVersion()).isEqualTo(Migrations.available().size());
        }
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM schema_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(Migrations.available().size());
        }
    }

    @Override
    @Test
    void schemaNewerThanBuildIsRefused() throws Exception {
        open().close();
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 0)");
        }
        assertThatThrownBy(this::reopen)
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("newer than this build");
    }

    @Override
    @Test
    void tenantKeysAuthenticateUntilRevokedAndAreStoredHashed() throws Exception {
        String key;
        try (Catalog c = open()) {
            key = c.tenants().create("acme");
            assertThat(c.tenants().authenticate(key)).contains("acme");
            assertThatThrownBy(() -> c.tenants().create("acme"))
                    .isInstanceOf(TenantCatalog.TenantExistsException.class);
            assertThatThrownBy(() -> c.tenants().issueKey("nobody"))
                    .isInstanceOf(TenantCatalog.UnknownTenantException.class);
            // the failed insert rolled back cleanly: the connection is usable again
            assertThat(c.tenants().revokeKey("acme", key)).isTrue();
            assertThat(c.tenants().authenticate(key)).isEmpty();
        }
        try (Connection c = DriverManager.getConnection(url);
                ResultSet rs = c.createStatement().executeQuery("SELECT key_hash FROM tenant_keys")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isNotEqualTo(key).hasSize(64);
        }
    }

    @Test
    void serversStartingTogetherMigrateOnceAndSeeEachOthersWrites() throws Exception {
        url = PostgresServer.shared().createDatabase("catalog_shared");
        List<Catalog> opened = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(3)) {
            List<Future<Catalog>> futures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                futures.add(pool.submit((Callable<Catalog>) this::reopen));
            }
            for (Future<Catalog> f : futures) {
                opened.add(f.get());
            }
        }
        try {
            assertThat(opened)
                    .allSatisfy(c -> assertThat(c.schemaVersion())
                            .isEqualTo(Migrations.available().size()));
            opened.get(0).tenants().create("shared");
            opened.get(1).assets().put("logo", dev.lode.core.Sha256.of(new byte[] {1}), 1, "image/png");
            assertThat(opened.get(2).tenants().signingSecret("shared")).isPresent();
            assertThat(opened.get(2).assets().find("logo")).isPresent();
        } finally {
            opened.forEach(Catalog::close);
        }
        try (Connection c = DriverManager.getConnection(url);
                ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM schema_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(Migrations.available().size());
        }
    }

    @Test
    void unreachableServerFailsWithTheUrl() {
        String bad = "jdbc:postgresql://127.0.0.1:1/nothing?user=postgres&connectTimeout=2";
        assertThatThrownBy(() -> Catalog.builder().jdbcUrl(bad).build())
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("127.0.0.1:1");
    }
}
