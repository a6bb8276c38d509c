package dev.lode.catalog;

import dev.lode.testing.PostgresServer;

/** {@link ReplicationCatalogTest} on a real PostgreSQL server, several catalogs on one database. */
class PostgresReplicationCatalogTest extends ReplicationCatalogTest {
    private String url;

    @Override
    Catalog open() {
        url = PostgresServer.shared().createDatabase("replication_test");
        return Catalog.builder().jdbcUrl(url).build();
    }

    @Override
    Catalog openAgain() {
        return Catalog.builder().jdbcUrl(url).build();
    }
}
