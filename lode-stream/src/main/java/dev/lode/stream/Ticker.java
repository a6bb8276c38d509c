package dev.lode.stream;

/** A nanosecond clock, injectable so a simulation can run on virtual time. */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds from an arbitrary origin. */
    long nanos();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
