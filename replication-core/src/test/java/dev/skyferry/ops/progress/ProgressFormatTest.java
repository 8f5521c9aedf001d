package dev.skyferry.ops.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressFormatTest {

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void barShowsShareDoneRateAndEtaFromThisRunsAverage() {
        Progress progress = new Progress("objects", nanos::get);
        progress.total(10_000);
        progress.advance(4_000, 4L * 1024 * 1024);
        nanos.set(Duration.ofSeconds(8).toNanos());

        Snapshot snapshot = progress.snapshot();
        String bar = ProgressFormat.bar(snapshot, 100);

        assertThat(snapshot.itemsPerSecond()).isEqualTo(500.0);
        assertThat(snapshot.eta()).contains(Duration.ofSeconds(12));
        assertThat(bar).startsWith("[").contains("]  40%").contains("4,000/10,000 objects").contains("4.0 MiB")
                .contains("500/s").contains("512.0 KiB/s").endsWith("ETA 0:12");
        assertThat(bar.length()).isLessThanOrEqualTo(100);
    }

    @Test
    void resumedCountsDoNotInflateTheRate() {
        Progress progress = new Progress("objects", nanos::get);
        progress.total(1_000);
        progress.resumeFrom(900, 0); // done by an earlier, killed run
        progress.advance(50, 0);
        nanos.set(Duration.ofSeconds(10).toNanos());

        Snapshot snapshot = progress.snapshot();

        assertThat(snapshot.done()).isEqualTo(950);
        assertThat(snapshot.itemsPerSecond()).isEqualTo(5.0);
        assertThat(snapshot.eta()).contains(Duration.ofSeconds(10));
    }

    @Test
    void withoutATotalThereIsNoBarAndNoEta() {
        Progress progress = new Progress("dead letters", nanos::get);
        progress.advance(3, 0);
        nanos.set(Duration.ofSeconds(65).toNanos());

        String bar = ProgressFormat.bar(progress.snapshot(), 100);

        assertThat(progress.snapshot().eta()).isEmpty();
        assertThat(bar).doesNotContain("[").doesNotContain("ETA").contains("3 dead letters").endsWith("1:05");
    }

    @Test
    void plainLineCarriesOutcomeCountsInTheOrderTheyFirstHappened() {
        Progress progress = new Progress("objects", nanos::get);
        progress.total(4);
        progress.count("replicated");
        progress.count("in-sync");
        progress.count("replicated");
        progress.advance(3, 3 * 1024);
        nanos.set(Duration.ofSeconds(3).toNanos());

        String line = ProgressFormat.line("backfill photos azure-to-s3", progress.snapshot());

        assertThat(line).isEqualTo("backfill photos azure-to-s3: 3/4 objects (75.0%), 3.0 KiB, 1.0 objects/s, "
                + "ETA 0:01, elapsed 0:03; replicated=2 in-sync=1");
    }

    @Test
    void aNarrowTerminalDropsTheBarBeforeTheNumbers() {
        Progress progress = new Progress("objects", nanos::get);
        progress.total(10);
        progress.advance(5, 0);
        nanos.set(Duration.ofSeconds(1).toNanos());

        String bar = ProgressFormat.bar(progress.snapshot(), 40);

        assertThat(bar).doesNotContain("[").startsWith(" 50%").contains("5/10 objects");
        assertThat(bar.length()).isLessThanOrEqualTo(40);
    }

    @Test
    void sizesAndDurationsReadNaturally() {
        assertThat(ProgressFormat.bytes(512)).isEqualTo("512 B");
        assertThat(ProgressFormat.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(ProgressFormat.bytes(5L * 1024 * 1024 * 1024)).isEqualTo("5.0 GiB");
        assertThat(ProgressFormat.duration(Duration.ofSeconds(3 * 3600 + 2 * 60 + 11))).isEqualTo("3:02:11");
    }
}
