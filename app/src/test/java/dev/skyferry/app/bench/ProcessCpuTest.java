package dev.skyferry.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

/** The bench's CPU of a process, read from /proc. */
class ProcessCpuTest {

    @Test
    void aThreadThatEndedKeepsItsCpuInTheProcesssTotal() throws Exception {
        long pid = ProcessHandle.current().pid();
        ProcessCpu before = ProcessCpu.of(pid);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Thread busy = Thread.ofPlatform().start(() -> {
            while (threads.getCurrentThreadCpuTime() < 300_000_000L) {
                Thread.onSpinWait(); // 0.3 s of this thread's own CPU, however busy the machine
            }
        });
        busy.join();

        ProcessCpu after = ProcessCpu.of(pid);

        // Summed over the threads still running, the ended one's 0.3 s would be missing.
        assertThat(after.minus(before).seconds()).isGreaterThanOrEqualTo(0.2);
    }
}
