package dev.skyferry.app.faults;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The suite's figures — faults injected, phases, outcomes — printed at the end whatever happened. */
final class Figures {

    private final Map<String, String> faults = new LinkedHashMap<>();
    private final Map<String, Duration> phases = new LinkedHashMap<>();
    private final Map<String, String> outcomes = new LinkedHashMap<>();

    synchronized void fault(String kind, Object figure) {
        faults.merge(kind, String.valueOf(figure), (a, b) -> a + "; " + b);
    }

    synchronized void phase(String name, Duration took) {
        phases.put(name, took);
    }

    synchronized void outcome(String what, Object figure) {
        outcomes.put(what, String.valueOf(figure));
    }

    synchronized String render(List<SuiteEvent> ledger, Duration total) {
        StringBuilder out = new StringBuilder("\n==== Skyferry fault suite ====\n");
        out.append("events published: ").append(ledger.size()).append('\n');
        Map<String, Long> byKind = new TreeMap<>(ledger.stream().collect(Collectors.groupingBy(
                e -> String.format("%-13s %-12s %s", e.kind(), e.direction(),
                        e.kind() == SuiteEvent.Kind.REPLICATE ? (e.size() > 5 << 20 ? "multi-part" : "single-part")
                                : e.expectedReason()),
                Collectors.counting())));
        byKind.forEach((kind, count) -> out.append(String.format("  %-50s %5d%n", kind, count)));
        out.append("faults injected:\n");
        faults.forEach((kind, figure) -> out.append(String.format("  %-50s %s%n", kind, figure)));
        out.append("outcomes:\n");
        outcomes.forEach((what, figure) -> out.append(String.format("  %-50s %s%n", what, figure)));
        out.append("phases:\n");
        phases.forEach((name, took) -> out.append(String.format("  %-50s %5.1f s%n", name, took.toMillis() / 1000.0)));
        out.append(String.format("  %-50s %5.1f s%n", "total (emulators and workers included)", total.toMillis() / 1000.0));
        return out.toString();
    }

    static <T> Map<String, Long> count(List<T> items, Function<T, String> key) {
        return new TreeMap<>(items.stream().collect(Collectors.groupingBy(key, Collectors.counting())));
    }
}
