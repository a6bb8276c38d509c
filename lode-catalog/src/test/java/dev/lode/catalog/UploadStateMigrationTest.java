package dev.lode.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema 3 turns the old {@code OPEN} state into {@code PENDING} or {@code UPLOADING}. */
class UploadStateMigrationTest {
    @TempDir
    Path dir;

    @Test
    void openUploadsBecomePendingOrUploadingByTheirParts() throws Exception {
        Path db = dir.resolve("c.db");
        String url = "jdbc:sqlite:" + db;
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE schema_version ("
                    + "version INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at BIGINT NOT NULL)");
            for (Migrations.Migration m : Migrations.available().subList(0, 2)) {
                for (String sql : m.statements()) {
                    st.execute(sql);
                }
                st.execute("INSERT INTO schema_version VALUES (" + m.version() + ", '" + m.name() + "', 0)");
            }
            st.execute("INSERT INTO tenants VALUES ('acme', 'secret', 0)");
            for (String id : new String[] {"up_a", "up_b", "up_c"}) {
                st.execute("INSERT INTO uploads (upload_id, tenant, run, artifact_type, filename, is_public, state,"
                        + " created_at, updated_at) VALUES ('" + id + "', 'acme', 'r', 'image', '" + id
                        + ".png', 0, '" + (id.equals("up_c") ? "COMPLETE" : "OPEN") + "', 0, 0)");
            }
            st.execute("INSERT INTO upload_parts VALUES ('up_b', 1, '" + "0".repeat(64) + "', 1)");
        }
        try (Catalog c = Catalog.openSqlite(db)) {
            assertThat(c.schemaVersion()).isGreaterThanOrEqualTo(3);
            assertThat(c.uploads().find("up_a").orElseThrow().state()).isEqualTo(UploadState.PENDING);
            assertThat(c.uploads().find("up_b").orElseThrow().state()).isEqualTo(UploadState.UPLOADING);
            assertThat(c.uploads().find("up_c").orElseThrow().state()).isEqualTo(UploadState.COMPLETE);
        }
    }
}
