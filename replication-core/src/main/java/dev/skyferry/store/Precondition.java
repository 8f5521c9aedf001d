package dev.skyferry.store;

/**
 * A condition a read or write must meet, sent to the store as If-Match / If-None-Match (or, for S3
 * reads of versioned buckets, as the exact version id). A failed condition surfaces as
 * {@link StoreException.Kind#PRECONDITION_FAILED}.
 */
public sealed interface Precondition {

    /** No condition. */
    record None() implements Precondition {}

    /** The object must currently have this ETag (If-Match). */
    record IfMatch(String etag) implements Precondition {}

    /** The object must not exist (If-None-Match: *). */
    record IfAbsent() implements Precondition {}

    /** Read exactly this version (S3 versionId / Azure versionId). */
    record Version(String versionId) implements Precondition {}

    Precondition NONE = new None();
    Precondition IF_ABSENT = new IfAbsent();

    static Precondition ifMatch(String etag) {
        return etag == null ? NONE : new IfMatch(etag);
    }
}
