package dev.skyferry.app.faults;

import static dev.skyferry.app.local.PrometheusText.samples;

import dev.skyferry.app.local.WorkerProcess;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Prometheus metrics of every worker process the suite ran, each as last scraped. A process that
 * is SIGKILLed takes its counters with it, so the current worker is scraped every second and once
 * more at each settled point; counts across processes are summed from those last scrapes.
 */
final class WorkerScrapes implements AutoCloseable {

    private final Map<Long, String> lastByPid = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());
    private volatile WorkerProcess current;
    /** Seen open at any scrape, per breaker name: proof that a fault reached the worker. */
    private final Map<String, Boolean> breakersSeenOpen = new ConcurrentHashMap<>();

    WorkerScrapes() {
        poller.scheduleWithFixedDelay(this::scrapeCurrent, 1, 1, TimeUnit.SECONDS);
    }

    /** The process to poll from now on. */
    void follow(WorkerProcess worker) {
        current = worker;
    }

    /** Scrapes {@code worker} now; false when it did not answer. */
    boolean scrape(WorkerProcess worker) {
        try {
            String text = worker.get("/metrics");
            if (!text.contains("skyferry_")) {
                return false;
            }
            lastByPid.put(worker.pid(), text);
            samples(text, "resilience4j_circuitbreaker_state").forEach((labels, value) -> {
                if (value > 0 && "open".equals(labels.get("state"))) {
                    breakersSeenOpen.put(labels.get("name"), true);
                }
            });
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean breakerSeenOpen(String name) {
        return breakersSeenOpen.getOrDefault(name, false);
    }

    void forgetBreakers() {
        breakersSeenOpen.clear();
    }

    private void scrapeCurrent() {
        WorkerProcess worker = current;
        if (worker != null && worker.isAlive()) {
            scrape(worker);
        }
    }

    /** The sum over every process of {@code metric} samples whose labels include {@code match}. */
    double sum(String metric, Map<String, String> match) {
        double total = 0;
        for (String text : lastByPid.values()) {
            for (var sample : samples(text, metric).entrySet()) {
                if (sample.getKey().entrySet().containsAll(match.entrySet())) {
                    total += sample.getValue();
                }
            }
        }
        return total;
    }

    /** Sums over every process of {@code metric}, by the value of one label, e.g. outcome/reason. */
    Map<String, Double> sumBy(String metric, Map<String, String> match, String... byLabels) {
        Map<String, Double> totals = new TreeMap<>();
        for (String text : lastByPid.values()) {
            for (var sample : samples(text, metric).entrySet()) {
                if (!sample.getKey().entrySet().containsAll(match.entrySet())) {
                    continue;
                }
                StringBuilder key = new StringBuilder();
                for (String label : byLabels) {
                    key.append(key.isEmpty() ? "" : " ").append(sample.getKey().getOrDefault(label, ""));
                }
                totals.merge(key.toString(), sample.getValue(), Double::sum);
            }
        }
        return totals;
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
