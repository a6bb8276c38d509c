-- lode catalog, schema 1. Portable SQL (SQLite and PostgreSQL): no AUTOINCREMENT, no engine types.
CREATE TABLE assets (
    id          VARCHAR(512) NOT NULL PRIMARY KEY,
    object_id   CHAR(64)     NOT NULL,
    size        BIGINT       NOT NULL,
    media_type  VARCHAR(255) NOT NULL,
    created_at  BIGINT       NOT NULL,
    updated_at  BIGINT       NOT NULL
);
CREATE INDEX idx_assets_object ON assets (object_id);

CREATE TABLE asset_encodings (
    object_id   CHAR(64)    NOT NULL,
    encoding    VARCHAR(16) NOT NULL,
    encoded_id  CHAR(64)    NOT NULL,
    size        BIGINT      NOT NULL,
    PRIMARY KEY (object_id, encoding)
);

CREATE TABLE tenants (
    name            VARCHAR(64)  NOT NULL PRIMARY KEY,
    signing_secret  VARCHAR(128) NOT NULL,
    created_at      BIGINT       NOT NULL
);

CREATE TABLE tenant_keys (
    key_hash    CHAR(64)    NOT NULL PRIMARY KEY,
    tenant      VARCHAR(64) NOT NULL REFERENCES tenants (name),
    key_prefix  VARCHAR(16) NOT NULL,
    created_at  BIGINT      NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX idx_tenant_keys_tenant ON tenant_keys (tenant);

CREATE TABLE tenant_assets (
    tenant         VARCHAR(64)  NOT NULL REFERENCES tenants (name),
    run            VARCHAR(255) NOT NULL,
    artifact_type  VARCHAR(32)  NOT NULL,
    filename       VARCHAR(255) NOT NULL,
    object_id      CHAR(64)     NOT NULL,
    size           BIGINT       NOT NULL,
    media_type     VARCHAR(255) NOT NULL,
    is_public      SMALLINT     NOT NULL,
    created_at     BIGINT       NOT NULL,
    PRIMARY KEY (tenant, run, artifact_type, filename)
);
CREATE INDEX idx_tenant_assets_object ON tenant_assets (object_id);

CREATE TABLE uploads (
    upload_id      VARCHAR(64)  NOT NULL PRIMARY KEY,
    tenant         VARCHAR(64)  NOT NULL REFERENCES tenants (name),
    run            VARCHAR(255) NOT NULL,
    artifact_type  VARCHAR(32)  NOT NULL,
    filename       VARCHAR(255) NOT NULL,
    is_public      SMALLINT     NOT NULL,
    state          VARCHAR(16)  NOT NULL,
    object_id      CHAR(64),
    size           BIGINT,
    deduplicated   SMALLINT,
    error          VARCHAR(1024),
    created_at     BIGINT       NOT NULL,
    updated_at     BIGINT       NOT NULL
);
CREATE INDEX idx_uploads_tenant ON uploads (tenant);

CREATE TABLE upload_parts (
    upload_id    VARCHAR(64) NOT NULL REFERENCES uploads (upload_id),
    part_number  INTEGER     NOT NULL,
    sha256       CHAR(64)    NOT NULL,
    size         BIGINT      NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);
