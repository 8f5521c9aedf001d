package dev.skyferry.worker;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the first error of each message that is being retried, so that its dead-letter facts can
 * name both the first and the last error. In memory and bounded: after a restart, or when another
 * replica handled the earlier deliveries, the first error known is the last one.
 */
final class FirstErrors {

    static final int MAX_REMEMBERED = 10_000;

    record FirstError(String error, Instant at) {}

    private final Map<String, FirstError> byMessage = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, FirstError> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    /** Records {@code error} unless an earlier one is known. */
    synchronized void remember(String messageKey, String error, Instant at) {
        byMessage.putIfAbsent(messageKey, new FirstError(error, at));
    }

    /** The first error recorded for the message, or null. */
    synchronized FirstError firstFor(String messageKey) {
        return byMessage.get(messageKey);
    }

    /** The message is settled for good. */
    synchronized void forget(String messageKey) {
        byMessage.remove(messageKey);
    }
}
