package dev.lode.s3;

import dev.lode.catalog.Catalog;
import dev.lode.testing.PostgresServer;
import org.junit.jupiter.api.BeforeEach;

/** {@link ReplicationTest} with the queue in a catalog on a real PostgreSQL server. */
class PostgresReplicationTest extends ReplicationTest {
    private String url;

    @BeforeEach
    void createDatabase() {
        url = PostgresServer.shared().createDatabase("s3_replication_test");
    }

    @Override
    Catalog connectCatalog() {
        return Catalog.builder().jdbcUrl(url).build();
    }
}
