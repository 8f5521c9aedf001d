package dev.skyferry.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench's CPU by process: what it finds on this machine, and the per-object arithmetic. */
class MachineCpuTest {

    @Test
    void aPassIsTheGrowthBetweenTwoSnapshotsPerObjectWithTheToolFirst() {
        MachineCpu.Snapshot before = new MachineCpu.Snapshot(1_000, 4_000,
                Map.of(MachineCpu.AZURITE_QUEUE, 10.0, MachineCpu.DRIVER, 5.0));
        MachineCpu.Snapshot after = new MachineCpu.Snapshot(1_900, 5_000,
                Map.of(MachineCpu.AZURITE_QUEUE, 16.5, MachineCpu.DRIVER, 6.0, MachineCpu.AZURITE_BLOB, 3.0));

        MachineCpu.Usage usage = MachineCpu.between(before, after);

        assertThat(usage.machineBusy()).isCloseTo(0.9, within(1e-9));
        // A process first seen in the second snapshot started during the pass: all its CPU counts.
        assertThat(usage.msPerObject("skyferry", 4.0, 2_000)).containsExactly(
                Map.entry("skyferry", 2.0), Map.entry(MachineCpu.AZURITE_QUEUE, 3.25), Map.entry(MachineCpu.AZURITE_BLOB, 1.5),
                Map.entry(MachineCpu.DRIVER, 0.5));
        assertThat(usage.describe("skyferry", 4.0, 2_000)).isEqualTo("CPU ms per object by process: skyferry 2.00, "
                + "Azurite queue 3.25, Azurite blob 1.50, driver JVM (S3Proxy, ElasticMQ) 0.50 (sum 7.25); machine busy 90 %");
        assertThat(usage.toJson("skyferry", 4.0, 2_000).get("cpuMsPerObject").get(MachineCpu.AZURITE_QUEUE).asDouble())
                .isEqualTo(3.25);
    }

    @Test
    void tellsAzuritesServicesByTheScriptOnTheirCommandLine() {
        // As the emulators start them (AzuriteService).
        String node = "/usr/bin/node --require /tmp/skyferry-azurite-1/exit-with-parent-%s.js"
                + " /w/tools/azurite/node_modules/azurite/dist/src/%s/main.js --%sHost 127.0.0.1 --%sPort 0";

        assertThat(MachineCpu.emulatorOf(node.formatted("queue", "queue", "queue", "queue"))).contains(MachineCpu.AZURITE_QUEUE);
        assertThat(MachineCpu.emulatorOf(node.formatted("blob", "blob", "blob", "blob"))).contains(MachineCpu.AZURITE_BLOB);
        assertThat(MachineCpu.emulatorOf("/usr/bin/rclone copy az:src/small s3:dst/small")).isEmpty();
    }

    @Test
    void measuresThisJvmAsTheDriverAndTheMachineAsAShareOfItsCores() {
        MachineCpu.Snapshot first = MachineCpu.now();
        burnCpu(200);
        MachineCpu.Usage usage = MachineCpu.between(first, MachineCpu.now());

        assertThat(usage.processSeconds().get(MachineCpu.DRIVER)).isPositive();
        assertThat(usage.machineBusy()).isPositive().isLessThanOrEqualTo(1.0);
    }

    private static void burnCpu(long millis) {
        long until = System.nanoTime() + millis * 1_000_000;
        long sum = 0;
        while (System.nanoTime() < until) {
            sum += Long.hashCode(sum * 31 + 7);
        }
        assertThat(sum).isNotNull();
    }
}
