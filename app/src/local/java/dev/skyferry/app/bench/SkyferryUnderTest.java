package dev.skyferry.app.bench;

import com.azure.storage.queue.QueueClient;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyferry.app.local.EmulatorConfig;
import dev.skyferry.app.local.WorkerProcess;
import dev.skyferry.testkit.Emulators;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The production worker ({@code java -jar skyferry.jar run}) consuming the bench's two queues, with one
 * rule per direction so each direction writes into its own empty target:
 * Azure container {@code azureSource} → bucket {@code s3Target}, and bucket {@code s3Source} → container
 * {@code azureTarget}. The bench plays Event Grid and S3 notifications itself: it enqueues exactly one
 * event per source object, so no echo event of a replica ever reaches the worker.
 */
final class SkyferryUnderTest implements AutoCloseable {

    /** Only to notice that a pass is over; its end instant is the timestamp of the worker's own log line. */
    private static final Duration WATCH_EVERY = Duration.ofMillis(250);

    /** What the bench tells the worker to replicate; the sources and targets of {@link #config}. */
    record Layout(String azureSource, String s3Target, String s3Source, String azureTarget) {}

    /**
     * Where the worker reaches its two queues: the emulators directly, or counting proxies in front of
     * them. The bench itself always sends its events to the emulators directly.
     *
     * @param azureQueueEndpoint e.g. {@code http://127.0.0.1:10001/devstoreaccount1}
     */
    record QueueEndpoints(String azureQueueEndpoint, URI sqsEndpoint) {
        static QueueEndpoints of(Emulators emulators) {
            return new QueueEndpoints(emulators.queueEndpoint(), emulators.sqsEndpoint());
        }

        QueueEndpoints through(URI azureQueueProxy, URI sqsProxy) {
            return new QueueEndpoints(azureQueueProxy + "/" + Emulators.AZURE_ACCOUNT, sqsProxy);
        }
    }

    /**
     * One timed pass: wall seconds from the events becoming visible to the last replicated, CPU of the
     * worker and of the emulators, and the worker's {@code /metrics} before and after.
     */
    record Pass(double seconds, ProcessCpu cpu, MachineCpu.Usage machine, double enqueueSeconds, long events,
                String metricsBefore, String metricsAfter) {}

    private final WorkerProcess worker;
    private final QueueClient azureQueue;
    private final BenchEvents events;

    private SkyferryUnderTest(Emulators emulators, StoreEndpoints endpoints, WorkerProcess worker, QueueClient azureQueue,
                              String sqsQueueUrl) {
        this.worker = worker;
        this.azureQueue = azureQueue;
        this.events = new BenchEvents(emulators, endpoints, azureQueue, sqsQueueUrl);
    }

    /**
     * Creates the worker's queues (fresh names) and starts it, ready.
     *
     * @param endpoints the stores as the worker reaches them (direct, or through counting proxies)
     * @param queues    the queues as the worker reaches them
     * @param copy      the copy settings node (partSize, memoryBudget, maxCopiesInFlight, ...)
     */
    static SkyferryUnderTest start(Emulators emulators, StoreEndpoints endpoints, QueueEndpoints queues, Layout layout,
                                   Map<String, String> copy, List<String> jvmArgs, Path workDir, String name)
            throws Exception {
        String azureQueueName = Emulators.freshName("bench-events");
        emulators.queueService().createQueue(azureQueueName);
        emulators.queueService().createQueue(azureQueueName + "-poison");
        String sqsQueueName = Emulators.freshName("bench-events");
        String dlqUrl = emulators.sqsClient().createQueue(b -> b.queueName(sqsQueueName + "-dlq")).queueUrl();
        String queueUrl = emulators.sqsClient().createQueue(b -> b.queueName(sqsQueueName)).queueUrl();

        EmulatorConfig config = new EmulatorConfig(emulators, layout.azureSource(), layout.s3Target(), azureQueueName,
                queueUrl, dlqUrl);
        ObjectNode tree = config.tree();
        ((ObjectNode) tree.get("azure").get("accounts").get(0)).put("blobEndpoint", endpoints.blobEndpoint())
                .put("queueEndpoint", queues.azureQueueEndpoint());
        ((ObjectNode) tree.get("aws").get("endpoints")).put("s3", endpoints.s3Endpoint().toString())
                .put("sqs", queues.sqsEndpoint().toString());
        ArrayNode rules = tree.putArray("rules");
        rule(rules, "azure-to-s3", emulators.azureAccount(), layout.azureSource(), layout.s3Target(), "azure-to-s3");
        rule(rules, "s3-to-azure", emulators.azureAccount(), layout.azureTarget(), layout.s3Source(), "s3-to-azure");
        // A queue idle while the next pass is sent would otherwise be polled only every 10 s (the default
        // cap for an idle queue), and the pass would start with up to that much wait.
        ((ObjectNode) tree.get("sources").get(0)).put("maxPollInterval", "1s");
        ObjectNode copyNode = tree.putObject("copy");
        copy.forEach(copyNode::put);
        int port = freePort();
        tree.withObject("/worker/http").put("port", port);
        // INFO is the production default: one line per verified replica, which the bench watches for.
        tree.withObject("/logging").put("format", "json").put("level", "INFO");
        Path file = config.writeTo(workDir.resolve(name + ".yaml"));
        WorkerProcess worker = WorkerProcess.start(WorkerProcess.packagedJar(), file, port, jvmArgs,
                workDir.resolve(name + ".log"));
        try {
            worker.awaitReady(Duration.ofSeconds(120));
        } catch (RuntimeException | InterruptedException e) {
            worker.close();
            throw e;
        }
        QueueClient azureQueue = emulators.queueService().getQueueClient(azureQueueName); // base64, as Event Grid writes
        return new SkyferryUnderTest(emulators, endpoints, worker, azureQueue, queueUrl);
    }

    private static void rule(ArrayNode rules, String name, String account, String container, String bucket, String direction) {
        ObjectNode rule = rules.addObject();
        rule.put("name", name).put("direction", direction);
        rule.putObject("azure").put("account", account).put("container", container);
        rule.putObject("s3").put("bucket", bucket);
    }

    /**
     * Enqueues one event per object (sources written beforehand) and waits until the worker counts them
     * all replicated. The events are sent invisible (Azure's initial visibility timeout, SQS DelaySeconds)
     * and become visible together at one instant, so the queue is full when the clock starts and the
     * driver's sending does not compete with the worker for the CPU. The clock runs from that instant to
     * the timestamp of the worker's last {@code replicated} log line (written once the replica is verified).
     *
     * @param etags key → source ETag
     */
    Pass replicate(Direction direction, String source, Map<String, String> etags, long size, Duration timeout)
            throws Exception {
        WorkerLogTail tail = WorkerLogTail.fromNow(worker.log());
        String metricsBefore = metrics();
        Instant visibleAt = BenchEvents.visibleInstantFor(etags.size());
        double enqueueSeconds = events.send(direction, source, etags, size, visibleAt);
        BenchEvents.awaitVisible(visibleAt, enqueueSeconds, etags.size());
        ProcessCpu cpuBefore = ProcessCpu.of(worker.pid());
        MachineCpu.Snapshot machineBefore = MachineCpu.now();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (tail.replicated(direction) < etags.size()) {
            if (tail.deadLettered() > 0) {
                throw new IllegalStateException("the worker dead-lettered " + tail.deadLettered() + " events, first: "
                        + tail.firstDeadLetter().orElseThrow() + "; see " + worker.log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + tail.replicated(direction) + " of " + etags.size()
                        + " events replicated within " + timeout + "; see " + worker.log());
            }
            Thread.sleep(WATCH_EVERY);
            tail.read();
        }
        ProcessCpu cpu = ProcessCpu.of(worker.pid()).minus(cpuBefore);
        MachineCpu.Usage machine = MachineCpu.between(machineBefore, MachineCpu.now());
        double seconds = Duration.between(visibleAt, tail.lastReplicatedAt().orElseThrow()).toNanos() / 1e9;
        return new Pass(seconds, cpu, machine, enqueueSeconds, etags.size(), metricsBefore, metrics());
    }

    /** The worker's name for the queue the bench sends {@code direction}'s events to. */
    static String sourceOf(Direction direction) {
        return direction == Direction.AZURE_TO_S3 ? EmulatorConfig.AZURE_SOURCE : EmulatorConfig.S3_SOURCE;
    }

    String metrics() throws IOException, InterruptedException {
        return worker.get("/metrics");
    }

    WorkerProcess process() {
        return worker;
    }

    /** SIGTERM and wait: the worker drains and exits (a JFR recording is written on exit). */
    void stop() throws InterruptedException {
        worker.terminate();
        worker.waitFor(Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        worker.close();
        azureQueue.deleteIfExists();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
