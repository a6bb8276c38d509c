package dev.lode.stream;

import dev.lode.core.FormatException;
import dev.lode.core.Manifest;
import dev.lode.core.ManifestEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Serialises a manifest into the binary catalog layout that {@link AssetCatalog} maps. All
 * integers little-endian.
 *
 * <pre>
 * header  (80 bytes)  "LODECAT1", int version, int count, long offsets of: records, id order,
 *                     strings, lists, tag index, type index; long file length; long path hash offset
 * records (104 bytes each, in UTF-8 path order)
 *         id[32] size:long rawSize:long path:int type:int version:int compression:byte pad[3]
 *         tags:int deps:int variants:int  x:float y:float z:float r:float flags:int memSize:long
 * idOrder int[count]: ordinals sorted by id, for binary search by id
 * strings int n, int offsets[n+1], UTF-8 bytes (deduplicated)
 * lists   int n, int[n]; a list at index i is [len, items...] (string refs or ordinals)
 * tags    int n, then n × (string ref, list ref of ordinals), sorted by tag bytes
 * types   same shape as tags, keyed by media type
 * paths   int slots (a power of two ≥ 2 × count), int[slots]: ordinal + 1 or 0, open addressing
 *         with linear probing on {@link #hash} of the path's UTF-8 bytes
 * </pre>
 */
final class CatalogWriter {
    static final byte[] MAGIC = "LODECAT1".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER = 80;
    static final int RECORD = 104;

    private final Map<String, Integer> stringIds = new HashMap<>();
    private final List<byte[]> strings = new ArrayList<>();
    private int[] lists = new int[1024];
    private int listsLen;

    private CatalogWriter() {}

    /** The whole catalog file for {@code manifest}, as bytes. */
    static ByteBuffer build(Manifest manifest) {
        return new CatalogWriter().write(manifest);
    }

    private ByteBuffer write(Manifest manifest) {
        List<ManifestEntry> entries = new ArrayList<>(manifest.entries());
        byte[][] pathBytes = new byte[entries.size()][];
        Integer[] order = new Integer[entries.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            pathBytes[i] = entries.get(i).path().getBytes(StandardCharsets.UTF_8);
        }
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(pathBytes[a], pathBytes[b]));
        List<ManifestEntry> sorted = new ArrayList<>(entries.size());
        for (Integer i : order) {
            sorted.add(entries.get(i));
        }
        int n = sorted.size();
        ByteBuffer records = le(ByteBuffer.allocate(Math.multiplyExact(n, RECORD)));
        TreeMap<String, List<Integer>> byTag = new TreeMap<>(CatalogWriter::compareUtf8);
        TreeMap<String, List<Integer>> byType = new TreeMap<>(CatalogWriter::compareUtf8);
        for (int ord = 0; ord < n; ord++) {
            ManifestEntry e = sorted.get(ord);
            Map<String, String> meta = e.meta();
            Compression compression;
            long rawSize;
            Bounds bounds;
            long memSize;
            try {
                compression = Compression.parse(meta.get("compression"));
                rawSize = meta.containsKey("rawSize") ? Long.parseLong(meta.get("rawSize")) : e.size();
                bounds = meta.containsKey("bounds") ? Bounds.parse(meta.get("bounds")) : null;
                memSize = meta.containsKey("memSize") ? Long.parseLong(meta.get("memSize")) : rawSize;
            } catch (NumberFormatException | FormatException ex) {
                throw new FormatException("bad stream meta on manifest entry " + e.path() + ": " + ex.getMessage(), ex);
            }
            if (rawSize < 0 || memSize < 0) {
                throw new FormatException("negative rawSize or memSize on manifest entry " + e.path());
            }
            records.put(e.sha256().toBytes());
            records.putLong(e.size());
            records.putLong(rawSize);
            records.putInt(str(e.path()));
            records.putInt(str(e.mediaType()));
            records.putInt(str(meta.getOrDefault("version", "")));
            records.put((byte) compression.ordinal());
            records.put(new byte[3]);
            records.putInt(stringList(e.tags()));
            records.putInt(stringList(e.dependencies()));
            records.putInt(stringList(e.variants()));
            records.putFloat(bounds == null ? 0 : (float) bounds.x());
            records.putFloat(bounds == null ? 0 : (float) bounds.y());
            records.putFloat(bounds == null ? 0 : (float) bounds.z());
            records.putFloat(bounds == null ? 0 : (float) bounds.radius());
            records.putInt(bounds == null ? 0 : 1);
            records.putLong(memSize);
            for (String tag : e.tags()) {
                byTag.computeIfAbsent(tag, k -> new ArrayList<>()).add(ord);
            }
            byType.computeIfAbsent(e.mediaType(), k -> new ArrayList<>()).add(ord);
        }
        Integer[] idOrder = new Integer[n];
        for (int i = 0; i < n; i++) {
            idOrder[i] = i;
        }
        byte[][] ids = new byte[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = sorted.get(i).sha256().toBytes();
        }
        Arrays.sort(idOrder, Comparator.comparing((Integer i) -> ids[i], Arrays::compareUnsigned));
        int[][] tagIndex = index(byTag);
        int[][] typeIndex = index(byType);

        long stringBytes = 0;
        for (byte[] s : strings) {
            stringBytes += s.length;
        }
        long recordsOff = HEADER;
        long idOrderOff = recordsOff + (long) n * RECORD;
        long stringsOff = idOrderOff + 4L * n;
        long listsOff = stringsOff + 4 + 4L * (strings.size() + 1) + stringBytes;
        long tagOff = listsOff + 4 + 4L * listsLen;
        long typeOff = tagOff + 4 + 8L * tagIndex.length;
        long hashOff = typeOff + 4 + 8L * typeIndex.length;
        int slots = Integer.highestOneBit(Math.max(2, n) * 2 - 1) << 1;
        int[] table = new int[slots];
        for (int ord = 0; ord < n; ord++) {
            int h = hash(pathBytes[order[ord]], 0, pathBytes[order[ord]].length) & (slots - 1);
            while (table[h] != 0) {
                h = (h + 1) & (slots - 1);
            }
            table[h] = ord + 1;
        }
        long total = hashOff + 4 + 4L * slots;
        if (total > Integer.MAX_VALUE) {
            throw new FormatException("catalog too large: " + total + " bytes (limit 2 GiB)");
        }
        ByteBuffer out = le(ByteBuffer.allocate((int) total));
        out.put(MAGIC).putInt(VERSION).putInt(n);
        out.putLong(recordsOff).putLong(idOrderOff).putLong(stringsOff).putLong(listsOff);
        out.putLong(tagOff).putLong(typeOff).putLong(total).putLong(hashOff);
        out.put(records.flip());
        for (Integer i : idOrder) {
            out.putInt(i);
        }
        out.putInt(strings.size());
        int off = 0;
        out.putInt(off);
        for (byte[] s : strings) {
            off += s.length;
            out.putInt(off);
        }
        for (byte[] s : strings) {
            out.put(s);
        }
        out.putInt(listsLen);
        for (int i = 0; i < listsLen; i++) {
            out.putInt(lists[i]);
        }
        putIndex(out, tagIndex);
        putIndex(out, typeIndex);
        out.putInt(slots);
        for (int v : table) {
            out.putInt(v);
        }
        if (out.position() != total) {
            throw new IllegalStateException("catalog layout error: wrote " + out.position() + " of " + total);
        }
        return out.flip();
    }

    private int[][] index(TreeMap<String, List<Integer>> map) {
        int[][] result = new int[map.size()][];
        int i = 0;
        for (Map.Entry<String, List<Integer>> e : map.entrySet()) {
            int ref = listsLen;
            appendList(e.getValue().stream().mapToInt(Integer::intValue).toArray());
            result[i++] = new int[] {str(e.getKey()), ref};
        }
        return result;
    }

    private static void putIndex(ByteBuffer out, int[][] index) {
        out.putInt(index.length);
        for (int[] pair : index) {
            out.putInt(pair[0]).putInt(pair[1]);
        }
    }

    private int stringList(List<String> values) {
        int[] refs = new int[values.size()];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = str(values.get(i));
        }
        int ref = listsLen;
        appendList(refs);
        return ref;
    }

    private void appendList(int[] items) {
        ensure(listsLen + items.length + 1);
        lists[listsLen++] = items.length;
        System.arraycopy(items, 0, lists, listsLen, items.length);
        listsLen += items.length;
    }

    private void ensure(int capacity) {
        if (capacity > lists.length) {
            lists = Arrays.copyOf(lists, Math.max(capacity, lists.length * 2));
        }
    }

    private int str(String s) {
        return stringIds.computeIfAbsent(s, k -> {
            strings.add(k.getBytes(StandardCharsets.UTF_8));
            return strings.size() - 1;
        });
    }

    /** FNV-1a over the bytes, then a murmur3 finaliser so low bits spread. */
    static int hash(byte[] b, int off, int len) {
        int h = 0x811c9dc5;
        for (int i = off; i < off + len; i++) {
            h = (h ^ (b[i] & 0xff)) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuffer le(ByteBuffer b) {
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }
}
