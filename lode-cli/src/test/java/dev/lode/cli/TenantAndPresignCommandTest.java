package dev.lode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.catalog.Catalog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantAndPresignCommandTest {
    @TempDir
    Path data;

    record Out(int code, String stdout) {}

    private Out lode(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = Lode.run(args);
            return new Out(code, buf.toString(StandardCharsets.UTF_8).strip());
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void tenantCreatePrintsAKeyThatAuthenticatesAndRevokeEndsIt() {
        Out created = lode("tenant", "create", "acme", "--data", data.toString());
        assertThat(created.code()).isZero();
        assertThat(created.stdout()).startsWith("lode_");
        Out second = lode("tenant", "key", "acme", "--data", data.toString());
        assertThat(second.stdout()).startsWith("lode_").isNotEqualTo(created.stdout());
        try (Catalog c = Catalog.openSqlite(data.resolve("catalog.db"))) {
            assertThat(c.tenants().authenticate(created.stdout())).contains("acme");
        }
        assertThat(lode("tenant", "key", "acme", "--revoke", created.stdout(), "--data", data.toString())
                        .code())
                .isZero();
        try (Catalog c = Catalog.openSqlite(data.resolve("catalog.db"))) {
            assertThat(c.tenants().authenticate(created.stdout())).isEmpty();
            assertThat(c.tenants().authenticate(second.stdout())).contains("acme");
        }
        assertThat(lode("tenant", "create", "acme", "--data", data.toString()).code())
                .isEqualTo(1);
        assertThat(lode("tenant", "key", "nobody", "--data", data.toString()).code())
                .isEqualTo(1);
    }

    @Test
    void presignPrintsASignedUrlWithTheRequestedExpiry() {
        lode("tenant", "create", "acme", "--data", data.toString());
        long before = Instant.now().getEpochSecond();
        Out url = lode(
                "presign",
                "acme",
                "run-1/image/a.png",
                "--expires",
                "15m",
                "--base",
                "http://cdn.test:8080",
                "--data",
                data.toString());
        assertThat(url.code()).isZero();
        assertThat(url.stdout())
                .matches("http://cdn\\.test:8080/t/acme/run-1/image/a\\.png\\?expires=\\d+&sig=[0-9a-f]{64}");
        long exp = Long.parseLong(url.stdout().replaceAll(".*expires=(\\d+).*", "$1"));
        assertThat(exp - before).isBetween(899L, 901L);
        assertThat(lode("presign", "acme", "run-1/pictures/a.png", "--data", data.toString())
                        .code())
                .isEqualTo(1);
        assertThat(lode("presign", "ghost", "run-1/image/a.png", "--data", data.toString())
                        .code())
                .isEqualTo(1);
    }
}
