package dev.skyferry.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.event.ReplicationEvent.EventKind;
import dev.skyferry.store.StoreKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayOptionsTest {

    @Test
    void fractionalRatesSpacePermitsOutWholeRatesRefreshEverySecond() {
        ReplayOptions half = new ReplayOptions(null, null, 0.5, false);
        ReplayOptions twenty = new ReplayOptions(null, null, 20.0, false);

        assertThat(half.ratePeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(half.permitsPerPeriod()).isEqualTo(1);
        assertThat(twenty.ratePeriod()).isEqualTo(Duration.ofSeconds(1));
        assertThat(twenty.permitsPerPeriod()).isEqualTo(20);
    }

    @Test
    void badValuesAreRefusedWithTheValueInTheMessage() {
        assertThatThrownBy(() -> new ReplayOptions(null, 0L, null, false)).hasMessage("limit must be at least 1, was 0");
        assertThatThrownBy(() -> new ReplayOptions(null, null, -1.0, false))
                .hasMessage("rate must be within (0, 10000] per second, was -1.0");
        assertThatThrownBy(() -> new ReplayFilter(List.of(), null, "https://bucket/x", null, null))
                .hasMessageContaining("was 'https://bucket/x'");
        assertThatThrownBy(() -> new ReplayFilter(List.of(), null, null, Duration.ofDays(2), Duration.ofDays(1)))
                .hasMessage("older-than PT48H is more than newer-than PT24H: no dead letter could match");
    }

    @Test
    void anEmptyFilterTakesEverythingSoAServerSideMoveIsPossible() {
        assertThat(ReplayFilter.ALL.takesAll()).isTrue();
        assertThat(new ReplayFilter(List.of("x"), null, null, null, null).takesAll()).isFalse();
    }

    @Test
    void aSourceNamingABucketOrContainerTakesThatOneOnlyNotOthersWhoseNameStartsTheSame() {
        List<ReplicationEvent> photos = List.of(s3Event("photos", "2024/a.jpg"));
        List<ReplicationEvent> photosArchive = List.of(s3Event("photos-archive", "2024/a.jpg"));
        List<ReplicationEvent> container = List.of(azureEvent("acct", "photos", "a.jpg"));
        List<ReplicationEvent> otherContainer = List.of(azureEvent("acct", "photos2", "a.jpg"));

        assertThat(takes("s3://photos", photos)).isTrue();
        assertThat(takes("s3://photos", photosArchive)).isFalse();
        assertThat(takes("s3://photos/2024/", photos)).isTrue();
        assertThat(takes("s3://photos/20", photos)).as("a key prefix stays a prefix").isTrue();
        assertThat(takes("azure://acct/photos", container)).isTrue();
        assertThat(takes("azure://acct/photos", otherContainer)).isFalse();
        assertThat(takes("azure://acct", otherContainer)).isTrue();
        assertThat(takes("azure://acct/", otherContainer)).isTrue();
        assertThat(takes("azure://ac", otherContainer)).isFalse();
    }

    /** Its age unknown, a letter cannot be shown to be in the window an age filter asks for: it stays put. */
    @Test
    void aLetterWithNoDeadLetterTimeIsLeftAloneByTheAgeFiltersAndTakenWithoutThem() {
        DeadLetter undated = new DeadLetter("m1", "{}", new DeadLetterFacts(DeadLetterFacts.UNKNOWN, null, null, null, null),
                new DeadLetter.Origin.SqsMessage("m1", "receipt", Map.of()));
        Instant now = Instant.parse("2025-06-01T12:00:00Z");

        assertThat(new ReplayFilter(List.of(), null, null, Duration.ofHours(1), null).rejects(undated, List.of(), now))
                .hasValue("no dead-letter time recorded, age filter cannot apply");
        assertThat(new ReplayFilter(List.of(), null, null, null, Duration.ofDays(7)).rejects(undated, List.of(), now))
                .hasValue("no dead-letter time recorded, age filter cannot apply");
        assertThat(ReplayFilter.ALL.rejects(undated, List.of(), now)).isEmpty();
    }

    private static boolean takes(String source, List<ReplicationEvent> events) {
        DeadLetter letter = new DeadLetter("m1", "{}", new DeadLetterFacts("forbidden", null, null, null, Instant.EPOCH),
                new DeadLetter.Origin.SqsMessage("m1", "receipt", Map.of()));
        return new ReplayFilter(List.of(), null, source, null, null).rejects(letter, events, Instant.EPOCH).isEmpty();
    }

    private static ReplicationEvent s3Event(String bucket, String key) {
        return new ReplicationEvent(StoreKind.S3, null, bucket, key, EventKind.CREATED, "abc", 3L, null, null,
                Instant.EPOCH, "id", "ObjectCreated:Put", null, "arn:aws:s3:::" + bucket);
    }

    private static ReplicationEvent azureEvent(String account, String container, String key) {
        return new ReplicationEvent(StoreKind.AZURE_BLOB, account, container, key, EventKind.CREATED, "0x1", 3L, null,
                null, Instant.EPOCH, "id", "PutBlob", null, null);
    }
}
