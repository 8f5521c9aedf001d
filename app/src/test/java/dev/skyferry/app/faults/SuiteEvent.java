package dev.skyferry.app.faults;

import dev.skyferry.worker.Direction;

/**
 * One event the fault suite put on a queue, with the outcome it must end in.
 *
 * @param id             running number, for the report
 * @param phase          the phase that published it
 * @param kind           what must become of it
 * @param direction      which queue carried it (azure-to-s3: the Azure queue; s3-to-azure: SQS)
 * @param key            the object key / blob name the event names (null for unparseable text)
 * @param size           bytes written at the source
 * @param md5            base64 MD5 of the bytes written at the source
 * @param sourceReportsMd5 whether the source reports that MD5 (false for objects written in parts, which
 *                       the worker reads with ranged GETs too and whose replicas carry no source MD5)
 * @param sourceEtag     the source's ETag, unquoted, right after the write
 * @param queueText      the message text as published (before the Azure client's base64)
 * @param expectedReason dead-letter or skip reason it must carry (null for replication)
 * @param echoedEtag     for {@link Kind#SKIP_ECHO}: the ETag of the replica the echo names, unquoted
 */
record SuiteEvent(int id, String phase, Kind kind, Direction direction, String key, long size, String md5,
                  boolean sourceReportsMd5, String sourceEtag, String queueText, String expectedReason, String echoedEtag) {

    enum Kind {
        /** A new object: must end replicated, byte for byte, with provenance. */
        REPLICATE,
        /** Under the rule's excluded prefix: must be skipped ("filtered"), nothing written. */
        SKIP_FILTERED,
        /** The event of a replica Skyferry wrote: must be skipped ("echo-of-replica"), nothing written back. */
        SKIP_ECHO,
        /** Poison: must end in the poison queue / DLQ with {@link #expectedReason()}. */
        DEAD_LETTER
    }

    boolean large(long partSize) {
        return size > partSize;
    }

    String describe() {
        return "#" + id + " " + kind + " " + direction + " " + (key == null ? "(no key)" : "'" + key + "'")
                + " (" + phase + (expectedReason == null ? "" : ", " + expectedReason) + ")";
    }
}
