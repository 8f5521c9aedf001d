package dev.skyferry.app.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where a pass's CPU went across the machine, not only in the tool: the emulators' processes (Azurite's
 * blob and queue services are node processes of their own; S3Proxy and ElasticMQ run in this driver's
 * JVM) and the machine as a whole ({@code /proc/stat}). On 2 shared cores, once the machine is busy, a
 * pass is bounded by the CPU per object summed over every process it makes work, which is what this shows.
 */
final class MachineCpu {

    static final String AZURITE_BLOB = "Azurite blob";
    static final String AZURITE_QUEUE = "Azurite queue";
    static final String DRIVER = "driver JVM (S3Proxy, ElasticMQ)";
    private static final List<String> PROCESSES = List.of(AZURITE_QUEUE, AZURITE_BLOB, DRIVER);

    private MachineCpu() {}

    /** CPU seconds of each emulator process and the machine's busy and total ticks, at one instant. */
    record Snapshot(long machineBusyTicks, long machineTicks, Map<String, Double> processSeconds) {}

    /**
     * One pass's share.
     *
     * @param machineBusy    share of all cores' time that was busy (any process), 0..1
     * @param processSeconds CPU seconds of each emulator process during the pass
     */
    record Usage(double machineBusy, Map<String, Double> processSeconds) {

        /** The tool's own CPU seconds beside the emulators', each per object in milliseconds. */
        Map<String, Double> msPerObject(String tool, double toolSeconds, long objects) {
            Map<String, Double> perObject = new LinkedHashMap<>();
            perObject.put(tool, 1000 * toolSeconds / objects);
            processSeconds.forEach((process, seconds) -> perObject.put(process, 1000 * seconds / objects));
            return perObject;
        }

        ObjectNode toJson(String tool, double toolSeconds, long objects) {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.put("machineBusy", Math.round(machineBusy * 1000) / 1000.0);
            ObjectNode perObject = node.putObject("cpuMsPerObject");
            msPerObject(tool, toolSeconds, objects).forEach((process, ms) -> perObject.put(process, Math.round(ms * 100) / 100.0));
            return node;
        }

        String describe(String tool, double toolSeconds, long objects) {
            Map<String, Double> perObject = msPerObject(tool, toolSeconds, objects);
            return String.format(Locale.ROOT, "CPU ms per object by process: %s (sum %.2f); machine busy %.0f %%",
                    perObject.entrySet().stream()
                            .map(entry -> String.format(Locale.ROOT, "%s %.2f", entry.getKey(), entry.getValue()))
                            .collect(Collectors.joining(", ")),
                    perObject.values().stream().mapToDouble(Double::doubleValue).sum(), 100 * machineBusy);
        }
    }

    static Snapshot now() {
        long[] machine = machineTicks();
        Map<String, Double> processes = new LinkedHashMap<>();
        ProcessHandle.current().descendants().forEach(process -> emulatorOf(process.info().commandLine().orElse(""))
                .ifPresent(emulator -> processes.merge(emulator, ProcessCpu.of(process.pid()).seconds(), Double::sum)));
        processes.put(DRIVER, ProcessCpu.of(ProcessHandle.current().pid()).seconds());
        return new Snapshot(machine[0], machine[1], processes);
    }

    /** Which Azurite service a child process runs, by the script on its command line. */
    static Optional<String> emulatorOf(String commandLine) {
        if (commandLine.contains("azurite") && commandLine.contains("/blob/main.js")) {
            return Optional.of(AZURITE_BLOB);
        }
        if (commandLine.contains("azurite") && commandLine.contains("/queue/main.js")) {
            return Optional.of(AZURITE_QUEUE);
        }
        return Optional.empty();
    }

    static Usage between(Snapshot before, Snapshot after) {
        long ticks = after.machineTicks - before.machineTicks;
        double busy = ticks <= 0 ? 0 : (double) (after.machineBusyTicks - before.machineBusyTicks) / ticks;
        Map<String, Double> processes = new LinkedHashMap<>();
        for (String process : PROCESSES) {
            Double seconds = after.processSeconds.get(process);
            if (seconds != null) {
                // One that started during the pass spent all of its CPU in it.
                processes.put(process, seconds - before.processSeconds.getOrDefault(process, 0.0));
            }
        }
        return new Usage(busy, processes);
    }

    /** Busy and total ticks of all cores: the first line of /proc/stat, idle and iowait being the not-busy part. */
    private static long[] machineTicks() {
        try {
            List<String> fields = List.of(Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+"));
            long total = 0;
            // cpu user nice system idle iowait irq softirq steal (guest time is already counted in user)
            for (int i = 1; i <= 8 && i < fields.size(); i++) {
                total += Long.parseLong(fields.get(i));
            }
            long idle = Long.parseLong(fields.get(4)) + Long.parseLong(fields.get(5));
            return new long[] {total - idle, total};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/stat", e);
        }
    }
}
