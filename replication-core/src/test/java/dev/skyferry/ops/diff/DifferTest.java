package dev.skyferry.ops.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.ops.OpsFixtures;
import dev.skyferry.ops.StoreWrites;
import dev.skyferry.ops.progress.Progress;
import dev.skyferry.plan.Provenance;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.ReplicationRule.Direction;
import dev.skyferry.rule.ReplicationRule.KeyFilter;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreKind;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmulatorExtension.class)
class DifferTest {

    private final OpsFixtures fixtures;
    private ObjectStore azure;
    private ObjectStore bucket;

    DifferTest(Emulators emulators) {
        this.fixtures = new OpsFixtures(emulators);
    }

    @BeforeEach
    void stores() {
        azure = fixtures.newContainer("diff");
        bucket = fixtures.newBucket("diff");
    }

    @Test
    void findsMissingDifferentAndExtraReplicasWithTheirReasons() {
        SyncPair pair = azureToS3(DeletePolicy.PROPAGATE);
        String same = StoreWrites.original(azure, "a/same.txt", "same bytes");
        StoreWrites.replica(bucket, "s/same.txt", "same bytes", azure, "a/same.txt", same);
        StoreWrites.original(azure, "a/missing.txt", "nobody copied me");
        String oldEtag = StoreWrites.original(azure, "a/stale.txt", "version 1");
        StoreWrites.replica(bucket, "s/stale.txt", "version 1", azure, "a/stale.txt", oldEtag);
        StoreWrites.original(azure, "a/stale.txt", "version 2"); // overwritten since it was replicated
        StoreWrites.original(azure, "a/foreign.txt", "ours");
        StoreWrites.original(bucket, "s/foreign.txt", "someone else's object");
        StoreWrites.replica(bucket, "s/orphan.txt", "gone", azure, "a/orphan.txt", "0x8DD0000000000009");

        List<Drift> lines = new CopyOnWriteArrayList<>();
        Differ.Result result = new Differ(1000, 4).run(pair, new Progress("objects"), lines::add);

        Map<String, Drift> byTarget = lines.stream().collect(Collectors.toMap(Drift::target, d -> d));
        String s3 = "s3://" + bucket.container() + "/";
        assertThat(byTarget).containsOnlyKeys(s3 + "s/missing.txt", s3 + "s/stale.txt", s3 + "s/foreign.txt", s3 + "s/orphan.txt");
        assertThat(byTarget.get(s3 + "s/missing.txt").kind()).isEqualTo(Drift.MISSING);
        assertThat(byTarget.get(s3 + "s/stale.txt").kind()).isEqualTo(Drift.DIFFERENT);
        assertThat(byTarget.get(s3 + "s/stale.txt").detail()).contains("replica was made from etag " + oldEtag);
        assertThat(byTarget.get(s3 + "s/foreign.txt").kind()).isEqualTo(Drift.DIFFERENT);
        assertThat(byTarget.get(s3 + "s/foreign.txt").detail()).contains("Skyferry did not write");
        Drift orphan = byTarget.get(s3 + "s/orphan.txt");
        assertThat(orphan.kind()).isEqualTo(Drift.EXTRA);
        assertThat(orphan.expected()).isFalse();
        assertThat(orphan.source()).isEqualTo("azure://" + azure.account() + "/" + azure.container() + "/a/orphan.txt");
        assertThat(orphan.detail()).contains("deletes: propagate should have removed it");
        assertThat(result.drift()).isEqualTo(4);
        assertThat(result.counts()).containsEntry("in-sync", 1L).containsEntry("missing", 1L)
                .containsEntry("different", 2L).containsEntry("extra", 1L);
    }

    @Test
    void replicasInSyncAndReplicasAtTheSourceAreNoDrift() {
        // Both directions: each side holds originals and the other side's replicas.
        String fromAzure = StoreWrites.original(azure, "a/from-azure.txt", "azure original");
        StoreWrites.replica(bucket, "s/from-azure.txt", "azure original", azure, "a/from-azure.txt", fromAzure);
        String fromS3 = StoreWrites.original(bucket, "s/from-s3.txt", "s3 original");
        StoreWrites.replica(azure, "a/from-s3.txt", "s3 original", bucket, "s/from-s3.txt", fromS3);
        StoreWrites.original(azure, "a/skip.tmp", "excluded by the filter");

        ReplicationRule rule = fixtures.rule("both", azure, "a/", bucket, "s/", Direction.BOTH, DeletePolicy.PROPAGATE,
                new KeyFilter(null, null, null, List.of(".tmp")));
        RuleSet rules = OpsFixtures.rules(rule);
        List<Drift> lines = new CopyOnWriteArrayList<>();
        Differ differ = new Differ(1000, 4);

        Differ.Result azureToS3 = differ.run(new SyncPair(rules, rule, StoreKind.AZURE_BLOB, azure, bucket),
                new Progress("objects"), lines::add);
        Differ.Result s3ToAzure = differ.run(new SyncPair(rules, rule, StoreKind.S3, bucket, azure),
                new Progress("objects"), lines::add);

        assertThat(lines).isEmpty();
        assertThat(azureToS3.drift()).isZero();
        assertThat(s3ToAzure.drift()).isZero();
        // Azure lists metadata, so its replica is known as one at once; S3's replica pairs with its source, same bytes.
        assertThat(azureToS3.counts()).containsEntry("in-sync", 1L).containsEntry("source-is-replica", 1L)
                .containsEntry("excluded", 1L);
        assertThat(s3ToAzure.counts()).containsEntry("in-sync", 2L);
    }

    @Test
    void aSourceThatIsItselfAReplicaIsNeverMissingOnTheOtherSide() {
        // deletes: ignore kept this S3 replica after its Azure source was deleted; copying it back would resurrect it.
        StoreWrites.replica(bucket, "s/kept.txt", "kept", azure, "a/kept.txt", "0x8DD0000000000001");
        ReplicationRule rule = fixtures.rule("both", azure, "a/", bucket, "s/", Direction.BOTH, DeletePolicy.IGNORE, KeyFilter.ALL);
        RuleSet rules = OpsFixtures.rules(rule);

        Differ.Result result = new Differ(1000, 4).run(new SyncPair(rules, rule, StoreKind.S3, bucket, azure),
                new Progress("objects"), d -> { throw new AssertionError("no drift expected, got " + d); });

        assertThat(result.counts()).containsEntry("source-is-replica", 1L);
        assertThat(result.drift()).isZero();
    }

    @Test
    void aCopySomeoneMadeOfAReplicaIsMissingOnTheOtherSideLikeAnyObject() {
        // Copy Blob keeps metadata: this blob carries the replica's provenance, but under another name.
        StoreWrites.put(azure, "a/copy-of-kept.txt", "kept", Map.of(Provenance.REPLICA_MARKER, "1",
                Provenance.RULE, "both", Provenance.SOURCE_URI, bucket.uriOf("s/kept.txt").toASCIIString()));
        ReplicationRule rule = fixtures.rule("both", azure, "a/", bucket, "s/", Direction.BOTH, DeletePolicy.IGNORE, KeyFilter.ALL);

        Differ.Result result = new Differ(1000, 4).run(new SyncPair(OpsFixtures.rules(rule), rule, StoreKind.AZURE_BLOB,
                azure, bucket), new Progress("objects"), d -> { });

        assertThat(result.counts()).containsEntry("missing", 1L).containsEntry("source-is-replica", 0L);
    }

    @Test
    void theDirectoriesOfAHierarchicalNamespaceHaveNoReplicaToMiss() {
        SyncPair pair = azureToS3(DeletePolicy.IGNORE);
        // A flat listing of an HNS account shows the directory a/reports as a 0-byte blob marked hdi_isfolder;
        // the worker replicated the file in it (a directory raises no BlobCreated).
        StoreWrites.put(azure, "a/reports", "", Map.of(ObjectInfo.HNS_DIRECTORY_METADATA, "true"));
        String etag = StoreWrites.original(azure, "a/reports/2024.csv", "q1,q2");
        StoreWrites.replica(bucket, "s/reports/2024.csv", "q1,q2", azure, "a/reports/2024.csv", etag);

        Differ.Result result = new Differ(1000, 4).run(pair, new Progress("objects"),
                d -> { throw new AssertionError("no drift expected, got " + d); });

        assertThat(result.drift()).isZero();
        assertThat(result.counts()).containsEntry("in-sync", 1L);
    }

    @Test
    void extrasKeptByTheDeletePolicyAreReportedButAreNotDrift() {
        SyncPair pair = azureToS3(DeletePolicy.IGNORE);
        StoreWrites.replica(bucket, "s/deleted-at-source.txt", "backup", azure, "a/deleted-at-source.txt", "0x8DD0000000000002");
        List<Drift> lines = new CopyOnWriteArrayList<>();

        Differ.Result result = new Differ(1000, 4).run(pair, new Progress("objects"), lines::add);

        assertThat(lines).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Drift.EXTRA);
            assertThat(d.expected()).isTrue();
            assertThat(d.detail()).contains("kept by the rule's deletes: ignore");
        });
        assertThat(result.drift()).isZero();
        assertThat(result.counts()).containsEntry("extra-expected", 1L).containsEntry("extra", 0L);
    }

    @Test
    void pairsListingsAcrossManyPagesAndFindsEveryGap() {
        SyncPair pair = azureToS3(DeletePolicy.PROPAGATE);
        for (int i = 0; i < 40; i++) {
            String key = String.format("%03d.txt", i);
            String etag = StoreWrites.original(azure, "a/" + key, "content " + i);
            if (i % 7 != 3) {
                StoreWrites.replica(bucket, "s/" + key, "content " + i, azure, "a/" + key, etag);
            }
        }
        // Replicas whose sources are gone, before, between and after the sources' keys.
        for (String key : List.of("000-gone.txt", "020-gone.txt", "999-gone.txt")) {
            StoreWrites.replica(bucket, "s/" + key, "gone", azure, "a/" + key, "0x8DD0000000000003");
        }
        List<Drift> lines = new CopyOnWriteArrayList<>();

        Differ.Result result = new Differ(3, 4).run(pair, new Progress("objects"), lines::add);

        assertThat(lines).filteredOn(d -> d.kind().equals(Drift.MISSING)).extracting(Drift::target)
                .containsExactly(List.of(3, 10, 17, 24, 31, 38).stream()
                        .map(i -> "s3://" + bucket.container() + "/s/" + String.format("%03d.txt", i)).toArray(String[]::new));
        assertThat(lines).filteredOn(d -> d.kind().equals(Drift.EXTRA)).extracting(Drift::target)
                .containsExactlyInAnyOrder("s3://" + bucket.container() + "/s/000-gone.txt",
                        "s3://" + bucket.container() + "/s/020-gone.txt", "s3://" + bucket.container() + "/s/999-gone.txt");
        assertThat(result.counts()).containsEntry("in-sync", 34L);
    }

    private SyncPair azureToS3(DeletePolicy deletes) {
        ReplicationRule rule = fixtures.rule("photos", azure, "a/", bucket, "s/", Direction.AZURE_TO_S3, deletes, KeyFilter.ALL);
        return new SyncPair(OpsFixtures.rules(rule), rule, StoreKind.AZURE_BLOB, azure, bucket);
    }
}
