package dev.skyferry.plan;

import dev.skyferry.store.StoreException;
import java.util.Locale;
import java.util.Set;

/** Readings of store failures that more than one stage needs. */
public final class StoreFailures {

    /** The services' codes for a missing bucket or container, as opposed to a missing object. */
    private static final Set<String> MISSING_CONTAINER_CODES = Set.of("NoSuchBucket", "ContainerNotFound");

    private StoreFailures() {}

    /** A 404 for the bucket or container itself: a configuration problem, never "the object is gone". */
    public static boolean isMissingContainer(StoreException e) {
        return e.kind() == StoreException.Kind.NOT_FOUND && e.errorCode() != null
                && MISSING_CONTAINER_CODES.contains(e.errorCode());
    }

    /** A stable, metrics-friendly code for a store failure kind, e.g. {@code bad-request}. */
    public static String reasonCode(StoreException e) {
        return e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
