-- lode catalog, schema 3: upload states pending/uploading, bytes served per tenant, GC roots.
--
-- Upload states: OPEN becomes PENDING (no bytes yet) or UPLOADING (a multipart upload with parts).
-- streamed_by names the server that streams a single PUT; a server that restarts fails the single
-- PUTs it was streaming, which died with it. Multipart uploads (streamed_by NULL) stay resumable.
ALTER TABLE uploads ADD COLUMN streamed_by VARCHAR(255);
UPDATE uploads SET state = 'UPLOADING'
    WHERE state = 'OPEN' AND upload_id IN (SELECT upload_id FROM upload_parts);
UPDATE uploads SET state = 'PENDING' WHERE state = 'OPEN';
CREATE INDEX idx_uploads_state ON uploads (state);

-- Response body bytes sent for a tenant's artifacts, summed over every server sharing the catalog
-- (each adds what it counted since its last flush).
CREATE TABLE tenant_bytes_served (
    tenant      VARCHAR(64) NOT NULL PRIMARY KEY,
    bytes       BIGINT      NOT NULL,
    updated_at  BIGINT      NOT NULL
);

-- Objects kept by garbage collection although no asset names them, with everything they reference
-- (a manifest keeps its entries): trees stored by `lode ingest`.
CREATE TABLE gc_roots (
    object_id   CHAR(64)     NOT NULL PRIMARY KEY,
    note        VARCHAR(255) NOT NULL,
    created_at  BIGINT       NOT NULL
);

-- Retention works per run: the newest artifact of a (tenant, run).
CREATE INDEX idx_tenant_assets_run_created ON tenant_assets (tenant, run, created_at);
