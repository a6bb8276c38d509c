package dev.lode.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Streaming SHA-256 with the JDK's {@link MessageDigest}, whose compression function HotSpot
 * replaces with the CPU's SHA instructions where they exist. Every method streams through a fixed
 * buffer, so files of any size hash in bounded memory.
 */
public final class Sha256 {
    /** Read buffer size: large enough to amortise system calls, small enough to stay in L2. */
    static final int BUFFER_SIZE = 1 << 20;

    private Sha256() {}

    /** A fresh SHA-256 digest. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /** The id of {@code bytes}. */
    public static ObjectId of(byte[] bytes) {
        return ObjectId.ofDigest(newDigest().digest(bytes));
    }

    /** The id of everything {@code in} yields; does not close it. */
    public static ObjectId of(InputStream in) throws IOException {
        MessageDigest md = newDigest();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            md.update(buf, 0, n);
        }
        return ObjectId.ofDigest(md.digest());
    }

    /** The id of a file's content, read through a direct buffer. */
    public static ObjectId ofFile(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest md = newDigest();
            ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_SIZE);
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
            return ObjectId.ofDigest(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file + ": " + e.getMessage(), e);
        }
    }
}
