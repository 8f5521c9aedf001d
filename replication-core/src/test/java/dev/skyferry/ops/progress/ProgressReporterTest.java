package dev.skyferry.ops.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {

    @Test
    void withoutATerminalItPrintsPlainLinesAndAFinalOne() {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        Progress progress = new Progress("objects");
        progress.total(2);

        try (ProgressReporter reporter = ProgressReporter.start("backfill", progress, new PrintWriter(err), false,
                Duration.ofHours(1))) {
            progress.advance(2, 0);
            progress.count("replicated", 2);
            reporter.printLine(new PrintWriter(out), "replicated  photos  a.jpg");
        }

        assertThat(err.toString()).doesNotContain("\r").startsWith("backfill: 2/2 objects (100.0%)")
                .contains("; replicated=2").endsWith(System.lineSeparator());
        assertThat(out.toString()).isEqualTo("replicated  photos  a.jpg" + System.lineSeparator());
    }

    @Test
    void onATerminalListingLinesClearTheBarAndItIsRedrawnBelowThem() {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        Progress progress = new Progress("dead letters");

        try (ProgressReporter reporter = ProgressReporter.start("replay", progress, new PrintWriter(err), true)) {
            progress.advance(1, 0);
            reporter.printLine(new PrintWriter(out), "failed  m-1");
        }

        String drawn = err.toString();
        assertThat(drawn).startsWith("\r").contains("1 dead letters").endsWith(System.lineSeparator());
        // Redrawn in place with carriage returns: one line break in all, when it closes.
        assertThat(drawn.split(System.lineSeparator(), -1)).hasSize(2);
        assertThat(out.toString()).isEqualTo("failed  m-1" + System.lineSeparator());
    }
}
