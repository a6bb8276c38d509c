package dev.lode.server;

import dev.lode.core.ByteRange;
import java.util.List;

/**
 * Decides what a GET or HEAD gets, from its conditional and range headers and the selected
 * representation's ETag and size, in RFC 9110 §13.2.2 order: If-Match, If-None-Match, then Range
 * (guarded by If-Range). Pure code, like OkHttp's {@code CacheStrategy}: the handler does the I/O.
 */
final class Conditionals {
    private Conditionals() {}

    /** What to send. */
    sealed interface Outcome {
        /** {@code 200} with the whole body. */
        record Full() implements Outcome {}

        /** {@code 206} with one range. */
        record Partial(ByteRange range) implements Outcome {}

        /** {@code 206 multipart/byteranges}. */
        record Multi(List<ByteRange> ranges) implements Outcome {}

        /** {@code 304}, no body. */
        record NotModified() implements Outcome {}

        /** {@code 412}. */
        record PreconditionFailed() implements Outcome {}

        /** {@code 416} with {@code Content-Range: bytes *}{@code /size}. */
        record Unsatisfiable() implements Outcome {}
    }

    static Outcome decide(
            boolean getOrHead,
            String ifMatch,
            String ifNoneMatch,
            String range,
            String ifRange,
            String etag,
            long size) {
        if (ifMatch != null && !EntityTags.matchHits(ifMatch, etag)) {
            return new Outcome.PreconditionFailed();
        }
        if (ifNoneMatch != null && EntityTags.noneMatchHits(ifNoneMatch, etag)) {
            return getOrHead ? new Outcome.NotModified() : new Outcome.PreconditionFailed();
        }
        if (range == null || !getOrHead) {
            return new Outcome.Full();
        }
        if (ifRange != null && !EntityTags.ifRangeHolds(ifRange, etag)) {
            return new Outcome.Full();
        }
        return switch (RangeRequest.parse(range, size)) {
            case RangeRequest.Whole w -> new Outcome.Full();
            case RangeRequest.Unsatisfiable u -> new Outcome.Unsatisfiable();
            case RangeRequest.Parts p ->
                p.ranges().size() == 1 ? new Outcome.Partial(p.ranges().get(0)) : new Outcome.Multi(p.ranges());
        };
    }
}
