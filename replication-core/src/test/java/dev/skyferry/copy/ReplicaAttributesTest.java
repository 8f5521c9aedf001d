package dev.skyferry.copy;

import static dev.skyferry.plan.TaskFixtures.created;
import static dev.skyferry.plan.TaskFixtures.deleted;
import static dev.skyferry.plan.TaskFixtures.rule;
import static dev.skyferry.plan.TaskFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyferry.plan.Plan;
import dev.skyferry.plan.Planner;
import dev.skyferry.plan.Provenance;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.plan.ReplicationFailure;
import dev.skyferry.plan.ReplicationTask;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.ReplicationRule.InvalidMetadataPolicy;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.testkit.InMemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ReplicaAttributesTest {

    private final InMemoryStore s3 = InMemoryStore.s3("photos-backup");
    private final InMemoryStore azure = InMemoryStore.azure("acct", "photos");

    @Test
    void carriesContentHeadersAndUserMetadataWithFreshProvenance() {
        ObjectAttributes attributes = new ObjectAttributes("image/png", "gzip", "de", "attachment", "max-age=60",
                Map.of("author", "ada", "skyferry_source", "s3://forged/elsewhere", "SKYFERRY_REPLICA", "1"), Map.of());
        ObjectInfo info = s3.seed("a.png", new byte[]{1, 2, 3}, attributes);
        ReplicationTask task = task(created(s3, info, "0A"), rule().name("photos").build(), s3, azure);

        ObjectAttributes replica = ReplicaAttributes.prepare(task, info, Map.of()).withSourceMd5(new byte[16]);

        assertThat(replica.contentType()).isEqualTo("image/png");
        assertThat(replica.contentEncoding()).isEqualTo("gzip");
        assertThat(replica.contentLanguage()).isEqualTo("de");
        assertThat(replica.contentDisposition()).isEqualTo("attachment");
        assertThat(replica.cacheControl()).isEqualTo("max-age=60");
        assertThat(replica.userMetadata())
                .containsEntry("author", "ada")
                .containsEntry(Provenance.REPLICA_MARKER, "1")
                .containsEntry(Provenance.SOURCE_URI, "s3://photos-backup/a.png")
                .containsEntry(Provenance.SOURCE_ETAG, info.etag())
                .containsEntry(Provenance.SOURCE_SEQUENCER, "0A")
                .containsEntry(Provenance.SOURCE_MD5, "AAAAAAAAAAAAAAAAAAAAAA==")
                .containsEntry(Provenance.RULE, "photos")
                .doesNotContainKey("SKYFERRY_REPLICA");
    }

    @Test
    void excludesMetadataAzureCannotHoldUnderTheExcludePolicy() {
        ObjectAttributes replica = toAzure(InvalidMetadataPolicy.EXCLUDE, Map.of("valid_name", "v", "content-owner", "x", "1st", "y"));

        assertThat(replica.userMetadata()).containsEntry("valid_name", "v").doesNotContainKeys("content-owner", "1st");
    }

    @Test
    void failsWithTheInvalidNamesUnderTheFailPolicy() {
        assertFailure(() -> toAzure(InvalidMetadataPolicy.FAIL, Map.of("content-owner", "x")),
                ReasonCodes.INVALID_METADATA, "content-owner");
    }

    @Test
    void renamesInvalidNamesTheWayAzCopyDoes() {
        ObjectAttributes replica = toAzure(InvalidMetadataPolicy.RENAME, Map.of("123-invalid", "content", "ok", "v"));

        assertThat(replica.userMetadata())
                .containsEntry("rename_123_invalid", "content")
                .containsEntry("rename_key_123_invalid", "123-invalid")
                .containsEntry("ok", "v")
                .doesNotContainKey("123-invalid");
    }

    @Test
    void failsARenameThatWouldOverwriteAnotherName() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("a-b", "1");
        metadata.put("rename_a_b", "2");

        assertFailure(() -> toAzure(InvalidMetadataPolicy.RENAME, metadata), ReasonCodes.INVALID_METADATA, "rename_a_b");
    }

    @Test
    void treatsNonAsciiValuesAsInvalidForAzure() {
        ObjectAttributes replica = toAzure(InvalidMetadataPolicy.EXCLUDE, Map.of("city", "Zürich", "ok", "v"));

        assertThat(replica.userMetadata()).containsEntry("ok", "v").doesNotContainKey("city");
        assertFailure(() -> toAzure(InvalidMetadataPolicy.RENAME, Map.of("city", "Zürich")),
                ReasonCodes.INVALID_METADATA, "city");
    }

    @Test
    void refusesMetadataBeyondS3sTwoKibibytesCountingProvenance() {
        ObjectInfo info = azure.seed("a.txt", "x".getBytes(),
                ObjectAttributes.NONE.withUserMetadata(Map.of("notes", "n".repeat(1900))));
        ReplicationTask task = task(created(azure, info, "0A"), rule().build(), azure, s3);

        assertFailure(() -> ReplicaAttributes.prepare(task, info, Map.of()), ReasonCodes.METADATA_TOO_LARGE,
                "user metadata is 1905 bytes", "S3 holds at most 2048 bytes");
    }

    @Test
    void underATombstoneRuleEveryReplicaItAcceptsCanStillBeTombstonedWithinS3sLimit() {
        ReplicationRule rule = rule().deletes(DeletePolicy.TOMBSTONE).build();
        String sequencer = "00000000000000000000000000005E450000000000001f1b";
        ObjectAttributes largest = null;
        for (int n = 1700; n < 2048; n++) { // up to the largest user metadata the copy accepts
            ObjectInfo source = azure.seed("a.txt", "x".getBytes(),
                    ObjectAttributes.NONE.withUserMetadata(Map.of("notes", "n".repeat(n))));
            try {
                largest = ReplicaAttributes.prepare(task(created(azure, source, sequencer), rule, azure, s3), source,
                        Map.of()).withSourceMd5(new byte[16]);
            } catch (ReplicationFailure tooLarge) {
                break;
            }
        }
        assertThat(largest).isNotNull();
        ObjectInfo replica = s3.seed("a.txt", "x".getBytes(), largest);

        Plan plan = new Planner(Clock.systemUTC())
                .decide(task(deleted(azure, "a.txt", sequencer + "0"), rule, azure, s3), Optional.of(replica));

        assertThat(plan).isInstanceOfSatisfying(Plan.Tombstone.class,
                tombstone -> assertThat(metadataBytes(tombstone.metadata())).isLessThanOrEqualTo(2048));
    }

    private static int metadataBytes(Map<String, String> metadata) {
        return metadata.entrySet().stream().mapToInt(e -> e.getKey().getBytes(StandardCharsets.UTF_8).length
                + e.getValue().getBytes(StandardCharsets.UTF_8).length).sum();
    }

    @Test
    void acceptsMetadataThatFitsS3WithProvenance() {
        ObjectInfo info = azure.seed("a.txt", "x".getBytes(),
                ObjectAttributes.NONE.withUserMetadata(Map.of("notes", "n".repeat(1500))));
        ReplicationTask task = task(created(azure, info, "0A"), rule().build(), azure, s3);

        ObjectAttributes replica = ReplicaAttributes.prepare(task, info, Map.of()).withSourceMd5(new byte[16]);

        assertThat(replica.userMetadata()).containsKey("notes");
    }

    @Test
    void carriesTagsWithinTheTargetsLimits() {
        ObjectInfo info = s3.seed("a.txt", "x");
        ReplicationTask task = task(created(s3, info, "0A"), rule().copyTags().build(), s3, azure);

        ObjectAttributes replica = ReplicaAttributes.prepare(task, info, Map.of("team", "data-platform", "tier", "gold"))
                .withSourceMd5(null);

        assertThat(replica.tags()).containsOnly(Map.entry("team", "data-platform"), Map.entry("tier", "gold"));
    }

    @Test
    void refusesTagsBeyondTheTargetsLimits() {
        ObjectInfo info = s3.seed("a.txt", "x");
        ReplicationTask task = task(created(s3, info, "0A"), rule().copyTags().build(), s3, azure);
        Map<String, String> eleven = new LinkedHashMap<>();
        for (int i = 0; i < 11; i++) {
            eleven.put("k" + i, "v");
        }

        assertFailure(() -> ReplicaAttributes.prepare(task, info, eleven), ReasonCodes.INVALID_TAGS, "11 tags, at most 10");
        assertFailure(() -> ReplicaAttributes.prepare(task, info, Map.of("k".repeat(129), "v")), ReasonCodes.INVALID_TAGS,
                "1 to 128 characters");
        assertFailure(() -> ReplicaAttributes.prepare(task, info, Map.of("k", "v".repeat(257))), ReasonCodes.INVALID_TAGS,
                "longer than 256");
        // '@' is fine on S3 but not in Azure blob index tags.
        assertFailure(() -> ReplicaAttributes.prepare(task, info, Map.of("owner", "ada@example.com")),
                ReasonCodes.INVALID_TAGS, "Azure blob index tags do not allow");
    }

    @Test
    void acceptsS3TagCharactersWhenTheTargetIsS3() {
        ObjectInfo info = azure.seed("a.txt", "x");
        ReplicationTask task = task(created(azure, info, "0A"), rule().copyTags().build(), azure, s3);

        ObjectAttributes replica = ReplicaAttributes.prepare(task, info, Map.of("owner", "ada@example.com"))
                .withSourceMd5(null);

        assertThat(replica.tags()).containsEntry("owner", "ada@example.com");
    }

    private ObjectAttributes toAzure(InvalidMetadataPolicy policy, Map<String, String> metadata) {
        ObjectInfo info = s3.seed("a.txt", "x".getBytes(), ObjectAttributes.NONE.withUserMetadata(metadata));
        ReplicationRule rule = rule().invalidMetadata(policy).build();
        return ReplicaAttributes.prepare(task(created(s3, info, "0A"), rule, s3, azure), info, Map.of()).withSourceMd5(null);
    }

    private static void assertFailure(ThrowingCallable call, String reason, String... detailParts) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(ReplicationFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(reason);
                    assertThat(f.isTransient()).isFalse();
                    assertThat(f.detail()).contains(detailParts);
                });
    }
}
