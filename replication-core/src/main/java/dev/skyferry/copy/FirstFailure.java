package dev.skyferry.copy;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The first failure among the threads working on one copy (part uploads, ranged reads): it is the
 * cause; what fails after it usually fails because of it, and is dropped.
 */
final class FirstFailure {

    private final AtomicReference<Throwable> first = new AtomicReference<>();

    /** Keeps {@code failure} unless one came first. */
    void record(Throwable failure) {
        first.compareAndSet(null, failure);
    }

    boolean happened() {
        return first.get() != null;
    }

    /**
     * Throws the first failure, if any: as it was when unchecked, else wrapped, saying {@code what}
     * failed.
     */
    void throwIfAny(String what) {
        switch (first.get()) {
            case null -> { }
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            case Throwable checked -> throw new IllegalStateException(what + " failed", checked);
        }
    }
}
