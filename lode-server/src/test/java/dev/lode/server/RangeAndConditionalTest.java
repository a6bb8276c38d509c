package dev.lode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.core.ByteRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RangeAndConditionalTest {
    private static final String TAG = "\"abc\"";

    @Test
    void parsesSingleSuffixOpenAndMultipleRanges() {
        assertThat(RangeRequest.parse("bytes=0-9", 100))
                .isEqualTo(new RangeRequest.Parts(List.of(new ByteRange(0, 10))));
        assertThat(RangeRequest.parse("bytes=90-", 100))
                .isEqualTo(new RangeRequest.Parts(List.of(new ByteRange(90, 10))));
        assertThat(RangeRequest.parse("bytes=-5", 100))
                .isEqualTo(new RangeRequest.Parts(List.of(new ByteRange(95, 5))));
        assertThat(RangeRequest.parse("bytes=-500", 100))
                .isEqualTo(new RangeRequest.Parts(List.of(new ByteRange(0, 100))));
        assertThat(RangeRequest.parse("bytes=0-0, 50-199", 100))
                .isEqualTo(new RangeRequest.Parts(List.of(new ByteRange(0, 1), new ByteRange(50, 50))));
    }

    @Test
    void rangeBeyondEndIsUnsatisfiable() {
        assertThat(RangeRequest.parse("bytes=100-", 100)).isInstanceOf(RangeRequest.Unsatisfiable.class);
        assertThat(RangeRequest.parse("bytes=-0", 100)).isInstanceOf(RangeRequest.Unsatisfiable.class);
        assertThat(RangeRequest.parse("bytes=0-", 0)).isInstanceOf(RangeRequest.Unsatisfiable.class);
    }

    @Test
    void malformedOrForeignRangesAreIgnored() {
        for (String h :
                List.of("items=0-1", "bytes=5-2", "bytes=a-b", "bytes=1", "bytes=--1", "bytes=99999999999999999999-")) {
            assertThat(RangeRequest.parse(h, 100)).as(h).isInstanceOf(RangeRequest.Whole.class);
        }
        assertThat(RangeRequest.parse("bytes=" + "0-0,".repeat(70) + "0-0", 100))
                .isInstanceOf(RangeRequest.Whole.class);
    }

    /** Seeded random specs against a straightforward reference reading of RFC 9110. */
    @Test
    void randomRangesAgreeWithReference() {
        Random rnd = new Random(20261123L);
        for (int iter = 0; iter < 5000; iter++) {
            long size = rnd.nextInt(4) == 0 ? rnd.nextInt(3) : rnd.nextInt(5000);
            int n = 1 + rnd.nextInt(4);
            List<String> specs = new ArrayList<>();
            List<ByteRange> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int kind = rnd.nextInt(3);
                long a = rnd.nextInt(6000);
                long b = a + rnd.nextInt(3000);
                if (kind == 0) {
                    specs.add(a + "-" + b);
                    if (a < size) {
                        expected.add(new ByteRange(a, Math.min(b, size - 1) - a + 1));
                    }
                } else if (kind == 1) {
                    specs.add(a + "-");
                    if (a < size) {
                        expected.add(new ByteRange(a, size - a));
                    }
                } else {
                    long suffix = rnd.nextInt(6000);
                    specs.add("-" + suffix);
                    if (suffix > 0 && size > 0) {
                        long len = Math.min(suffix, size);
                        expected.add(new ByteRange(size - len, len));
                    }
                }
            }
            String header = "bytes=" + String.join(rnd.nextBoolean() ? "," : " , ", specs);
            RangeRequest got = RangeRequest.parse(header, size);
            if (expected.isEmpty()) {
                assertThat(got).as(header + " size " + size).isInstanceOf(RangeRequest.Unsatisfiable.class);
            } else {
                assertThat(got).as(header + " size " + size).isEqualTo(new RangeRequest.Parts(expected));
            }
        }
    }

    @Test
    void ifNoneMatchHandlesListsStarWeakAndBareTags() {
        assertThat(EntityTags.noneMatchHits("\"x\", \"abc\"", TAG)).isTrue();
        assertThat(EntityTags.noneMatchHits("W/\"abc\"", TAG)).isTrue();
        assertThat(EntityTags.noneMatchHits("*", TAG)).isTrue();
        assertThat(EntityTags.noneMatchHits("abc", TAG)).isTrue();
        assertThat(EntityTags.noneMatchHits("\"abcd\", W/\"ab\"", TAG)).isFalse();
        assertThat(EntityTags.noneMatchHits("\"unterminated", TAG)).isFalse();
    }

    @Test
    void ifRangeNeedsTheStrongCurrentTag() {
        assertThat(EntityTags.ifRangeHolds("\"abc\"", TAG)).isTrue();
        assertThat(EntityTags.ifRangeHolds("W/\"abc\"", TAG)).isFalse();
        assertThat(EntityTags.ifRangeHolds("\"old\"", TAG)).isFalse();
        assertThat(EntityTags.ifRangeHolds("Wed, 21 Oct 2015 07:28:00 GMT", TAG))
                .isFalse();
    }

    @Test
    void conditionalsFollowRfc9110Order() {
        assertThat(Conditionals.decide(true, null, TAG, "bytes=0-1", null, TAG, 10))
                .isInstanceOf(Conditionals.Outcome.NotModified.class);
        assertThat(Conditionals.decide(true, "\"other\"", null, null, null, TAG, 10))
                .isInstanceOf(Conditionals.Outcome.PreconditionFailed.class);
        assertThat(Conditionals.decide(true, null, "\"other\"", "bytes=0-1", null, TAG, 10))
                .isEqualTo(new Conditionals.Outcome.Partial(new ByteRange(0, 2)));
        assertThat(Conditionals.decide(true, null, null, "bytes=0-1", "\"old\"", TAG, 10))
                .isInstanceOf(Conditionals.Outcome.Full.class);
        assertThat(Conditionals.decide(true, null, null, "bytes=0-1,4-5", TAG, TAG, 10))
                .isInstanceOf(Conditionals.Outcome.Multi.class);
        assertThat(Conditionals.decide(true, null, null, "bytes=10-", null, TAG, 10))
                .isInstanceOf(Conditionals.Outcome.Unsatisfiable.class);
    }

    @Test
    void acceptEncodingHonoursQualityAndStar() {
        assertThat(Routes.accepts("gzip, deflate, br", "br")).isTrue();
        assertThat(Routes.accepts("gzip;q=0, br", "gzip")).isFalse();
        assertThat(Routes.accepts("*", "gzip")).isTrue();
        assertThat(Routes.accepts("identity", "gzip")).isFalse();
        assertThat(Routes.accepts("br;q=0.5, *;q=0", "gzip")).isFalse();
    }

    @Test
    void pathSegmentsRefuseTraversalInEveryEncoding() {
        assertThat(HttpHandler.segments("/assets/a%20b")).containsExactly("assets", "a b");
        for (String bad : List.of(
                "/assets/..",
                "/assets/%2e%2e",
                "/assets/%2E%2e",
                "/a\\b",
                "/a%5cb",
                "/a%2fb",
                "/a/.",
                "/a/%00",
                "/a/%zz")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpHandler.segments(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void presignedSignaturesVerifyOnlyUnchangedAndUnexpired() {
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes();
        java.time.Instant now = java.time.Instant.ofEpochSecond(1_000_000);
        String signed = Presigner.sign(secret, "GET", "/t/a/r/image/x.png", now.plusSeconds(60));
        String exp = signed.replaceAll(".*expires=(\\d+).*", "$1");
        String sig = signed.replaceAll(".*sig=([0-9a-f]+).*", "$1");
        assertThat(Presigner.verify(secret, "GET", "/t/a/r/image/x.png", exp, sig, now))
                .isTrue();
        assertThat(Presigner.verify(secret, "HEAD", "/t/a/r/image/x.png", exp, sig, now))
                .isTrue();
        assertThat(Presigner.verify(secret, "GET", "/t/a/r/image/y.png", exp, sig, now))
                .isFalse();
        assertThat(Presigner.verify(secret, "PUT", "/t/a/r/image/x.png", exp, sig, now))
                .isFalse();
        assertThat(Presigner.verify(
                        secret, "GET", "/t/a/r/image/x.png", String.valueOf(Long.parseLong(exp) + 1), sig, now))
                .isFalse();
        assertThat(Presigner.verify(secret, "GET", "/t/a/r/image/x.png", exp, sig, now.plusSeconds(61)))
                .isFalse();
        assertThat(Presigner.verify(
                        "other-secret-other-secret-000000".getBytes(), "GET", "/t/a/r/image/x.png", exp, sig, now))
                .isFalse();
    }
}
