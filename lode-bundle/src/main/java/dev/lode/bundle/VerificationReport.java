package dev.lode.bundle;

import java.util.List;

/**
 * The outcome of {@link BundleVerifier#verify}: every problem found, each one line naming the
 * file and the expected and actual values. Empty means the bundle is intact.
 *
 * @param manifest the parsed manifest, or null when it could not be read
 * @param signatureChecked whether a signature was checked (a key was given)
 * @param found what failed, in the order found
 */
public record VerificationReport(BundleManifest manifest, boolean signatureChecked, List<Problem> found) {
    public VerificationReport {
        found = List.copyOf(found);
    }

    /** The problems' one-line messages. */
    public List<String> problems() {
        return found.stream().map(Problem::message).toList();
    }

    /** Whether everything held. */
    public boolean ok() {
        return found.isEmpty();
    }

    /** Throws a {@link BundleException} listing the problems unless {@link #ok()}. */
    public VerificationReport orThrow() {
        if (!ok()) {
            throw new BundleException("bundle verification failed: " + String.join("; ", problems()));
        }
        return this;
    }
}
