package dev.lode.bundle;

/**
 * One thing {@link BundleVerifier} found wrong. The cases tell a caller what to do: a bad
 * signature or manifest means the source cannot be trusted; a bundle or file mismatch means the
 * download (or the disk) is damaged and the zip should be fetched again.
 */
public sealed interface Problem {
    /** One line naming the file and the expected and actual values. */
    String message();

    /** The manifest's signature is missing, unreadable or not made by the given key. */
    record BadSignature(String message) implements Problem {}

    /** The manifest cannot be parsed. */
    record BadManifest(String message) implements Problem {}

    /** The zip is missing, its size or hash differs from the manifest, or it is malformed. */
    record BadBundle(String message) implements Problem {}

    /**
     * One file: in the zip but not the manifest, in the manifest but not the zip, or with a size,
     * hash or compressed data that do not match.
     */
    record BadFile(String path, String message) implements Problem {}
}
