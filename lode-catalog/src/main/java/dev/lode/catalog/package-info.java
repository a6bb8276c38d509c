/**
 * The catalog: the queryable index over lode's objects (assets, tenants and their keys, tenant
 * assets and their tags, tenant uploads) and the durable replication queue that several lode
 * servers on one database share. {@link dev.lode.catalog.Catalog} opens a database, applies numbered schema migrations
 * and hands out the typed repositories; SQLite in WAL mode is the embedded default, and the SQL is
 * kept portable for PostgreSQL.
 */
package dev.lode.catalog;
