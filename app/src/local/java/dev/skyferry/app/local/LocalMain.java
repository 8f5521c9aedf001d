package dev.skyferry.app.local;

import dev.skyferry.app.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./skyferry local}: the worker on embedded emulators. Lives outside the production jar (it
 * needs Azurite, S3Proxy and ElasticMQ, which the image must not carry); the launcher puts it on the
 * classpath with the emulators.
 */
@Command(name = "skyferry local", mixinStandardHelpOptions = true,
        description = {
            "Starts Azurite (Blob + Queue), S3Proxy (S3) and ElasticMQ (SQS) on loopback, creates a container,",
            "a bucket and the event queues, and runs the real worker against them. A local event bridge",
            "publishes an event, exactly as Event Grid and S3 would, for every object that appears or changes",
            "on either side, so objects you drop in with your usual tools replicate too. Runs until Ctrl-C,",
            "or with --seed, writes sample objects on each side, waits until all are replicated and verified,",
            "prints a summary and exits 0 only if all replicated."})
public final class LocalMain implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--seed", paramLabel = "N", description = "Write N sample objects on each side, wait for their replicas, print a summary and exit.")
    int seed;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "180", description = "With --seed: how long to wait for all replicas (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080", description = "Port for /healthz, /readyz and /metrics (0 picks a free one; default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--verbose", description = "Show the worker's log lines (JSON) as well.")
    boolean verbose;

    public static void main(String[] args) {
        Main.preferAdaptiveNettyAllocator(); // the worker runs in this process, as under `skyferry run`
        System.exit(new CommandLine(new LocalMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try (LocalEnvironment environment = LocalEnvironment.start(httpPort, verbose)) {
            environment.printConnectionDetails(System.out);
            if (seed > 0) {
                SeedRun.Summary summary = new SeedRun(environment, seed).run(java.time.Duration.ofSeconds(timeoutSeconds));
                summary.print(System.out);
                return summary.allReplicated() ? 0 : 1;
            }
            System.out.println("Running. Drop objects into either side; press Ctrl-C to stop.");
            Thread.currentThread().join();
            return 0;
        }
    }
}
