package dev.lode.server;

import dev.lode.catalog.UploadPart;
import dev.lode.core.ByteRange;
import dev.lode.core.CorruptObjectException;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;
import dev.lode.core.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.List;

/**
 * The parts of a multipart upload read in order as one stream, each part's bytes checked against
 * its SHA-256 when it ends (a part damaged in the store fails the join, so nothing is stored). One
 * part's stream is open at a time, so joining 10,000 parts holds one connection or descriptor.
 */
final class PartsInputStream extends InputStream {
    private final ObjectStore store;
    private final List<UploadPart> parts;
    private int index = -1;
    private InputStream current;
    private MessageDigest digest;
    private ObjectId expected;

    PartsInputStream(ObjectStore store, List<UploadPart> parts) {
        this.store = store;
        this.parts = parts;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (current == null && !next()) {
                return -1;
            }
            int n = current.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                return n;
            }
            finishPart();
        }
    }

    private boolean next() {
        if (index + 1 >= parts.size()) {
            return false;
        }
        UploadPart p = parts.get(++index);
        expected = ObjectId.parse(p.sha256());
        digest = Sha256.newDigest();
        current = store.openRange(expected, ByteRange.whole(p.size()));
        return true;
    }

    private void finishPart() throws IOException {
        current.close();
        current = null;
        ObjectId actual = ObjectId.ofDigest(digest.digest());
        if (!actual.equals(expected)) {
            throw new CorruptObjectException("part " + parts.get(index).number() + " of the upload", expected, actual);
        }
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
