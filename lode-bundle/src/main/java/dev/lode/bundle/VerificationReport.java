package dev.lode.bundle;

import java.util.List;

/**
 * The outcome of {@link BundleVerifier#verify}: every problem found, each one line naming the
 * file and the expected and actual values. Empty means the bundle is intact.
 *
 * @param manifest the parsed manifest, or null when it could not be read
 * @param signatureChecked whether a signature was checked (a key was given)
 * @param problems what failed, in the order found
 */
public record VerificationReport(BundleManifest manifest, boolean signatureChecked, List<String> problems) {
    public VerificationReport {
        problems = List.copyOf(problems);
    }

    /** Whether everything held. */
    public boolean ok() {
        return problems.isEmpty();
    }

    /** Throws a {@link BundleException} listing the problems unless {@link #ok()}. */
    public VerificationReport orThrow() {
        if (!ok()) {
            throw new BundleException("bundle verification failed: " + String.join("; ", problems));
        }
        return this;
    }
}
