package dev.lode.catalog;

/**
 * A received part of a multipart upload.
 *
 * @param number 1-based part number
 * @param sha256 hex SHA-256 of the part's bytes
 * @param size bytes
 */
public record UploadPart(int number, String sha256, long size) {}
