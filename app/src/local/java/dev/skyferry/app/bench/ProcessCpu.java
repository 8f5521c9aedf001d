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
 * @param seconds    utime + stime of every thread
 * @param jitSeconds the part spent by the HotSpot C1/C2 compiler threads
 */
record ProcessCpu(double seconds, double jitSeconds) {

    /** Linux reports CPU in clock ticks of 1/100 s (USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;

    static ProcessCpu of(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long all = 0;
        long jit = 0;
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : threads.toList()) {
                long ticks;
                String name;
                try {
                    ticks = ticks(Files.readString(thread.resolve("stat")));
                    name = Files.readString(thread.resolve("comm")).strip();
                } catch (IOException ended) {
                    continue; // the thread ended between the listing and the read
                }
                all += ticks;
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    jit += ticks;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tasks, e);
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
