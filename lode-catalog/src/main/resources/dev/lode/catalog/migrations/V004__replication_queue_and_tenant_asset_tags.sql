-- lode catalog, schema 4. Portable SQL (SQLite and PostgreSQL).

-- The durable replication queue (seed 003 US9): one row per object still to copy to one replica.
-- Several lode servers on one PostgreSQL share it: a server claims a due row by setting
-- lease_owner / lease_until with an UPDATE conditioned on the lease having expired, so exactly one
-- claim succeeds; a server that dies leaves its lease to expire and another takes the row over.
-- scope names the queue (the replicated store, e.g. a tenant); enqueued_at orders it, oldest first.
CREATE TABLE replication_queue (
    scope        VARCHAR(128)  NOT NULL,
    object_id    CHAR(64)      NOT NULL,
    replica      VARCHAR(128)  NOT NULL,
    enqueued_at  BIGINT        NOT NULL,
    attempts     INTEGER       NOT NULL,
    not_before   BIGINT        NOT NULL,
    lease_owner  VARCHAR(64),
    lease_until  BIGINT        NOT NULL,
    last_error   VARCHAR(1024),
    PRIMARY KEY (scope, object_id, replica)
);
CREATE INDEX idx_replication_queue_due ON replication_queue (scope, not_before);

-- Free-form tags on tenant assets (like a manifest entry's tags), looked up per tenant by tag.
-- No foreign key to tenant_assets: replacing an asset (delete + insert of its row) keeps its tags;
-- deleting it removes them (TenantAssetCatalog.delete), and lookups join tenant_assets.
CREATE TABLE tenant_asset_tags (
    tenant         VARCHAR(64)  NOT NULL,
    run            VARCHAR(255) NOT NULL,
    artifact_type  VARCHAR(32)  NOT NULL,
    filename       VARCHAR(255) NOT NULL,
    tag            VARCHAR(64)  NOT NULL,
    PRIMARY KEY (tenant, run, artifact_type, filename, tag)
);
CREATE INDEX idx_tenant_asset_tags_tag ON tenant_asset_tags (tenant, tag, run, artifact_type, filename);
