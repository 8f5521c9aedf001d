package dev.skyferry.ops.replay;

import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.store.StoreKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which dead letters a replay takes. All given conditions must hold; an empty filter takes all.
 * A message that carries several events (an S3 notification with several records) is taken when
 * any of its events matches, and then goes back whole: the body is never split.
 *
 * <p>Age counts from {@link DeadLetterFacts#deadLetteredAt()}, which each source fills in from its
 * queue's own timestamp when the letter records none. A letter without any time is never taken by
 * an age filter: it cannot be shown to lie in the window asked for, so it stays where it is.
 *
 * @param reasons    taken when the reason contains any of these, ignoring case; empty for any reason
 * @param keyPrefix  an event's key starts with this; null for any key
 * @param source     an event's location starts with this: {@code s3://bucket[/key-prefix]} or
 *                   {@code azure://account/container[/key-prefix]}; null for any
 * @param olderThan  dead-lettered at least this long ago; null for no lower bound on age
 * @param newerThan  dead-lettered at most this long ago; null for no upper bound on age
 */
public record ReplayFilter(List<String> reasons, String keyPrefix, String source, Duration olderThan,
                           Duration newerThan) {

    public static final ReplayFilter ALL = new ReplayFilter(List.of(), null, null, null, null);

    public ReplayFilter {
        reasons = reasons == null ? List.of() : reasons.stream().map(r -> r.toLowerCase(Locale.ROOT)).toList();
        keyPrefix = keyPrefix == null || keyPrefix.isEmpty() ? null : keyPrefix;
        source = source == null || source.isEmpty() ? null : source;
        if (source != null && !source.startsWith("s3://") && !source.startsWith("azure://")) {
            throw new IllegalArgumentException("source must look like s3://bucket[/prefix] or "
                    + "azure://account/container[/prefix], was '" + source + "'");
        }
        source = source == null ? null : closingTheContainerName(source);
        if (olderThan != null && olderThan.isNegative()) {
            throw new IllegalArgumentException("older-than must not be negative, was " + olderThan);
        }
        if (newerThan != null && newerThan.isNegative()) {
            throw new IllegalArgumentException("newer-than must not be negative, was " + newerThan);
        }
        if (olderThan != null && newerThan != null && olderThan.compareTo(newerThan) > 0) {
            throw new IllegalArgumentException("older-than " + olderThan + " is more than newer-than " + newerThan
                    + ": no dead letter could match");
        }
    }

    /** True when this filter takes every dead letter (an unfiltered bulk move is possible). */
    public boolean takesAll() {
        return reasons.isEmpty() && keyPrefix == null && source == null && olderThan == null && newerThan == null;
    }

    /** True when the filter looks at the events inside the message. */
    public boolean needsEvents() {
        return keyPrefix != null || source != null;
    }

    /**
     * @param events the events the letter's body carries (empty when it could not be parsed)
     * @return empty when taken, else why not, for dry-run listings
     */
    public Optional<String> rejects(DeadLetter letter, List<ReplicationEvent> events, Instant now) {
        DeadLetterFacts facts = letter.facts();
        if (!reasons.isEmpty()) {
            String reason = facts.reason().toLowerCase(Locale.ROOT);
            if (reasons.stream().noneMatch(reason::contains)) {
                return Optional.of("reason " + facts.reason() + " not selected");
            }
        }
        if (olderThan != null || newerThan != null) {
            if (facts.deadLetteredAt() == null) {
                return Optional.of("no dead-letter time recorded, age filter cannot apply");
            }
            Duration age = Duration.between(facts.deadLetteredAt(), now);
            if (olderThan != null && age.compareTo(olderThan) < 0) {
                return Optional.of("dead-lettered " + age.toSeconds() + "s ago, newer than " + olderThan);
            }
            if (newerThan != null && age.compareTo(newerThan) > 0) {
                return Optional.of("dead-lettered " + age.toSeconds() + "s ago, older than " + newerThan);
            }
        }
        if (keyPrefix != null && events.stream().noneMatch(e -> e.key() != null && e.key().startsWith(keyPrefix))) {
            return Optional.of(events.isEmpty() ? "no readable event to match the key prefix against"
                    : "no event's key starts with " + keyPrefix);
        }
        if (source != null && events.stream().noneMatch(e -> location(e).startsWith(source))) {
            return Optional.of(events.isEmpty() ? "no readable event to match the source against"
                    : "no event from " + source);
        }
        return Optional.empty();
    }

    /**
     * A source naming a whole bucket or container ends it with a slash, so that {@code s3://photos}
     * takes the letters of bucket {@code photos} and not those of {@code photos-archive}; a key prefix
     * after it stays a prefix.
     */
    private static String closingTheContainerName(String source) {
        boolean s3 = source.startsWith("s3://");
        String path = source.substring(s3 ? "s3://".length() : "azure://".length());
        long namesBeforeTheKey = s3 ? 1 : 2; // bucket, or account and container
        boolean open = !source.endsWith("/") && path.chars().filter(c -> c == '/').count() < namesBeforeTheKey;
        return open ? source + "/" : source;
    }

    /** {@code s3://bucket/key} or {@code azure://account/container/key}. */
    static String location(ReplicationEvent e) {
        return e.source() == StoreKind.S3
                ? "s3://" + e.container() + "/" + e.key()
                : "azure://" + e.account() + "/" + e.container() + "/" + e.key();
    }
}
