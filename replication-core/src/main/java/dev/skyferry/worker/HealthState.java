package dev.skyferry.worker;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The worker's health as plain data, for the app to serve on {@code /healthz} and {@code /readyz}.
 *
 * <ul>
 *   <li><b>Live</b> while the worker runs and every source's receive loop is alive. Not live means
 *       restart me: only a stopped worker or a dead loop says so, never a slow dependency.</li>
 *   <li><b>Ready</b> when every source and every probed target answered its last probe and no
 *       circuit breaker a source needs is open. Otherwise the reasons say which and since when,
 *       e.g. {@code circuit breaker s3 is open: paused sources azure-events}.</li>
 * </ul>
 */
public final class HealthState {

    private record Answer(boolean ok, String reason, Instant at) {}

    private final Clock clock;
    private final Map<String, Answer> answers = new LinkedHashMap<>();
    private final Supplier<List<String>> livenessProblems;
    private final Supplier<List<String>> readinessProblems;

    /**
     * @param components        what must answer before the worker is ready (sources, probes)
     * @param livenessProblems  the worker's own reasons not to be live
     * @param readinessProblems the worker's own reasons not to be ready (lifecycle, open breakers)
     */
    HealthState(Clock clock, List<String> components, Supplier<List<String>> livenessProblems,
                Supplier<List<String>> readinessProblems) {
        this.clock = clock;
        this.livenessProblems = livenessProblems;
        this.readinessProblems = readinessProblems;
        components.forEach(component -> answers.put(component, null));
    }

    public HealthStatus liveness() {
        return HealthStatus.of(livenessProblems.get());
    }

    public HealthStatus readiness() {
        List<String> problems = new ArrayList<>(readinessProblems.get());
        synchronized (answers) {
            answers.forEach((component, answer) -> {
                if (answer == null) {
                    problems.add(component + ": no answer yet");
                } else if (!answer.ok()) {
                    problems.add(component + ": " + answer.reason() + " (since " + answer.at() + ")");
                }
            });
        }
        return HealthStatus.of(problems);
    }

    void answered(String component) {
        synchronized (answers) {
            answers.put(component, new Answer(true, null, clock.instant()));
        }
    }

    /** Records a failed probe; keeps the time of the first failure in a row. */
    void failed(String component, String reason) {
        synchronized (answers) {
            Answer previous = answers.get(component);
            Instant since = previous != null && !previous.ok() ? previous.at() : clock.instant();
            answers.put(component, new Answer(false, reason, since));
        }
    }
}
