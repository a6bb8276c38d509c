/**
 * lode's object store on any S3-compatible service (AWS S3, MinIO, Ceph, R2).
 *
 * <p>Entry point: {@link dev.lode.s3.S3Stores#open(S3Settings)}, then {@link
 * dev.lode.s3.S3Stores#forTenant(String)} for a {@link dev.lode.s3.S3ObjectStore} scoped to one
 * tenant's key prefix {@code [PREFIX/]TENANT/objects/SHA256}. {@link
 * dev.lode.s3.ReplicatedObjectStore} copies a primary store's writes to replicas through a durable
 * {@link dev.lode.s3.ReplicationQueue} kept in the catalog ({@link dev.lode.s3.CatalogReplicationQueue}).
 */
package dev.lode.s3;
