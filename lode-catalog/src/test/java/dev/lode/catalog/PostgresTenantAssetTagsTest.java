package dev.lode.catalog;

import dev.lode.testing.PostgresServer;

/** {@link TenantAssetTagsTest} on a real PostgreSQL server. */
class PostgresTenantAssetTagsTest extends TenantAssetTagsTest {
    @Override
    Catalog open() {
        return Catalog.builder()
                .jdbcUrl(PostgresServer.shared().createDatabase("tags_test"))
                .build();
    }
}
