package dev.lode.bundle;

/**
 * One checked entry of a zip's central directory.
 *
 * @param name the entry's relative path, {@code /}-separated, without a trailing {@code /}
 * @param directory whether the entry is a folder (no data)
 * @param method the compression method (0 stored, 8 deflate, 93 Zstandard)
 * @param crc the CRC-32 of the uncompressed bytes
 * @param compressedSize bytes of data in the zip
 * @param size declared uncompressed size
 * @param dataOffset where the entry's data starts in the zip
 */
record ZipEntryInfo(
        String name, boolean directory, int method, int crc, long compressedSize, long size, long dataOffset) {}
