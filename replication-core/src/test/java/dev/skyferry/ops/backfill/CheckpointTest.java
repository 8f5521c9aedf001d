package dev.skyferry.ops.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyferry.ops.diff.PairedListing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path dir;

    @Test
    void aSavedStateReadsBackExactlyForItsPair() {
        Path file = dir.resolve("nested/backfill.json");
        PairedListing.Position position = new PairedListing.Position("src-token", false, "tgt-token", false);
        Checkpoint.PairState state = new Checkpoint.PairState("azure://acct/photos/", "s3://bucket/", position, 3, 3000,
                123_456, Map.of("replicated", 2990L, "in-sync", 10L), List.of("photos/failed.jpg"), "2025-06-01T12:00:00Z");

        Checkpoint.open(file).save("photos azure-to-s3", state);
        Checkpoint.PairState read = Checkpoint.open(file).state("photos azure-to-s3", "azure://acct/photos/", "s3://bucket/");

        assertThat(read).isEqualTo(state);
        assertThat(read.complete()).isFalse();
        assertThat(Checkpoint.open(file).state("photos s3-to-azure", "s3://bucket/", "azure://acct/photos/").pagesDone())
                .isZero(); // another pair in the same file starts fresh
    }

    @Test
    void aStateWrittenForOtherStoresIsRefusedRatherThanResumedAtTheWrongPlace() {
        Path file = dir.resolve("cp.json");
        Checkpoint.open(file).save("photos azure-to-s3", new Checkpoint.PairState("azure://acct/photos/", "s3://bucket/",
                PairedListing.Position.START, 1, 1000, 0, Map.of(), List.of(), null));

        assertThatThrownBy(() -> Checkpoint.open(file).state("photos azure-to-s3", "azure://acct/other/", "s3://bucket/"))
                .hasMessageContaining("holds 'photos azure-to-s3' for azure://acct/photos/ → s3://bucket/, not azure://acct/other/")
                .hasMessageContaining("use another --checkpoint file or delete this one");
    }

    @Test
    void anUnreadableFileIsAClearErrorNotAFreshStart() throws Exception {
        Path file = dir.resolve("cp.json");
        Files.writeString(file, "{ not json");

        assertThatThrownBy(() -> Checkpoint.open(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("checkpoint " + file + " is not readable")
                .hasMessageEndingWith("; delete it to start over");
    }

    @Test
    void noFileMeansProgressIsKeptInMemoryOnly() {
        Checkpoint memory = Checkpoint.open(null);
        memory.save("p", new Checkpoint.PairState("a", "b", new PairedListing.Position(null, true, null, true), 1, 1, 1,
                Map.of(), List.of(), null));

        assertThat(memory.state("p", "a", "b").complete()).isTrue();
        assertThat(dir.toFile().list()).isEmpty();
    }
}
