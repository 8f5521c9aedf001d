package dev.skyferry.worker;

import java.util.List;

/** A liveness or readiness answer: ok, or the reasons it is not. */
public record HealthStatus(boolean ok, List<String> reasons) {

    public HealthStatus {
        reasons = List.copyOf(reasons);
    }

    static HealthStatus of(List<String> problems) {
        return new HealthStatus(problems.isEmpty(), problems);
    }
}
