package dev.lode.server;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.BrotliOutputStream;
import com.aayushatharva.brotli4j.encoder.Encoder;
import dev.lode.catalog.Catalog;
import dev.lode.catalog.EncodedVariant;
import dev.lode.core.ByteRange;
import dev.lode.core.MediaTypes;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;
import dev.lode.core.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes gzip and brotli forms of text objects once, when they are stored, and records them in
 * the catalog as {@link EncodedVariant}s; the server then picks one per request by
 * {@code Accept-Encoding}. Already-compressed formats (PNG, GLB, KTX2, MP4, ZIP...) are never
 * compressed, and a variant is kept only if it saves at least a tenth of the bytes.
 */
final class Precompressor {
    private static final Logger LOG = LoggerFactory.getLogger(Precompressor.class);
    private static final boolean BROTLI = loadBrotli();

    /**
     * Largest object precompressed. Compression runs inside the upload request; past this size the
     * wait (tens of seconds at brotli's slower levels) outweighs the rare large text asset's gain.
     */
    static final long MAX_SIZE = 256L << 20;

    private final Catalog catalog;
    private final Path tmp;

    Precompressor(Catalog catalog, Path tmp) {
        this.catalog = catalog;
        this.tmp = tmp;
    }

    private static boolean loadBrotli() {
        try {
            Brotli4jLoader.ensureAvailability();
            return true;
        } catch (Throwable t) {
            LoggerFactory.getLogger(Precompressor.class)
                    .warn("brotli unavailable ({}); precomputing gzip only", t.toString());
            return false;
        }
    }

    /** Whether brotli variants are produced on this machine. */
    static boolean brotliAvailable() {
        return BROTLI;
    }

    /** The encodings produced: {@code br} (if available) and {@code gzip}. */
    static List<String> encodings() {
        return BROTLI ? List.of("br", "gzip") : List.of("gzip");
    }

    /**
     * Precomputes the variants of {@code id} if its type is compressible, storing them beside it in
     * {@code store}; returns those kept.
     */
    List<EncodedVariant> precompute(ObjectStore store, ObjectId id, long size, String mediaType) {
        List<EncodedVariant> out = new ArrayList<>();
        if (size < 256 || size > MAX_SIZE || !MediaTypes.isCompressible(stripParams(mediaType))) {
            return out;
        }
        if (!catalog.assets().encodings(id).isEmpty()) {
            return catalog.assets().encodings(id);
        }
        for (String enc : encodings()) {
            EncodedVariant v = encode(store, id, size, enc);
            if (v != null) {
                catalog.assets().putEncoding(v);
                out.add(v);
            }
        }
        return out;
    }

    private EncodedVariant encode(ObjectStore store, ObjectId id, long size, String encoding) {
        Path temp = null;
        try {
            Files.createDirectories(tmp);
            temp = Files.createTempFile(tmp, "enc-", "." + encoding);
            try (InputStream in = store.openRange(id, ByteRange.whole(size));
                    OutputStream raw = Files.newOutputStream(temp);
                    OutputStream out = wrap(raw, encoding, size)) {
                in.transferTo(out);
            }
            long encSize = Files.size(temp);
            if (encSize > size - size / 10) {
                return null;
            }
            StoredObject so = store.putFile(temp);
            return new EncodedVariant(id, encoding, so.id(), so.size());
        } catch (IOException e) {
            LOG.warn("cannot precompute {} of object {}: {}", encoding, id, e.toString());
            return null;
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // best effort
                }
            }
        }
    }

    private static OutputStream wrap(OutputStream raw, String encoding, long size) throws IOException {
        return switch (encoding) {
            case "gzip" ->
                new GZIPOutputStream(raw, 64 * 1024) {
                    {
                        def.setLevel(Deflater.BEST_COMPRESSION);
                    }
                };
            case "br" -> {
                Encoder.Parameters p = new Encoder.Parameters().setQuality(size > (16 << 20) ? 5 : 11);
                yield new BrotliOutputStream(raw, p);
            }
            default -> throw new UncheckedIOException(new IOException("unknown encoding " + encoding));
        };
    }

    static String stripParams(String mediaType) {
        int semi = mediaType.indexOf(';');
        return (semi < 0 ? mediaType : mediaType.substring(0, semi)).strip();
    }
}
