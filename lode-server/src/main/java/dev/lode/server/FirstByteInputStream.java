package dev.lode.server;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Runs an action once, when the first byte arrives: a single PUT becomes {@code UPLOADING} when
 * its body starts, not when its headers do.
 */
final class FirstByteInputStream extends FilterInputStream {
    private Runnable onFirstByte;

    FirstByteInputStream(InputStream in, Runnable onFirstByte) {
        super(in);
        this.onFirstByte = onFirstByte;
    }

    private void arrived() {
        Runnable r = onFirstByte;
        if (r != null) {
            onFirstByte = null;
            r.run();
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            arrived();
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            arrived();
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(n);
        if (s > 0) {
            arrived();
        }
        return s;
    }
}
