package dev.lode.bundle;

import java.nio.file.Path;

/**
 * What {@link SafeUnzipper#extract} produced.
 *
 * @param directory the folder now holding the zip's files
 * @param files regular files written
 * @param bytes total bytes written
 */
public record UnpackResult(Path directory, long files, long bytes) {}
