package dev.skyferry.app.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of a Linux process, whole and of its JIT compiler threads, from /proc. A JVM that has
 * copied a few thousand objects is still compiling: the split shows how much of a short pass is the
 * JIT's one-off cost rather than the per-object cost a long-running worker settles into.
 *
 * @param seconds    utime + stime of the process: every thread, ended ones included
 * @param jitSeconds the part spent by the HotSpot C1/C2 compiler threads still running (one that ended
 *                   takes its share with it: per-thread times are all /proc has)
 */
record ProcessCpu(double seconds, double jitSeconds) {

    /** Linux reports CPU in clock ticks of 1/100 s (USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;

    static ProcessCpu of(long pid) {
        Path process = Path.of("/proc", Long.toString(pid));
        long all;
        long jit = 0;
        // The process's own line, not a sum over its threads: a thread that ended during a pass (a pool
        // shrinking) would take its CPU out of the sum and could make a pass's figure negative.
        try (Stream<Path> threads = Files.list(process.resolve("task"))) {
            all = ticks(Files.readString(process.resolve("stat")));
            for (Path thread : threads.toList()) {
                try {
                    String name = Files.readString(thread.resolve("comm")).strip();
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        jit += ticks(Files.readString(thread.resolve("stat")));
                    }
                } catch (IOException ended) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + process, e);
        }
        return new ProcessCpu(all / TICKS_PER_SECOND, jit / TICKS_PER_SECOND);
    }

    ProcessCpu minus(ProcessCpu earlier) {
        return new ProcessCpu(seconds - earlier.seconds, jitSeconds - earlier.jitSeconds);
    }

    /** utime + stime: fields 14 and 15 of a stat line, counted after the parenthesised name. */
    private static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
