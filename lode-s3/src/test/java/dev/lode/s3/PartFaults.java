package dev.lode.s3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Breaks chosen multipart parts in flight. {@link #fail} makes the request body of an {@code
 * UploadPart} error after 64 KiB, as a dropped connection would: the server sees a truncated
 * request, the client an I/O failure. {@link #corrupt} flips one bit of the body, keeping its
 * length, as a faulty link or disk would.
 */
final class PartFaults implements ExecutionInterceptor {
    private final Map<Integer, AtomicInteger> failing = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> corrupting = new ConcurrentHashMap<>();
    private final AtomicInteger injected = new AtomicInteger();

    /** Fails part {@code partNumber} the next {@code times} attempts. */
    PartFaults fail(int partNumber, int times) {
        failing.put(partNumber, new AtomicInteger(times));
        return this;
    }

    /** Flips one bit of part {@code partNumber} the next {@code times} attempts. */
    PartFaults corrupt(int partNumber, int times) {
        corrupting.put(partNumber, new AtomicInteger(times));
        return this;
    }

    int injected() {
        return injected.get();
    }

    @Override
    public Optional<AsyncRequestBody> modifyAsyncHttpContent(
            Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        if (!(context.request() instanceof UploadPartRequest part)
                || context.asyncRequestBody().isEmpty()) {
            return context.asyncRequestBody();
        }
        AsyncRequestBody body = context.asyncRequestBody().get();
        if (take(failing, part.partNumber())) {
            injected.incrementAndGet();
            return Optional.of(new Faulty(body, 64 * 1024, false));
        }
        if (take(corrupting, part.partNumber())) {
            injected.incrementAndGet();
            return Optional.of(new Faulty(body, 1000, true));
        }
        return context.asyncRequestBody();
    }

    private static boolean take(Map<Integer, AtomicInteger> faults, int partNumber) {
        AtomicInteger left = faults.get(partNumber);
        return left != null && left.getAndDecrement() > 0;
    }

    /** Passes the body through until byte {@code at}; then errors, or flips that byte and goes on. */
    private record Faulty(AsyncRequestBody original, long at, boolean flip) implements AsyncRequestBody {
        @Override
        public Optional<Long> contentLength() {
            return original.contentLength();
        }

        @Override
        public String contentType() {
            return original.contentType();
        }

        @Override
        public void subscribe(Subscriber<? super ByteBuffer> downstream) {
            original.subscribe(new Subscriber<ByteBuffer>() {
                private Subscription upstream;
                private long position;
                private boolean done;

                @Override
                public void onSubscribe(Subscription s) {
                    upstream = s;
                    downstream.onSubscribe(s);
                }

                @Override
                public void onNext(ByteBuffer buffer) {
                    if (done) {
                        return;
                    }
                    int n = buffer.remaining();
                    if (position <= at && at < position + n) {
                        if (!flip) {
                            done = true;
                            upstream.cancel();
                            downstream.onError(new IOException("injected fault: connection dropped"));
                            return;
                        }
                        ByteBuffer copy = ByteBuffer.allocate(n);
                        copy.put(buffer.duplicate()).flip();
                        int i = (int) (at - position);
                        copy.put(i, (byte) (copy.get(i) ^ 1));
                        buffer = copy;
                    }
                    position += n;
                    downstream.onNext(buffer);
                }

                @Override
                public void onError(Throwable t) {
                    if (!done) {
                        done = true;
                        downstream.onError(t);
                    }
                }

                @Override
                public void onComplete() {
                    if (!done) {
                        done = true;
                        downstream.onComplete();
                    }
                }
            });
        }
    }
}
