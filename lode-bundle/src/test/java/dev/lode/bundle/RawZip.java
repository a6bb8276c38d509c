package dev.lode.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Builds zip bytes by hand for tests, including the malformed and hostile ones no library will
 * write: zip-slip names, symlink modes, duplicates, lying sizes, unknown methods.
 */
final class RawZip {
    /** One entry; {@code data} is written as-is (compressed or not, per {@code method}). */
    record Entry(String name, int method, byte[] data, long size, int crc, int mode, int flags) {
        static Entry stored(String name, byte[] content) {
            return new Entry(name, 0, content, content.length, RawZip.crc(content), 0100644, 0x0800);
        }

        Entry withName(String n) {
            return new Entry(n, method, data, size, crc, mode, flags);
        }

        Entry withSize(long s) {
            return new Entry(name, method, data, s, crc, mode, flags);
        }

        Entry withMode(int m) {
            return new Entry(name, method, data, size, crc, m, flags);
        }

        Entry withMethod(int m) {
            return new Entry(name, m, data, size, crc, mode, flags);
        }

        Entry withFlags(int f) {
            return new Entry(name, method, data, size, crc, mode, f);
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    RawZip add(Entry e) {
        entries.add(e);
        return this;
    }

    RawZip stored(String name, String content) {
        return add(Entry.stored(name, content.getBytes(StandardCharsets.UTF_8)));
    }

    static int crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return (int) c.getValue();
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> offsets = new ArrayList<>();
        for (Entry e : entries) {
            offsets.add((long) out.size());
            byte[] n = e.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = le(30 + n.length);
            h.putInt(0x04034b50)
                    .putShort((short) 20)
                    .putShort((short) e.flags())
                    .putShort((short) e.method());
            h.putShort((short) 0).putShort((short) 0x21).putInt(e.crc());
            h.putInt(e.data().length).putInt((int) e.size());
            h.putShort((short) n.length).putShort((short) 0).put(n);
            out.writeBytes(h.array());
            out.writeBytes(e.data());
        }
        long cdStart = out.size();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            byte[] n = e.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = le(46 + n.length);
            h.putInt(0x02014b50).putShort((short) (3 << 8 | 20)).putShort((short) 20);
            h.putShort((short) e.flags()).putShort((short) e.method());
            h.putShort((short) 0).putShort((short) 0x21).putInt(e.crc());
            h.putInt(e.data().length).putInt((int) e.size());
            h.putShort((short) n.length).putShort((short) 0).putShort((short) 0);
            h.putShort((short) 0).putShort((short) 0).putInt(e.mode() << 16);
            h.putInt((int) (long) offsets.get(i)).put(n);
            out.writeBytes(h.array());
        }
        long cdSize = out.size() - cdStart;
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
        end.putShort((short) entries.size()).putShort((short) entries.size());
        end.putInt((int) cdSize).putInt((int) cdStart).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
