package dev.skyferry.ops.progress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shows a {@link Progress} while an operation runs: on an interactive terminal a bar redrawn in
 * place a few times a second; otherwise (CI, {@code kubectl logs}, redirected output) a plain line
 * every {@link #PLAIN_INTERVAL}, because carriage-return redraws turn log files into noise.
 * Writes to stderr-like streams only, so stdout stays clean for machine-readable output.
 */
public final class ProgressReporter implements AutoCloseable {

    /** How often the terminal bar is redrawn. */
    public static final Duration BAR_INTERVAL = Duration.ofMillis(250);
    /** How often a plain progress line is printed when the output is not a terminal. */
    public static final Duration PLAIN_INTERVAL = Duration.ofSeconds(10);

    private static final int DEFAULT_COLUMNS = 100;

    private final Progress progress;
    private final PrintWriter out;
    private final boolean interactive;
    private final String what;
    private final int columns;
    private final ScheduledExecutorService ticker;
    private int lastBarLength;
    private boolean closed;

    private ProgressReporter(String what, Progress progress, PrintWriter out, boolean interactive, Duration plainInterval) {
        this.what = what;
        this.progress = progress;
        this.out = out;
        this.interactive = interactive;
        this.columns = terminalColumns();
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "skyferry-progress");
            t.setDaemon(true);
            return t;
        });
        long periodMillis = (interactive ? BAR_INTERVAL : plainInterval).toMillis();
        ticker.scheduleAtFixedRate(this::render, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * @param what        a short label ("replay", "backfill photos azure-to-s3")
     * @param interactive true when a person watches a terminal ({@code System.console() != null})
     */
    public static ProgressReporter start(String what, Progress progress, PrintWriter out, boolean interactive) {
        return new ProgressReporter(what, progress, out, interactive, PLAIN_INTERVAL);
    }

    /** As {@link #start}, with a custom interval for plain lines (tests, very long runs). */
    public static ProgressReporter start(String what, Progress progress, PrintWriter out, boolean interactive,
                                         Duration plainInterval) {
        return new ProgressReporter(what, progress, out, interactive, plainInterval);
    }

    private synchronized void render() {
        if (closed) {
            return; // a tick that waited for close() to finish
        }
        draw();
    }

    private void draw() {
        Snapshot snapshot = progress.snapshot();
        if (interactive) {
            String bar = ProgressFormat.bar(snapshot, columns - 1);
            // Pad over the remains of a longer previous bar, then return to the line start.
            out.print("\r" + bar + " ".repeat(Math.max(0, lastBarLength - bar.length())));
            lastBarLength = bar.length();
        } else {
            out.println(ProgressFormat.line(what, snapshot));
        }
        out.flush();
    }

    /**
     * Prints a line (a listing entry, a warning) without tearing the bar: on a terminal the bar is
     * cleared, the line printed, and the bar drawn again below it.
     */
    public synchronized void printLine(PrintWriter target, String line) {
        if (interactive && !closed) {
            out.print("\r" + " ".repeat(lastBarLength) + "\r");
            out.flush();
            target.println(line);
            target.flush();
            draw();
        } else {
            target.println(line);
            target.flush();
        }
    }

    /** Stops rendering and leaves the last state on screen (terminal) or prints a final line. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ticker.shutdownNow();
        if (interactive) {
            draw();
            out.println();
        } else {
            out.println(ProgressFormat.line(what, progress.snapshot()));
        }
        out.flush();
    }

    private static int terminalColumns() {
        String env = System.getenv("COLUMNS");
        if (env != null) {
            try {
                int parsed = Integer.parseInt(env.strip());
                if (parsed >= 40) {
                    return parsed;
                }
            } catch (NumberFormatException ignored) {
                // Not a number: use the default width.
            }
        }
        return DEFAULT_COLUMNS;
    }
}
