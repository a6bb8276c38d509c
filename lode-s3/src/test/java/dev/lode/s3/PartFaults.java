package dev.lode.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Breaks chosen multipart parts in flight: the request body of an {@code UploadPart} for a chosen
 * part number throws an I/O error after 64 KiB, the given number of times, as a dropped connection
 * would. The server sees a truncated request, the client an I/O failure.
 */
final class PartFaults implements ExecutionInterceptor {
    private final Map<Integer, AtomicInteger> remaining = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> corrupting = new ConcurrentHashMap<>();
    private final AtomicInteger injected = new AtomicInteger();

    /** Fails part {@code partNumber} the next {@code times} attempts. */
    PartFaults fail(int partNumber, int times) {
        remaining.put(partNumber, new AtomicInteger(times));
        return this;
    }

    /** Flips one byte of part {@code partNumber} in flight (same length) the next {@code times} attempts. */
    PartFaults corrupt(int partNumber, int times) {
        corrupting.put(partNumber, new AtomicInteger(times));
        return this;
    }

    int injected() {
        return injected.get();
    }

    @Override
    public Optional<RequestBody> modifyHttpContent(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        if (!(context.request() instanceof UploadPartRequest part)) {
            return context.requestBody();
        }
        if (context.requestBody().isEmpty()) {
            return context.requestBody();
        }
        RequestBody body = context.requestBody().get();
        ContentStreamProvider original = body.contentStreamProvider();
        ContentStreamProvider broken;
        if (take(remaining, part.partNumber())) {
            broken = () -> new Breaking(original.newStream(), 64 * 1024);
        } else if (take(corrupting, part.partNumber())) {
            broken = () -> new Flipping(original.newStream(), 1000);
        } else {
            return context.requestBody();
        }
        injected.incrementAndGet();
        return Optional.of(RequestBody.fromContentProvider(
                broken, body.optionalContentLength().orElseThrow(), body.contentType()));
    }

    private static boolean take(Map<Integer, AtomicInteger> faults, int partNumber) {
        AtomicInteger left = faults.get(partNumber);
        return left != null && left.getAndDecrement() > 0;
    }

    private static final class Flipping extends FilterInputStream {
        private long position;
        private final long at;

        Flipping(InputStream in, long at) {
            super(in);
            this.at = at;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && position++ == at) {
                b ^= 0x01;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && position <= at && at < position + n) {
                b[off + (int) (at - position)] ^= 0x01;
            }
            if (n > 0) {
                position += n;
            }
            return n;
        }
    }

    private static final class Breaking extends FilterInputStream {
        private long left;

        Breaking(InputStream in, long after) {
            super(in);
            this.left = after;
        }

        @Override
        public int read() throws IOException {
            if (left-- <= 0) {
                throw new IOException("injected fault: connection dropped");
            }
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                throw new IOException("injected fault: connection dropped");
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
