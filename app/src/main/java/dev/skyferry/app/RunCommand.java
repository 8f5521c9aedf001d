package dev.skyferry.app;

import dev.skyferry.app.config.SkyferryConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code skyferry run}: the long-running worker. SIGTERM (or Ctrl-C) drains: stop receiving, let
 * in-flight copies finish within {@code worker.drainGrace}, release the rest to their queues, exit 0.
 * A second signal exits at once: nothing becomes visible half-written (multipart writes are only
 * committed whole) and unfinished messages reappear when their visibility times out.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Consume the configured queues and replicate every event until SIGTERM.")
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);
    /** Exit status of a forced stop on the second signal: 128 + SIGTERM, as a shell would report it. */
    static final int FORCED_EXIT = 143;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> env = System.getenv();
        SkyferryConfig loaded = config.load(env, RunCommand::problemsForRun);
        RunningWorker worker = WorkerAssembly.start(loaded, env);
        log.info("skyferry worker started: {} sources, {} rules, http port {}",
                loaded.sources().size(), loaded.rules().size(), worker.httpPort());

        CountDownLatch stopped = new CountDownLatch(1);
        AtomicInteger signals = new AtomicInteger();
        SignalHandler onSignal = signal -> {
            if (signals.incrementAndGet() > 1) {
                log.warn("second {} signal: exiting now without draining", signal.getName());
                Runtime.getRuntime().halt(FORCED_EXIT);
            }
            log.info("{} received: draining for up to {}", signal.getName(), loaded.worker().drainGrace());
            Thread.ofPlatform().name("skyferry-drain").start(() -> {
                worker.close();
                stopped.countDown();
            });
        };
        Signal.handle(new Signal("TERM"), onSignal);
        Signal.handle(new Signal("INT"), onSignal);
        stopped.await();
        log.info("skyferry worker stopped");
        return 0;
    }

    /** check and the ops commands need no queue; the worker consumes them. */
    private static List<String> problemsForRun(SkyferryConfig config) {
        return config.sources().isEmpty() ? List.of("sources: at least one queue to consume is needed for run") : List.of();
    }
}
