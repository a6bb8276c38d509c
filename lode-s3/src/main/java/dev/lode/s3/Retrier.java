package dev.lode.s3;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Runs S3 requests under a {@link RetryPolicy}. The SDK's own retries are switched off in {@link
 * S3Stores} so that every retry, including each multipart part's, follows one visible policy.
 */
final class Retrier {
    private static final Logger log = LoggerFactory.getLogger(Retrier.class);

    private final RetryPolicy policy;

    Retrier(RetryPolicy policy) {
        this.policy = policy;
    }

    RetryPolicy policy() {
        return policy;
    }

    /** Runs {@code request}, retrying transient failures; rethrows the last failure. */
    <T> T call(String what, Supplier<T> request) {
        int attempt = 1;
        while (true) {
            try {
                return request.get();
            } catch (SdkException e) {
                if (!isTransient(e) || attempt >= policy.maxAttempts()) {
                    throw e;
                }
                long delay = policy.delayBefore(attempt).toMillis();
                log.info(
                        "{} failed (attempt {} of {}), retrying in {} ms: {}",
                        what,
                        attempt,
                        policy.maxAttempts(),
                        delay,
                        e.getMessage());
                sleep(delay, what, e);
                attempt++;
            }
        }
    }

    /** Network failures, throttling and server errors are worth another try; client errors are not. */
    static boolean isTransient(SdkException e) {
        if (e instanceof S3Exception s3) {
            int status = s3.statusCode();
            String code =
                    s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            return status >= 500
                    || status == 429
                    || status == 408
                    || "RequestTimeout".equals(code)
                    || "SlowDown".equals(code);
        }
        if (e instanceof AbortedException) {
            return false; // interrupted on purpose
        }
        return e instanceof SdkClientException;
    }

    private static void sleep(long millis, String what, SdkException cause) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            cause.addSuppressed(ie);
            throw cause;
        }
    }
}
