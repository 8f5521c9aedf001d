package dev.skyferry.ops.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.ops.OpsFixtures;
import dev.skyferry.ops.StoreWrites;
import dev.skyferry.ops.progress.Progress;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.ReplicationRule.Direction;
import dev.skyferry.rule.ReplicationRule.KeyFilter;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreKind;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Diff compares sizes as well as the provenance ETag. */
@ExtendWith(EmulatorExtension.class)
class ReplicaSizeDiffTest {

    private final OpsFixtures fixtures;

    ReplicaSizeDiffTest(Emulators emulators) {
        this.fixtures = new OpsFixtures(emulators);
    }

    /** ReplicaCheck: "same size and checksum or provenance" — provenance alone does not make a cut replica in sync. */
    @Test
    void aReplicaRecordingTheSourcesEtagButOfAnotherSizeIsDifferent() {
        ObjectStore azure = fixtures.newContainer("diffsize");
        ObjectStore bucket = fixtures.newBucket("diffsize");
        ReplicationRule rule = fixtures.rule("photos", azure, "a/", bucket, "s/", Direction.AZURE_TO_S3,
                DeletePolicy.IGNORE, KeyFilter.ALL);
        SyncPair pair = new SyncPair(OpsFixtures.rules(rule), rule, StoreKind.AZURE_BLOB, azure, bucket);
        String etag = StoreWrites.original(azure, "a/cut.txt", "the whole content");
        StoreWrites.replica(bucket, "s/cut.txt", "the whole", azure, "a/cut.txt", etag); // cut short, provenance intact

        List<Drift> lines = new CopyOnWriteArrayList<>();
        new Differ(1000, 4).run(pair, new Progress("objects"), lines::add);

        assertThat(lines).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Drift.DIFFERENT);
            assertThat(d.detail()).contains("size differs");
        });
    }
}
