package dev.skyferry.testkit;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import dev.skyferry.queue.SqsDeleteBatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One running set of emulators on loopback ports: Azurite (Blob + Queue, a node child process),
 * S3Proxy with SigV4 and ElasticMQ (both in this JVM). Used by the tests (usually through
 * {@link #shared()} or {@link EmulatorExtension}) and by {@code skyferry local}; it does not depend on JUnit.
 *
 * <p>Azurite is installed by {@code npm ci} from {@code tools/azurite/package-lock.json} on first use.
 * Its output goes to {@code target/emulator-logs/} of the Maven module the tests run in (or of the
 * repository root), or to {@link EmulatorOptions#logDirectory()}.
 */
public final class Emulators implements AutoCloseable, AwsServices {

    /** Azurite's fixed development account and its well-known key (public, documented by Microsoft). */
    public static final String AZURE_ACCOUNT = "devstoreaccount1";
    public static final String AZURE_ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    public static final String AWS_REGION = "us-east-1";
    /** The account id in ElasticMQ's queue URLs and ARNs ({@code arn:aws:sqs:us-east-1:000000000000:<queue>}). */
    public static final String AWS_ACCOUNT_ID = ElasticMqServer.ACCOUNT_ID;
    /** {@code -Dskyferry.emulators.verbose=true} makes the shared set log what the emulators do. */
    public static final String VERBOSE_PROPERTY = "skyferry.emulators.verbose";

    private static final String AZURITE_DATA_PREFIX = "skyferry-azurite-";
    private static final Pattern AZURITE_DATA_NAME = Pattern.compile(AZURITE_DATA_PREFIX + "(\\d+)-\\d+-\\d+");
    private static final Logger LOG = LoggerFactory.getLogger(Emulators.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int NAME_SUFFIX_LENGTH = 12;
    /** Leaves room for the suffix and for "-poison" (Azure's 63-character limit). */
    private static final int MAX_PREFIX_LENGTH = 40;
    private static final Pattern VALID_PREFIX = Pattern.compile("[a-z0-9](?:-?[a-z0-9])*");
    private static final List<String> EMULATOR_LOGGERS =
            // org.gaul covers S3Proxy and the Jetty it shades (org.gaul.shaded.org.eclipse.jetty).
            List.of("org.gaul", "org.jclouds", "org.elasticmq", "org.apache.pekko");

    private static Emulators shared;
    /** A failed shared start is remembered: every later test fails fast with the same cause. */
    private static RuntimeException sharedStartFailure;

    private final AzuriteService azuriteBlob;
    private final AzuriteService azuriteQueue;
    private final S3ProxyServer s3;
    private final ElasticMqServer sqs;
    private final Path azuriteData;
    private final String awsAccessKeyId;
    private final String awsSecretAccessKey;
    private final Thread shutdownHook;
    private BlobServiceClient blobService;
    private QueueServiceClient queueService;
    private S3Client s3Client;
    private SqsClient sqsClient;
    private SqsAsyncClient sqsAsyncClient;
    private SqsDeleteBatcher sqsDeletes;
    private boolean closed;

    private Emulators(AzuriteService azuriteBlob, AzuriteService azuriteQueue, S3ProxyServer s3, ElasticMqServer sqs,
                      Path azuriteData, String awsAccessKeyId, String awsSecretAccessKey) {
        this.azuriteBlob = azuriteBlob;
        this.azuriteQueue = azuriteQueue;
        this.s3 = s3;
        this.sqs = sqs;
        this.azuriteData = azuriteData;
        this.awsAccessKeyId = awsAccessKeyId;
        this.awsSecretAccessKey = awsSecretAccessKey;
        this.shutdownHook = new Thread(this::stopAll, "emulators-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The per-JVM shared set: started on first use, stopped by a JVM shutdown hook. Don't close it. */
    public static synchronized Emulators shared() {
        if (sharedStartFailure != null) {
            throw new IllegalStateException("the shared emulators failed to start earlier in this JVM",
                    sharedStartFailure);
        }
        if (shared == null || shared.isClosed()) {
            try {
                shared = start(EmulatorOptions.defaults().withVerbose(Boolean.getBoolean(VERBOSE_PROPERTY)));
            } catch (RuntimeException e) {
                sharedStartFailure = e;
                throw e;
            }
        }
        return shared;
    }

    /** A fresh independent set (fault tests, {@code skyferry local}); close() stops it. */
    public static Emulators start() {
        return start(EmulatorOptions.defaults());
    }

    /** Same, with options (e.g. fixed ports for {@code skyferry local}, verbose logging). */
    public static Emulators start(EmulatorOptions options) {
        long started = System.nanoTime();
        setEmulatorLogLevels(options.verbose());
        AzuriteInstallation installation = AzuriteInstallation.locate();
        Path logDirectory = options.logDirectory().orElseGet(() -> defaultLogDirectory(installation));
        String instance = ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet();
        deleteDataOfDeadJvms();
        Path azuriteData = createTempDirectory(AZURITE_DATA_PREFIX + instance + "-");
        String accessKeyId = options.awsAccessKeyId()
                .orElseGet(() -> "AKIA" + randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
        String secretAccessKey = options.awsSecretAccessKey()
                .orElseGet(() -> randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40));

        // Azurite and S3Proxy are restarted on their ports in fault tests: unless fixed, the ports lie below
        // the ephemeral range, out of reach of the outgoing connections made while they are down.
        int[] restartable = LoopbackPorts.freeOutsideEphemeralRange(3);
        int blobPort = options.azuriteBlobPort() != 0 ? options.azuriteBlobPort() : restartable[0];
        int queuePort = options.azuriteQueuePort() != 0 ? options.azuriteQueuePort() : restartable[1];
        int s3Port = options.s3Port() != 0 ? options.s3Port() : restartable[2];
        AzuriteService blob = new AzuriteService("blob", installation, azuriteData,
                logDirectory.resolve("azurite-blob-" + instance + ".log"), options.verbose(), blobPort);
        AzuriteService queue = new AzuriteService("queue", installation, azuriteData,
                logDirectory.resolve("azurite-queue-" + instance + ".log"), options.verbose(), queuePort);
        // Azurite (possibly installing first) and the two JVM emulators start side by side.
        CompletableFuture<Long> azurite = async(() -> timed(() -> {
            installation.ensureInstalled(logDirectory);
            startBoth(blob, queue);
        }));
        long s3Begin = System.nanoTime();
        CompletableFuture<S3ProxyServer> s3 = async(() -> new S3ProxyServer(accessKeyId, secretAccessKey, s3Port,
                options.s3DiskDirectory()));
        CompletableFuture<Long> s3Started = s3.thenApply(server -> {
            server.start();
            return (System.nanoTime() - s3Begin) / 1_000_000;
        });
        long sqsBegin = System.nanoTime();
        CompletableFuture<ElasticMqServer> sqs = async(() -> new ElasticMqServer(AWS_REGION, options.sqsPort()));
        CompletableFuture<Long> sqsStarted = sqs.thenApply(server -> {
            server.start();
            return (System.nanoTime() - sqsBegin) / 1_000_000;
        });
        try {
            CompletableFuture.allOf(azurite, s3Started, sqsStarted).join();
        } catch (CompletionException e) {
            // Stop whatever did start, so a failed start leaves no process or port behind.
            List<Runnable> cleanup = new ArrayList<>(List.of(blob::stop, queue::stop,
                    () -> deleteRecursively(azuriteData)));
            s3.thenAccept(server -> cleanup.add(server::close));
            sqs.thenAccept(server -> cleanup.add(server::close));
            cleanup.forEach(Emulators::runQuietly);
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("could not start the emulators", cause);
        }
        Emulators emulators = new Emulators(blob, queue, s3.join(), sqs.join(), azuriteData, accessKeyId, secretAccessKey);
        LOG.info("Emulators up in {} ms (Azurite {} ms, S3Proxy {} ms, ElasticMQ {} ms): blob {}, queue {}, s3 {}, "
                        + "sqs {}; Azurite logs in {}", (System.nanoTime() - started) / 1_000_000, azurite.join(),
                s3Started.join(), sqsStarted.join(), emulators.blobEndpoint(), emulators.queueEndpoint(),
                emulators.s3Endpoint(), emulators.sqsEndpoint(), logDirectory);
        return emulators;
    }

    // ---- Azure (Azurite) ----

    public String azureAccount() {
        return AZURE_ACCOUNT;
    }

    public String azureAccountKey() {
        return AZURE_ACCOUNT_KEY;
    }

    /** {@code http://127.0.0.1:<port>/devstoreaccount1} */
    public String blobEndpoint() {
        return "http://127.0.0.1:" + azuriteBlob.port() + "/" + AZURE_ACCOUNT;
    }

    /** {@code http://127.0.0.1:<port>/devstoreaccount1} */
    public String queueEndpoint() {
        return "http://127.0.0.1:" + azuriteQueue.port() + "/" + AZURE_ACCOUNT;
    }

    public String azureConnectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + AZURE_ACCOUNT + ";AccountKey=" + AZURE_ACCOUNT_KEY
                + ";BlobEndpoint=" + blobEndpoint() + ";QueueEndpoint=" + queueEndpoint() + ";";
    }

    public synchronized BlobServiceClient blobService() {
        if (blobService == null) {
            blobService = new BlobServiceClientBuilder().connectionString(azureConnectionString()).buildClient();
        }
        return blobService;
    }

    /**
     * A queue client with {@link QueueMessageEncoding#BASE64}, the encoding Event Grid and Azure Functions use
     * on Storage Queues; {@link #queueService(QueueMessageEncoding)} gives another.
     */
    public synchronized QueueServiceClient queueService() {
        if (queueService == null) {
            queueService = queueService(QueueMessageEncoding.BASE64);
        }
        return queueService;
    }

    /** A new queue client with the given message encoding. */
    public QueueServiceClient queueService(QueueMessageEncoding encoding) {
        return new QueueServiceClientBuilder()
                .connectionString(azureConnectionString())
                .messageEncoding(encoding)
                .buildClient();
    }

    // ---- AWS (S3Proxy, ElasticMQ) ----

    @Override
    public URI s3Endpoint() {
        return URI.create("http://127.0.0.1:" + s3.port());
    }

    @Override
    public URI sqsEndpoint() {
        return URI.create("http://127.0.0.1:" + sqs.port());
    }

    @Override
    public String awsRegion() {
        return AWS_REGION;
    }

    @Override
    public String awsAccessKeyId() {
        return awsAccessKeyId;
    }

    @Override
    public String awsSecretAccessKey() {
        return awsSecretAccessKey;
    }

    @Override
    public synchronized S3Client s3Client() {
        if (s3Client == null) {
            s3Client = AwsClients.s3(s3Endpoint(), AWS_REGION, awsAccessKeyId, awsSecretAccessKey);
        }
        return s3Client;
    }

    @Override
    public synchronized SqsClient sqsClient() {
        if (sqsClient == null) {
            sqsClient = AwsClients.sqs(sqsEndpoint(), AWS_REGION, awsAccessKeyId, awsSecretAccessKey);
        }
        return sqsClient;
    }

    /** Batched deletes on ElasticMQ, for the {@code SqsSource}s tests build; closed with the emulators. */
    public synchronized SqsDeleteBatcher sqsDeletes() {
        if (sqsDeletes == null) {
            sqsAsyncClient = AwsClients.sqsAsync(sqsEndpoint(), AWS_REGION, awsAccessKeyId, awsSecretAccessKey);
            sqsDeletes = new SqsDeleteBatcher(sqsAsyncClient);
        }
        return sqsDeletes;
    }

    /** The ARN ElasticMQ gives a queue of this name, e.g. for a redrive policy's deadLetterTargetArn. */
    public String sqsQueueArn(String queueName) {
        return "arn:aws:sqs:" + AWS_REGION + ":" + AWS_ACCOUNT_ID + ":" + queueName;
    }

    // ---- names ----

    /**
     * A fresh lowercase name valid as an Azure container, S3 bucket, Azure queue and SQS queue name:
     * {@code prefix-} and 12 random letters/digits. The prefix must be 1-40 lowercase letters, digits and
     * single hyphens, starting and ending with a letter or digit, so "-poison"/"-dlq" can still be appended.
     */
    public static String freshName(String prefix) {
        if (prefix == null || prefix.length() > MAX_PREFIX_LENGTH || !VALID_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("name prefix must be 1-" + MAX_PREFIX_LENGTH
                    + " lowercase letters, digits and single inner hyphens, was \"" + prefix + "\"");
        }
        return prefix + "-" + randomString(NAME_ALPHABET, NAME_SUFFIX_LENGTH);
    }

    // ---- faults ----

    /** Stops Azurite (Blob and Queue); its data stays for {@link #startAzurite()}. */
    public void stopAzurite() {
        azuriteBlob.stop();
        azuriteQueue.stop();
    }

    /** Starts Azurite again on the same ports, with the data it had. */
    public void startAzurite() {
        requireOpen();
        startBoth(azuriteBlob, azuriteQueue);
    }

    /** Stops S3Proxy; buckets and objects stay for {@link #startS3()}. */
    public void stopS3() {
        s3.stop();
    }

    /** Starts S3Proxy again on the same port, with the data it had. */
    public void startS3() {
        requireOpen();
        s3.start();
    }

    /** Stops ElasticMQ's HTTP server; queues and messages stay for {@link #startSqs()}. */
    public void stopSqs() {
        sqs.stop();
    }

    /** Starts ElasticMQ again on the same port, with the queues and messages it had. */
    public void startSqs() {
        requireOpen();
        sqs.start();
    }

    /** Stops every emulator, drops their data and closes the clients. Calling it again does nothing. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or has run stopAll already.
        }
    }

    private synchronized void stopAll() {
        if (closed) {
            return;
        }
        closed = true;
        Stream.<Runnable>of(
                () -> closeQuietly(s3Client),
                () -> closeQuietly(sqsClient),
                () -> closeQuietly(sqsDeletes),
                () -> closeQuietly(sqsAsyncClient),
                azuriteBlob::stop,
                azuriteQueue::stop,
                s3::close,
                sqs::close,
                () -> deleteRecursively(azuriteData)).forEach(Emulators::runQuietly);
    }

    /** True once {@link #close()} ran (or the JVM is shutting down). */
    public synchronized boolean isClosed() {
        return closed;
    }

    private synchronized void requireOpen() {
        if (closed) {
            throw new IllegalStateException("these emulators are closed");
        }
    }

    /** Blob and Queue are separate node processes: starting them side by side halves the wait. */
    private static void startBoth(AzuriteService blob, AzuriteService queue) {
        CompletableFuture<Void> blobStarted = async(() -> {
            blob.start();
            return null;
        });
        queue.start();
        try {
            blobStarted.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Runs the step and returns how long it took, in milliseconds. */
    private static long timed(Runnable step) {
        long start = System.nanoTime();
        step.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static <T> CompletableFuture<T> async(Supplier<T> task) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread.ofPlatform().name("emulator-start").daemon().start(() -> {
            try {
                future.complete(task.get());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        return future;
    }

    /** {@code target/emulator-logs} of the Maven module we run in, else of the repository root. */
    private static Path defaultLogDirectory(AzuriteInstallation installation) {
        Path workingDirectory = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path base = Files.isRegularFile(workingDirectory.resolve("pom.xml"))
                ? workingDirectory : installation.repositoryRoot();
        return base.resolve("target").resolve("emulator-logs");
    }

    /** Quiet by default: S3Proxy at DEBUG, for one, halves its throughput and floods the test output. */
    private static void setEmulatorLogLevels(boolean verbose) {
        try {
            EmulatorLogLevels.set(EMULATOR_LOGGERS, verbose);
        } catch (LinkageError noLogback) {
            LOG.debug("logback is not on the class path; emulator log levels are left as configured");
        }
    }

    private static String randomString(String alphabet, int length) {
        StringBuilder result = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            result.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return result.toString();
    }

    /** A JVM killed with -9 cannot remove its Azurite data folder; the next start does. */
    private static void deleteDataOfDeadJvms() {
        try (Stream<Path> folders = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            folders.filter(folder -> {
                var name = AZURITE_DATA_NAME.matcher(folder.getFileName().toString());
                return name.matches() && ProcessHandle.of(Long.parseLong(name.group(1))).isEmpty();
            }).forEach(folder -> runQuietly(() -> deleteRecursively(folder)));
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not look for Azurite data of dead JVMs", e);
        }
    }

    private static Path createTempDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary folder for Azurite's data", e);
        }
    }

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + directory, e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.debug("closing {} failed", closeable, e);
        }
    }

    private static void runQuietly(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.warn("stopping an emulator failed", e);
        }
    }
}
