package dev.lode.core;

import java.nio.file.Path;

/**
 * Checks relative, {@code /}-separated paths that come from untrusted input (manifests, zip
 * entries, URLs) before they touch a file system.
 */
public final class SafePaths {
    /** Longest accepted relative path, in characters. */
    public static final int MAX_LENGTH = 4096;

    private SafePaths() {}

    /**
     * Returns {@code path} if it is a clean relative path; otherwise throws {@link UnsafePathException}.
     * Rejected: empty, absolute ({@code /x}, {@code C:x}), backslashes, NUL and control characters,
     * empty, {@code .} or {@code ..} segments, a trailing {@code /}.
     */
    public static String checkRelative(String path) {
        if (path == null || path.isEmpty()) {
            throw new UnsafePathException(String.valueOf(path), "empty path");
        }
        if (path.length() > MAX_LENGTH) {
            throw new UnsafePathException(path.substring(0, 80) + "...", "path longer than " + MAX_LENGTH);
        }
        if (path.startsWith("/")) {
            throw new UnsafePathException(path, "absolute path");
        }
        if (path.length() >= 2 && path.charAt(1) == ':' && Character.isLetter(path.charAt(0))) {
            throw new UnsafePathException(path, "drive-letter path");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\') {
                throw new UnsafePathException(path, "backslash in path");
            }
            if (c < 0x20 || c == 0x7F) {
                throw new UnsafePathException(path, "control character in path");
            }
        }
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty()) {
                throw new UnsafePathException(path, "empty path segment");
            }
            if (seg.equals(".") || seg.equals("..")) {
                throw new UnsafePathException(path, "'" + seg + "' segment");
            }
        }
        return path;
    }

    /** Resolves a checked relative path under {@code root}, proving it stays inside. */
    public static Path resolveUnder(Path root, String relative) {
        checkRelative(relative);
        Path base = root.toAbsolutePath().normalize();
        Path p = base.resolve(relative).normalize();
        if (!p.startsWith(base) || p.equals(base)) {
            throw new UnsafePathException(relative, "escapes " + root);
        }
        return p;
    }

    /** A path refused by {@link SafePaths}. */
    public static final class UnsafePathException extends LodeException {
        private final String path;

        public UnsafePathException(String path, String reason) {
            super("unsafe path '" + path + "': " + reason);
            this.path = path;
        }

        public String path() {
            return path;
        }
    }
}
