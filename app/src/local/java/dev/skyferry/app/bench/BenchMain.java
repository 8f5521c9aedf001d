package dev.skyferry.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyferry.app.bench.BenchObjects.Side;
import dev.skyferry.app.local.WorkerProcess;
import dev.skyferry.copy.CopySettings;
import dev.skyferry.testkit.EmulatorOptions;
import dev.skyferry.testkit.Emulators;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Throughput benchmark: Skyferry against rclone and a raw GET-then-PUT loop, on the same emulators,
 * at the same concurrency, in one run. Sections:
 * <ul>
 *   <li>{@code small}: N × 16 KiB objects each direction; objects/s and CPU seconds per 1 000 events;</li>
 *   <li>{@code large}: one large object (2 GiB) each direction, copied once untimed first, worker at -Xmx256m;
 *       MB/s and peak RSS;</li>
 *   <li>{@code counts}: requests per object for each tool, through counting proxies;</li>
 *   <li>{@code profile}: a JFR recording of the worker during an untimed small-object pass.</li>
 * </ul>
 * {@code all} (the default) runs them in that order. Results go to {@code <out>/throughput.json} and
 * {@code <out>/throughput.svg}; a Markdown table is printed. Run through {@code ./bench}.
 */
public final class BenchMain {

    private static final String AZURE_SOURCE = "bench-src-az";
    private static final String S3_SOURCE = "bench-src-s3";
    private static final List<String> TOOLS = List.of("skyferry", "rclone", "raw");
    private static final int COUNT_OBJECTS = 100;
    private static final int PROFILE_OBJECTS = 1000;
    private static final long MIB = 1024 * 1024;

    private final Options options;
    private final Path work;
    private final Emulators emulators;
    private final BenchObjects objects;
    private final ObjectNode report;
    private final ArrayNode results;

    private BenchMain(Options options, Path work, Emulators emulators, String rcloneVersion) {
        this.options = options;
        this.work = work;
        this.emulators = emulators;
        this.objects = new BenchObjects(emulators.blobService(), emulators.s3Client());
        this.report = new ObjectMapper().createObjectNode();
        report.put("generatedAt", Instant.now().toString());
        ObjectNode machine = report.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("cpu", cpuModel());
        machine.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("rclone", rcloneVersion);
        machine.put("note", "the emulators (Azurite: node; S3Proxy and ElasticMQ: in the bench driver's JVM), the"
                + " tool under test and the driver share these cores");
        ObjectNode settings = report.putObject("settings");
        settings.put("concurrency", options.concurrency);
        settings.put("smallObjects", options.objects);
        settings.put("warmupObjects", options.warmupObjects);
        settings.put("smallObjectBytes", options.smallSize);
        settings.put("largeObjectBytes", options.largeSize);
        settings.put("largeRepeats", options.largeRepeats);
        settings.put("skyferryCopy", copySettings().toString());
        settings.put("skyferryHeap", "-Xmx256m");
        settings.put("skyferryContainerJvmDefaults", String.join(" ", WorkerProcess.containerJvmDefaults(WorkerProcess.packagedJar())));
        settings.put("skyferryJvmOptions", String.join(" ", options.workerJvmOptions));
        settings.put("s3proxyStorage", "jclouds filesystem (disk)");
        this.results = report.putArray("results");
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Files.createDirectories(options.out);
        String rcloneVersion = Rclone.ensureInstalled();
        Path work = Files.createTempDirectory("skyferry-bench-");
        Path s3Data = Files.createDirectories(work.resolve("s3proxy"));
        System.out.println("bench: work folder " + work + " (deleted at the end when all goes well)");
        try (Emulators emulators = Emulators.start(EmulatorOptions.defaults().withS3OnDisk(s3Data)
                .withLogDirectory(Files.createDirectories(work.resolve("logs"))))) {
            BenchMain bench = new BenchMain(options, work, emulators, rcloneVersion);
            bench.createStores();
            if (options.runs("small")) {
                bench.small();
            }
            if (options.runs("large")) {
                bench.large();
            }
            if (options.runs("counts")) {
                bench.counts();
            }
            if (options.runs("profile")) {
                bench.profile();
            }
            bench.write();
        } catch (Exception | Error e) {
            // Keep the logs and configs to look at; the stored objects are what fills the disk.
            deleteRecursively(s3Data);
            System.err.println("bench: failed; logs and configs kept in " + work);
            throw e;
        }
        deleteRecursively(work);
    }

    // ------------------------------------------------------------------ sections

    private void small() throws Exception {
        System.out.println("bench: small objects — seeding " + options.objects + " × " + options.smallSize
                + " bytes (+ " + options.warmupObjects + " warm-up) each side");
        Map<Direction, Map<String, String>> warmup = seedBoth("warmup", options.warmupObjects, options.smallSize);
        Map<Direction, Map<String, String>> timed = seedBoth("small", options.objects, options.smallSize);
        try (SkyferryUnderTest skyferry = startSkyferry("worker-small", StoreEndpoints.of(emulators), List.of())) {
            for (Direction direction : Direction.values()) {
                warmUp(skyferry, direction, warmup.get(direction));
                SkyferryUnderTest.Pass pass = skyferry.replicate(direction, source(direction), timed.get(direction),
                        options.smallSize, Duration.ofMinutes(15));
                ObjectNode result = record("small", direction, "skyferry", pass.events(), options.smallSize,
                        pass.seconds(), pass.cpu(), verify(direction, "skyferry", timed.get(direction), options.smallSize), 1);
                result.put("enqueueSeconds", pass.enqueueSeconds());
                StageTimes stages = StageTimes.between(pass.metricsBefore(), pass.metricsAfter(), direction,
                        SkyferryUnderTest.sourceOf(direction), pass.seconds(), options.concurrency);
                result.set("stages", stages.toJson());
                System.out.println("bench: small " + direction.label + " where Skyferry's time went: " + stages.describe(pass.events()));
                recordMachineCpu(result, direction, "skyferry", pass.machine(), pass.cpu().seconds(), pass.events());
                result.put("peakRssBytes", skyferry.process().peakRssBytes());
                result.put("path", direction == Direction.S3_TO_AZURE ? "stream (s3ToAzureMode: stream)" : "stream");
                double queueAlone = QueueCeiling.measure(emulators, StoreEndpoints.of(emulators), direction,
                        source(direction), timed.get(direction), options.smallSize, options.concurrency);
                result.put("queueAloneEventsPerSecond", round(queueAlone));
                System.out.printf(Locale.ROOT, "bench: small %-11s queue alone (receive + delete, nothing copied) %8.1f events/s;"
                        + " Skyferry reaches %.0f %% of it%n", direction.label, queueAlone,
                        100 * result.get("objectsPerSecond").asDouble() / queueAlone);
                runPeers("small", direction, "small", warmup.get(direction), timed.get(direction), options.smallSize, 1);
            }
        }
    }

    /**
     * Untimed passes over the warm-up objects, no more events at once than a timed pass holds: Azurite's
     * queue answers slower the more messages it holds (docs/benchmarks.md), and a deeper queue would only
     * make the warm-up longer.
     */
    private void warmUp(SkyferryUnderTest skyferry, Direction direction, Map<String, String> warmup) throws Exception {
        List<Map.Entry<String, String>> entries = new ArrayList<>(warmup.entrySet());
        for (int from = 0; from < entries.size(); from += options.objects) {
            Map<String, String> chunk = new LinkedHashMap<>();
            entries.subList(from, Math.min(from + options.objects, entries.size()))
                    .forEach(entry -> chunk.put(entry.getKey(), entry.getValue()));
            skyferry.replicate(direction, source(direction), chunk, options.smallSize, Duration.ofMinutes(10));
        }
    }

    private void large() throws Exception {
        System.out.println("bench: large object — seeding " + options.largeSize + " bytes each side");
        String key = "large/obj-00000";
        Map<Direction, Map<String, String>> seeded = new LinkedHashMap<>();
        seeded.put(Direction.AZURE_TO_S3, Map.of(key, objects.seedLarge(Direction.AZURE_TO_S3, AZURE_SOURCE, key, options.largeSize)));
        seeded.put(Direction.S3_TO_AZURE, Map.of(key, objects.seedLarge(Direction.S3_TO_AZURE, S3_SOURCE, key, options.largeSize)));
        report.with("settings").put("largeSourceS3Etag", seeded.get(Direction.S3_TO_AZURE).get(key));
        try (SkyferryUnderTest skyferry = startSkyferry("worker-large", StoreEndpoints.of(emulators), List.of())) {
            for (Direction direction : Direction.values()) {
                // The worker is long-running: an untimed copy of the same object first lets the JIT compile
                // the streaming path, as the small passes warm up on other objects (the raw loop does the same).
                skyferry.replicate(direction, source(direction), seeded.get(direction), options.largeSize, Duration.ofMinutes(20));
                deleteReplica(direction, "skyferry", key);
                // With repeats, the tools take turns going first: the emulators' speed drifts over a run (in
                // the runs so far every tool got faster round by round), so a fixed order would favour one.
                for (int repeat = 1; repeat <= options.largeRepeats; repeat++) {
                    boolean skyferryFirst = repeat % 2 == 1;
                    if (skyferryFirst) {
                        timedLargeCopy(skyferry, direction, key, seeded.get(direction), repeat);
                    }
                    runPeers("large", direction, "large", seeded.get(direction), seeded.get(direction), options.largeSize, repeat);
                    if (!skyferryFirst) {
                        timedLargeCopy(skyferry, direction, key, seeded.get(direction), repeat);
                    }
                }
            }
        }
    }

    private void timedLargeCopy(SkyferryUnderTest skyferry, Direction direction, String key, Map<String, String> seeded,
                                int repeat) throws Exception {
        SkyferryUnderTest.Pass pass = skyferry.replicate(direction, source(direction), seeded, options.largeSize,
                Duration.ofMinutes(20));
        ObjectNode result = record("large", direction, "skyferry", 1, options.largeSize, pass.seconds(), pass.cpu(),
                verify(direction, "skyferry", seeded, options.largeSize), repeat);
        recordMachineCpu(result, direction, "skyferry", pass.machine(), pass.cpu().seconds(), 1);
        result.put("peakRssBytes", skyferry.process().peakRssBytes());
        result.put("path", direction == Direction.S3_TO_AZURE ? "stream (s3ToAzureMode: stream)" : "stream, multipart");
        result.put("replicaEtag", replicaEtag(direction, "skyferry", key));
        String metrics = skyferry.metrics();
        result.put("serverSideFallbacks", metrics.lines().filter(l -> l.startsWith("skyferry_server_side_fallbacks_total"))
                .reduce("", (a, b) -> a + b + "; "));
        deleteReplica(direction, "skyferry", key);
    }

    private void counts() throws Exception {
        System.out.println("bench: request counts — " + COUNT_OBJECTS + " objects each direction through counting proxies");
        Map<Direction, Map<String, String>> seeded = seedBoth("count", COUNT_OBJECTS, options.smallSize);
        ArrayNode table = report.putArray("requestsPerObject");
        try (CountingProxy blob = CountingProxy.inFrontOf(java.net.URI.create(emulators.blobEndpoint()));
             CountingProxy s3 = CountingProxy.inFrontOf(emulators.s3Endpoint());
             CountingProxy azureQueue = CountingProxy.inFrontOf(java.net.URI.create(emulators.queueEndpoint()));
             CountingProxy sqs = CountingProxy.inFrontOf(emulators.sqsEndpoint())) {
            StoreEndpoints proxied = StoreEndpoints.of(emulators).through(blob.uri(), s3.uri());
            SkyferryUnderTest.QueueEndpoints proxiedQueues = SkyferryUnderTest.QueueEndpoints.of(emulators)
                    .through(azureQueue.uri(), sqs.uri());
            try (SkyferryUnderTest skyferry = startSkyferry("worker-counts", proxied, proxiedQueues, List.of())) {
                for (Direction direction : Direction.values()) {
                    List.of(blob, s3, azureQueue, sqs).forEach(CountingProxy::takeCounts);
                    skyferry.replicate(direction, source(direction), seeded.get(direction), options.smallSize,
                            Duration.ofMinutes(5));
                    // The worker reads the events' blob URLs through the same proxied endpoint it is configured with.
                    // Both queues are counted in either direction: the idle one is polled all the same.
                    Map<String, Long> queueCalls = new TreeMap<>();
                    azureQueue.takeCounts().forEach((kind, count) -> queueCalls.put("Azure queue " + kind, count));
                    sqs.takeCounts().forEach((kind, count) -> queueCalls.put("SQS " + kind, count));
                    addCounts(table, direction, "skyferry", blob.takeCounts(), s3.takeCounts(), queueCalls);
                    require(verify(direction, "skyferry", seeded.get(direction), options.smallSize));
                }
            }
            Rclone rclone = Rclone.configure(proxied, work.resolve("rclone-counts.conf"), work.resolve("rclone-counts.log"));
            for (Direction direction : Direction.values()) {
                blob.takeCounts();
                s3.takeCounts();
                rclone.copy(remote(direction, true, source(direction), "count"),
                        remote(direction, false, target(direction, "rclone"), "count"), options.concurrency, List.of());
                addCounts(table, direction, "rclone", blob.takeCounts(), s3.takeCounts(), Map.of());
                require(verify(direction, "rclone", seeded.get(direction), options.smallSize));

                blob.takeCounts();
                s3.takeCounts();
                runRaw(direction, "small", List.of(), seeded.get(direction), proxied);
                addCounts(table, direction, "raw", blob.takeCounts(), s3.takeCounts(), Map.of());
                require(verify(direction, "raw", seeded.get(direction), options.smallSize));
            }
        }
    }

    private void profile() throws Exception {
        System.out.println("bench: profile — JFR of the warmed-up worker during " + PROFILE_OBJECTS
                + " small objects each direction");
        Map<Direction, Map<String, String>> warmup = seedBoth("profile-warmup", options.warmupObjects, options.smallSize);
        Map<Direction, Map<String, String>> seeded = seedBoth("profile", PROFILE_OBJECTS, options.smallSize);
        // Kept after the run (under target/, not committed: several MB) for `jfr view` / `jfr print`.
        Path recording = Path.of("app", "target", "bench-worker.jfr").toAbsolutePath();
        try (SkyferryUnderTest skyferry = startSkyferry("worker-profile", StoreEndpoints.of(emulators), List.of())) {
            for (Direction direction : Direction.values()) {
                warmUp(skyferry, direction, warmup.get(direction));
            }
            // Recorded from here on: the steady state of a long-running worker, not its JIT warm-up.
            jcmd(skyferry, "JFR.start", "name=bench", "settings=profile");
            for (Direction direction : Direction.values()) {
                skyferry.replicate(direction, source(direction), seeded.get(direction), options.smallSize, Duration.ofMinutes(10));
            }
            jcmd(skyferry, "JFR.stop", "name=bench", "filename=" + recording);
        }
        Path hot = options.out.resolve("profile-hot-methods.txt");
        Path jfr = Path.of(System.getProperty("java.home"), "bin", "jfr");
        Process view = new ProcessBuilder(jfr.toString(), "view", "--width", "160", "hot-methods", recording.toString())
                .redirectErrorStream(true).redirectOutput(hot.toFile()).start();
        if (view.waitFor() != 0) {
            throw new IllegalStateException("jfr view failed; see " + hot);
        }
        report.put("profile", "JFR of the worker over " + PROFILE_OBJECTS + " objects each direction; hot methods in "
                + hot.getFileName());
        System.out.println(Files.readString(hot));
    }

    private static void jcmd(SkyferryUnderTest skyferry, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(skyferry.process().pid())));
        line.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes());
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + output);
        }
    }

    // ------------------------------------------------------------------ tools

    private SkyferryUnderTest startSkyferry(String name, StoreEndpoints endpoints, List<String> extraJvmArgs) throws Exception {
        return startSkyferry(name, endpoints, SkyferryUnderTest.QueueEndpoints.of(emulators), extraJvmArgs);
    }

    private SkyferryUnderTest startSkyferry(String name, StoreEndpoints endpoints, SkyferryUnderTest.QueueEndpoints queues,
                                            List<String> extraJvmArgs) throws Exception {
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        jvm.addAll(options.workerJvmOptions);
        jvm.addAll(extraJvmArgs);
        return SkyferryUnderTest.start(emulators, endpoints, queues, new SkyferryUnderTest.Layout(AZURE_SOURCE,
                        target(Direction.AZURE_TO_S3, "skyferry"), S3_SOURCE, target(Direction.S3_TO_AZURE, "skyferry")),
                copySettings(), jvm, work, name);
    }

    /** The same concurrency for every tool: copies in flight = rclone --transfers = raw loop threads. */
    private Map<String, String> copySettings() {
        Map<String, String> copy = new LinkedHashMap<>();
        copy.put("maxCopiesInFlight", Integer.toString(options.concurrency));
        copy.put("partSize", "16MiB");
        copy.put("partsInFlightPerObject", "4");
        copy.put("readStreamsPerObject", Integer.toString(options.readStreams));
        copy.put("memoryBudget", options.memoryBudget);
        // Azurite cannot Put Block From URL from a non-Azurite source; server-side would fail and fall back per object.
        copy.put("s3ToAzureMode", "stream");
        return copy;
    }

    private void runPeers(String section, Direction direction, String prefix, Map<String, String> warmup,
                          Map<String, String> timed, long size, int repeat) throws Exception {
        Rclone rclone = Rclone.configure(StoreEndpoints.of(emulators), work.resolve("rclone.conf"),
                work.resolve("rclone-" + section + ".log"));
        List<String> flags = section.equals("large")
                ? List.of("--s3-chunk-size", "16M", "--s3-upload-concurrency", "4", "--azureblob-chunk-size", "16M",
                          "--azureblob-upload-concurrency", "4")
                : List.of();
        MachineCpu.Snapshot machineBefore = MachineCpu.now();
        Rclone.Run run = rclone.copy(remote(direction, true, source(direction), prefix),
                remote(direction, false, target(direction, "rclone"), prefix), options.concurrency, flags);
        MachineCpu.Usage machine = MachineCpu.between(machineBefore, MachineCpu.now());
        // rclone is compiled ahead of time: no JIT.
        ObjectNode rcloneResult = record(section, direction, "rclone", timed.size(), size, run.seconds(),
                new ProcessCpu(run.cpuSeconds(), 0), verify(direction, "rclone", timed, size), repeat);
        recordMachineCpu(rcloneResult, direction, "rclone", machine, run.cpuSeconds(), timed.size());
        if (section.equals("large")) {
            deleteReplica(direction, "rclone", timed.keySet().iterator().next());
        }
        RawResult raw = runRaw(direction, section, new ArrayList<>(warmup.keySet()), timed, StoreEndpoints.of(emulators));
        record(section, direction, "raw", timed.size(), size, raw.seconds, raw.cpu, verify(direction, "raw", timed, size), repeat);
        if (section.equals("large")) {
            deleteReplica(direction, "raw", timed.keySet().iterator().next());
        }
    }

    /**
     * The emulators' CPU beside the tool's, per object. Not for the raw loop: its process warms up on other
     * objects before its timed pass, which a measurement from outside cannot separate.
     */
    private static void recordMachineCpu(ObjectNode result, Direction direction, String tool, MachineCpu.Usage machine,
                                         double toolSeconds, long objects) {
        result.set("machineCpu", machine.toJson(tool, toolSeconds, objects));
        System.out.println("bench: " + result.get("section").asText() + " " + direction.label + " " + tool + " "
                + machine.describe(tool, toolSeconds, objects));
    }

    private record RawResult(double seconds, ProcessCpu cpu) {}

    private RawResult runRaw(Direction direction, String mode, List<String> warmup, Map<String, String> timed,
                             StoreEndpoints endpoints) throws Exception {
        Path keys = Files.write(work.resolve("raw-keys.txt"), timed.keySet());
        Path warmupKeys = Files.write(work.resolve("raw-warmup.txt"), warmup);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                RawCopyLoop.class.getName(), direction.label, source(direction), target(direction, "raw"),
                keys.toString(), warmupKeys.toString(), Integer.toString(options.concurrency),
                mode.equals("large") ? "large" : "small"));
        command.addAll(endpoints.toArgs());
        Path log = work.resolve("raw-" + mode + "-" + direction.label + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("the raw loop failed:\n" + Files.readString(log));
        }
        String line = Files.readAllLines(log).stream().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("the raw loop printed no result; see " + log));
        String[] parts = line.split(" ");
        return new RawResult(Double.parseDouble(parts[1]), new ProcessCpu(Double.parseDouble(parts[2]), Double.parseDouble(parts[3])));
    }

    // ------------------------------------------------------------------ stores and results

    private void createStores() {
        emulators.blobService().createBlobContainerIfNotExists(AZURE_SOURCE);
        emulators.s3Client().createBucket(b -> b.bucket(S3_SOURCE));
        for (String tool : TOOLS) {
            emulators.s3Client().createBucket(b -> b.bucket(target(Direction.AZURE_TO_S3, tool)));
            emulators.blobService().createBlobContainerIfNotExists(target(Direction.S3_TO_AZURE, tool));
        }
    }

    private static String source(Direction direction) {
        return direction == Direction.AZURE_TO_S3 ? AZURE_SOURCE : S3_SOURCE;
    }

    /** Each tool writes into its own empty bucket (Azure → S3) or container (S3 → Azure). */
    private static String target(Direction direction, String tool) {
        return "bench-" + tool + (direction == Direction.AZURE_TO_S3 ? "-a2s" : "-s2a");
    }

    private static String remote(Direction direction, boolean source, String name, String prefix) {
        boolean azure = (direction == Direction.AZURE_TO_S3) == source;
        return (azure ? "az:" : "s3:") + name + "/" + prefix;
    }

    private Map<Direction, Map<String, String>> seedBoth(String prefix, int count, int size) throws Exception {
        Map<Direction, Map<String, String>> seeded = new LinkedHashMap<>();
        for (Direction direction : Direction.values()) {
            seeded.put(direction, objects.seed(direction, source(direction), BenchObjects.keys(prefix, count), size));
        }
        return seeded;
    }

    private String verify(Direction direction, String tool, Map<String, String> keys, long size) {
        return objects.verify(direction, source(direction), target(direction, tool), new ArrayList<>(keys.keySet()), size);
    }

    private static void require(String problem) {
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    private String replicaEtag(Direction direction, String tool, String key) {
        return objects.etag(direction == Direction.AZURE_TO_S3 ? Side.S3 : Side.AZURE, target(direction, tool), key);
    }

    private void deleteReplica(Direction direction, String tool, String key) {
        objects.delete(direction == Direction.AZURE_TO_S3 ? Side.S3 : Side.AZURE, target(direction, tool), key);
    }

    /** One timed pass; {@code repeat} counts from 1 (the large section can be repeated, the others run once). */
    private ObjectNode record(String section, Direction direction, String tool, long count, long size, double seconds,
                              ProcessCpu cpu, String verificationProblem, int repeat) {
        double cpuSeconds = cpu.seconds();
        require(verificationProblem);
        ObjectNode result = results.addObject();
        result.put("section", section).put("direction", direction.label).put("tool", tool);
        result.put("repeat", repeat).put("repeats", section.equals("large") ? options.largeRepeats : 1);
        result.put("objects", count).put("objectBytes", size).put("seconds", round(seconds)).put("cpuSeconds", round(cpuSeconds));
        result.put("objectsPerSecond", round(count / seconds));
        result.put("mbPerSecond", round(count * size / 1e6 / seconds));
        result.put("cpuSecondsPer1000", round(cpuSeconds * 1000 / count));
        result.put("jitCpuSeconds", round(cpu.jitSeconds()));
        result.put("cpuSecondsPer1000WithoutJit", round((cpuSeconds - cpu.jitSeconds()) * 1000 / count));
        result.put("verified", "every replica present with the right size"
                + (size <= BenchObjects.LARGE_PART ? ", MD5 spot-checked" : ""));
        System.out.printf(Locale.ROOT, "bench: %-5s %-11s %-8s run %d %7.2f s  %8.1f obj/s  %8.1f MB/s  CPU %6.2f s (JIT %5.2f s)%n",
                section, direction.label, tool, repeat, seconds, count / seconds, count * size / 1e6 / seconds, cpuSeconds,
                cpu.jitSeconds());
        return result;
    }

    /** Store requests per object, and the queue calls per event of an event-driven tool (none for the others). */
    private static void addCounts(ArrayNode table, Direction direction, String tool, Map<String, Long> blob,
                                  Map<String, Long> s3, Map<String, Long> queue) {
        ObjectNode row = table.addObject();
        row.put("direction", direction.label).put("tool", tool).put("objects", COUNT_OBJECTS);
        ObjectNode azure = row.putObject("azureBlob");
        blob.forEach((kind, count) -> azure.put(kind, round((double) count / COUNT_OBJECTS)));
        ObjectNode aws = row.putObject("s3");
        s3.forEach((kind, count) -> aws.put(kind, round((double) count / COUNT_OBJECTS)));
        long total = Stream.concat(blob.values().stream(), s3.values().stream()).mapToLong(Long::longValue).sum();
        row.put("total", round((double) total / COUNT_OBJECTS));
        ObjectNode queues = row.putObject("queue");
        queue.forEach((kind, count) -> queues.put(kind, round((double) count / COUNT_OBJECTS)));
        row.put("queueTotal", round((double) queue.values().stream().mapToLong(Long::longValue).sum() / COUNT_OBJECTS));
        System.out.println("bench: requests per object, " + direction.label + ", " + tool + ": Azure " + azure + ", S3 " + aws
                + (queue.isEmpty() ? "" : ", queues " + queues));
    }

    private void write() throws IOException {
        Files.createDirectories(options.out);
        report.set("ratios", Ratios.of(results));
        Path json = options.out.resolve("throughput.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
        Path svg = options.out.resolve("throughput.svg");
        Files.writeString(svg, ThroughputChart.svg(results));
        System.out.println();
        System.out.println(ResultTable.markdown(results));
        System.out.println("bench: wrote " + json + " and " + svg);
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    // ------------------------------------------------------------------ options

    /**
     * @param warmupObjects objects replicated, untimed, before each timed small-object pass: the worker is
     *                      long-running, and HotSpot compiles a per-object method with C2 only after some
     *                      10 000 calls (with 3 000, half the worker's CPU in the timed pass was still the JIT)
     * @param largeRepeats  timed copies of the large object per tool and direction, the tools taking turns
     *                      going first; the ratios are the medians of each round's (a round takes about 3 minutes)
     * @param readStreams   the worker's copy.readStreamsPerObject: GETs reading one large object at once
     * @param memoryBudget  the worker's copy.memoryBudget (96MiB: six of the bench's 16 MiB parts)
     * @param workerJvmOptions JVM options for the worker besides -Xmx256m, e.g. the GC its pod would pick
     */
    private record Options(List<String> sections, int objects, int warmupObjects, int smallSize, long largeSize,
                           int largeRepeats, int concurrency, int readStreams, String memoryBudget, List<String> workerJvmOptions,
                           Path out) {

        static final List<String> ALL = List.of("small", "large", "counts", "profile");

        boolean runs(String section) {
            return sections.contains(section);
        }

        static Options parse(String[] args) {
            List<String> sections = new ArrayList<>();
            int objects = 2000;
            int warmupObjects = 10_000;
            int smallSize = 16 * 1024;
            long largeSize = 2L * 1024 * MIB;
            int largeRepeats = 1;
            int concurrency = 16;
            int readStreams = CopySettings.DEFAULT_READ_STREAMS;
            String memoryBudget = "96MiB";
            List<String> workerJvmOptions = new ArrayList<>();
            Path out = Path.of("docs/bench");
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--objects" -> objects = Integer.parseInt(args[++i]);
                    case "--warmup" -> warmupObjects = Integer.parseInt(args[++i]);
                    case "--small-size" -> smallSize = (int) parseSize(args[++i]);
                    case "--large-size" -> largeSize = parseSize(args[++i]);
                    case "--large-repeats" -> largeRepeats = Math.max(1, Integer.parseInt(args[++i]));
                    case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                    case "--read-streams" -> readStreams = Integer.parseInt(args[++i]);
                    case "--memory-budget" -> memoryBudget = args[++i];
                    case "--worker-jvm-option" -> workerJvmOptions.add(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    case "all" -> sections.addAll(ALL);
                    default -> {
                        if (!ALL.contains(args[i])) {
                            throw new IllegalArgumentException("usage: bench [small|large|counts|profile|all]... "
                                    + "[--objects N] [--warmup N] [--small-size 16KiB] [--large-size 2GiB] [--large-repeats 1] [--concurrency 16] "
                                    + "[--read-streams 1] [--memory-budget 96MiB] [--worker-jvm-option -XX:+UseSerialGC]... [--out docs/bench]; unknown: " + args[i]);
                        }
                        sections.add(args[i]);
                    }
                }
            }
            return new Options(sections.isEmpty() ? ALL : sections, objects, warmupObjects, smallSize, largeSize, largeRepeats, concurrency,
                    readStreams, memoryBudget, List.copyOf(workerJvmOptions), out);
        }

        static long parseSize(String text) {
            String t = text.trim();
            long unit = 1;
            for (var entry : List.of(Map.entry("GiB", 1024 * MIB), Map.entry("MiB", MIB), Map.entry("KiB", 1024L),
                    Map.entry("B", 1L))) {
                if (t.endsWith(entry.getKey())) {
                    unit = entry.getValue();
                    t = t.substring(0, t.length() - entry.getKey().length());
                    break;
                }
            }
            return Long.parseLong(t.trim()) * unit;
        }
    }
}
