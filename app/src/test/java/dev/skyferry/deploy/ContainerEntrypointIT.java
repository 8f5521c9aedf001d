package dev.skyferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs deploy/container/entrypoint.sh — the image's ENTRYPOINT — against the jar `mvn package` built
 * (app/target/skyferry.jar + lib/), with the same JVM flags, so the container's start command is
 * tested without a Docker engine. Runs in the integration-test phase (after package).
 */
class ContainerEntrypointIT {

    /** Set by failsafe (app/pom.xml), which runs after `package`; absent when surefire picks this class up. */
    private static final String PACKAGED_JAR = System.getProperty("skyferry.packagedJar");
    private static Path jar;
    private static final Path SCRIPT = DeployFiles.DEPLOY.resolve("container/entrypoint.sh");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static String usage;

    record Result(int exitCode, String stdout, String stderr) {
        String output() {
            return stdout + stderr;
        }
    }

    @BeforeAll
    static void jarIsBuilt() {
        assumeTrue(PACKAGED_JAR != null, "integration test: runs in `mvn verify` after the jar is packaged");
        jar = Path.of(PACKAGED_JAR);
        assertThat(jar).isRegularFile();
        assertThat(jar.resolveSibling("lib")).isDirectory();
    }

    private ProcessBuilder entrypoint(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        // Only what a container would have: no SKYFERRY_* leaking in from the developer's shell.
        environment.keySet().removeIf(name -> name.startsWith("SKYFERRY_") || name.startsWith("AZURE_") || name.startsWith("AWS_"));
        environment.put("APP_JAR", jar.toString());
        // The JDK running this test (21+) is the `java` the script finds, as the image's JRE is.
        environment.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + environment.getOrDefault("PATH", "/usr/bin:/bin"));
        environment.put("JAVA_OPTS", "-Xshare:auto");
        environment.putAll(env);
        builder.directory(dir.toFile());
        return builder;
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = entrypoint(env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .as("entrypoint %s finished", List.of(args)).isTrue();
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            process.destroyForcibly();
        }
    }

    private Path write(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    /** Valid, but every endpoint is 127.0.0.1:9 where nothing listens. */
    private Path unreachableConfig(int httpPort) throws IOException {
        String nowhere = "http://127.0.0.1:9";
        return write("unreachable.yaml", """
                azure:
                  auth:
                    mode: shared-key
                    connectionString: "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=bm90LWEtcmVhbC1rZXk=;BlobEndpoint=%1$s/devstoreaccount1;QueueEndpoint=%1$s/devstoreaccount1"
                  accounts:
                    - name: devstoreaccount1
                      blobEndpoint: %1$s/devstoreaccount1
                      queueEndpoint: %1$s/devstoreaccount1
                aws:
                  region: us-east-1
                  auth: { mode: static, accessKeyId: AKIAEXAMPLEEXAMPLE00, secretAccessKey: example-secret-not-used-by-any-service }
                  endpoints: { s3: "%1$s", sqs: "%1$s", sts: "%1$s" }
                  s3PathStyle: true
                sources:
                  - name: azure-events
                    type: azure-queue
                    account: devstoreaccount1
                    queue: skyferry-events
                  - name: s3-events
                    type: sqs
                    queueUrl: %1$s/000000000000/skyferry-events
                rules:
                  - name: photos
                    azure: { account: devstoreaccount1, container: photos }
                    s3: { bucket: photos-backup }
                worker:
                  drainGrace: 5s
                  http: { port: %2$d }
                logging: { format: text }
                """.formatted(nowhere, httpPort));
    }

    private static final String BLANK_BUCKET = """
            azure:
              accounts: [{ name: contosobackup }]
            aws:
              region: eu-west-1
            rules:
              - name: photos
                azure: { account: contosobackup, container: photos }
                s3: { bucket: "" }
            """;

    @Test
    void printsTheVersion() throws Exception {
        Result result = run(Map.of(), "--version");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.stdout()).startsWith("skyferry ");
    }

    @Test
    void printsUsage() throws Exception {
        Result result = run(Map.of(), "--help");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.stdout()).startsWith("Usage: skyferry");
    }

    /**
     * The worker and check commands are wired by the app as it grows; until the jar has them these
     * tests report as skipped (with this reason) instead of failing the build for the wrong cause.
     */
    private void assumeCommand(String command) throws Exception {
        if (usage == null) {
            usage = run(Map.of(), "--help").stdout();
        }
        assumeTrue(Pattern.compile("(?m)^\\s+" + command + "\\b").matcher(usage).find(),
                "`skyferry " + command + "` is not in this build yet; this test expects it");
    }

    @Test
    void checkRejectsAnInvalidConfigurationNamingTheSettingAndExitingWith2() throws Exception {
        assumeCommand("check");
        Path config = write("invalid.yaml", BLANK_BUCKET);

        Result result = run(Map.of(), "check", "--config", config.toString());

        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.stderr()).contains("rules[0].s3.bucket");
    }

    @Test
    void withoutArgumentsRunsTheWorkerOnTheConfigFile() throws Exception {
        assumeCommand("run");
        // SKYFERRY_CONFIG moves the default path off /etc/skyferry/skyferry.yaml, as a mounted file would be.
        Path config = write("invalid.yaml", BLANK_BUCKET);

        Result result = run(Map.of("SKYFERRY_CONFIG", config.toString()));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.stderr()).contains("rules[0].s3.bucket");
    }

    @Test
    void workerServesHealthAndMetricsThenStopsOnSigtermWithinItsDrainGrace() throws Exception {
        assumeCommand("run");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = unreachableConfig(port);
        Path log = dir.resolve("worker.log");
        Process worker = entrypoint(Map.of(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> health = null;
            Instant deadline = Instant.now().plus(COMMAND_TIMEOUT);
            while (health == null && Instant.now().isBefore(deadline) && worker.isAlive()) {
                try {
                    health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (IOException notYetListening) {
                    Thread.sleep(250);
                }
            }
            assertThat(health).as("worker answered /healthz; log:\n" + Files.readString(log)).isNotNull();
            // Liveness: the process is fine even though no cloud is reachable (readiness says why not).
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("skyferry_");

            // exec in the script makes the JVM the process that gets SIGTERM, as PID 1 in the container.
            worker.destroy();
            // drainGrace is 5s; Kubernetes would SIGKILL after terminationGracePeriodSeconds (30s).
            assertThat(worker.waitFor(30, TimeUnit.SECONDS)).as("stopped after SIGTERM; log:\n" + Files.readString(log)).isTrue();
            // No warning for Netty's native transport (the jar's Enable-Native-Access) and no uncaught
            // exception from a library thread (mixed Netty versions threw at event-loop shutdown).
            assertThat(Files.readString(log)).doesNotContain("A restricted method", "Exception in thread");
        } finally {
            worker.destroyForcibly();
        }
    }
}
