package dev.skyferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyferry.app.metrics.MicrometerMetrics;
import dev.skyferry.resilience.CircuitBreakerSettings;
import dev.skyferry.resilience.Endpoint;
import dev.skyferry.resilience.EndpointBreakers;
import dev.skyferry.store.StoreException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the Prometheus alert rules query only what the worker exports, as
 * documented in docs/configuration.md: metric names, label names and outcome values.
 */
class ObservabilityTest {

    private static final JsonNode DASHBOARD = DeployFiles.json(DeployFiles.read(DeployFiles.DEPLOY.resolve("grafana/skyferry-dashboard.json")));
    private static final JsonNode ALERTS = DeployFiles.yaml(DeployFiles.read(DeployFiles.DEPLOY.resolve("prometheus/skyferry-alerts.yaml")));

    /** Labels Prometheus itself adds (target labels) or that histograms carry. */
    private static final Set<String> SCRAPE_LABELS = Set.of("le", "instance", "job");

    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*[{\\[]");
    private static final Pattern PREFIXED = Pattern.compile("\\b((?:skyferry|resilience4j)_[a-z0-9_]+)\\b");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|on|without|ignoring)\\s*\\(([^)]*)\\)");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
    private static final Pattern DOC_ROW = Pattern.compile("^\\| `([a-z0-9_]+)` \\| (?:counter|gauge|histogram) \\| (.*)\\|$", Pattern.MULTILINE);

    private static List<String> dashboardQueries() {
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : DASHBOARD.path("panels")) {
            panel.path("targets").forEach(target -> queries.add(target.path("expr").asText()));
        }
        DASHBOARD.path("templating").path("list").forEach(variable -> {
            if (variable.path("type").asText().equals("query")) {
                queries.add(variable.path("query").path("query").asText());
            }
        });
        return queries;
    }

    private static Map<String, String> alertQueries() {
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode group : ALERTS.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                queries.put(rule.path("alert").asText(), rule.path("expr").asText());
            }
        }
        return queries;
    }

    private static JsonNode alertRule(String name) {
        for (JsonNode group : ALERTS.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.path("alert").asText().equals(name)) {
                    return rule;
                }
            }
        }
        throw new AssertionError("no alert " + name);
    }

    private static JsonNode panel(String title) {
        for (JsonNode panel : DASHBOARD.path("panels")) {
            if (panel.path("title").asText().equals(title)) {
                return panel;
            }
        }
        throw new AssertionError("no panel " + title);
    }

    /** Metric names a query selects, histogram series suffixes folded into the histogram's name. */
    private static Set<String> metricsIn(String query) {
        String withoutStrings = query.replaceAll("\"[^\"]*\"", "\"\"");
        Set<String> names = new TreeSet<>();
        Matcher selector = SELECTOR.matcher(withoutStrings);
        while (selector.find()) {
            names.add(selector.group(1));
        }
        Matcher prefixed = PREFIXED.matcher(withoutStrings);
        while (prefixed.find()) {
            names.add(prefixed.group(1));
        }
        Set<String> folded = new TreeSet<>();
        for (String name : names) {
            String base = name.replaceAll("_(bucket|sum|count)$", "");
            folded.add(DeployFiles.documentedHistograms().contains(base) ? base : name);
        }
        return folded;
    }

    private static Set<String> labelsIn(String query) {
        Set<String> labels = new TreeSet<>();
        Matcher grouping = GROUPING.matcher(query);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.trim());
                }
            }
        }
        Matcher matcher = MATCHER.matcher(query);
        while (matcher.find()) {
            labels.add(matcher.group(1));
        }
        return labels;
    }

    private static Set<String> documentedLabels() {
        Set<String> labels = new TreeSet<>();
        Matcher row = DOC_ROW.matcher(DeployFiles.read(DeployFiles.CONFIGURATION_DOC));
        while (row.find()) {
            Matcher label = Pattern.compile("`([a-z_]+)`").matcher(row.group(2));
            while (label.find()) {
                labels.add(label.group(1));
            }
        }
        return labels;
    }

    /** The documented outcome values: "`outcome` (replicated, skipped, retried, dead_lettered)". */
    private static Set<String> documentedOutcomes() {
        Matcher m = Pattern.compile("`outcome` \\(([a-z_, ]+)\\)").matcher(DeployFiles.read(DeployFiles.CONFIGURATION_DOC));
        assertThat(m.find()).isTrue();
        Set<String> outcomes = new TreeSet<>();
        for (String outcome : m.group(1).split(",")) {
            outcomes.add(outcome.trim());
        }
        return outcomes;
    }

    @Test
    void dashboardQueriesOnlyDocumentedMetricsAndCoversThemAll() {
        Set<String> used = new TreeSet<>();
        for (String query : dashboardQueries()) {
            assertThat(metricsIn(query)).as(query).isNotEmpty().isSubsetOf(DeployFiles.documentedMetrics());
            used.addAll(metricsIn(query));
        }
        assertThat(used).containsExactlyInAnyOrderElementsOf(DeployFiles.documentedMetrics());
    }

    @Test
    void alertsQueryOnlyDocumentedMetrics() {
        alertQueries().forEach((alert, query) ->
                assertThat(metricsIn(query)).as(alert + ": " + query).isNotEmpty().isSubsetOf(DeployFiles.documentedMetrics()));
    }

    @Test
    void queriesUseOnlyDocumentedLabelsAndOutcomes() {
        Set<String> allowedLabels = new TreeSet<>(documentedLabels());
        allowedLabels.addAll(SCRAPE_LABELS);
        List<String> queries = new ArrayList<>(dashboardQueries());
        queries.addAll(alertQueries().values());

        for (String query : queries) {
            assertThat(labelsIn(query)).as(query).isSubsetOf(allowedLabels);
            Matcher outcome = Pattern.compile("outcome\\s*(?:=~|!~|!=|=)\\s*\"([^\"]*)\"").matcher(query);
            while (outcome.find()) {
                assertThat(Set.of(outcome.group(1).split("\\|"))).as(query).isSubsetOf(documentedOutcomes());
            }
        }
    }

    @Test
    void alertRulesCoverTheFiveFailureModes() {
        Map<String, String> queries = alertQueries();

        assertThat(queries).containsOnlyKeys("SkyferryDeadLettersGrowing", "SkyferryReplicationLagAboveObjective",
                "SkyferryCircuitBreakerOpen", "SkyferryNoProgressWhileQueueGrows", "SkyferryNoWorkerRunning");
        assertThat(queries.get("SkyferryDeadLettersGrowing")).contains("skyferry_events_total{outcome=\"dead_lettered\"}");
        assertThat(queries.get("SkyferryReplicationLagAboveObjective"))
                .contains("histogram_quantile(0.99").contains("skyferry_replication_lag_seconds_bucket");
        assertThat(queries.get("SkyferryCircuitBreakerOpen")).contains("resilience4j_circuitbreaker_state{state=\"closed\"}");
        assertThat(queries.get("SkyferryNoProgressWhileQueueGrows")).contains("skyferry_queue_depth").contains("unless on (source)");
        assertThat(queries.get("SkyferryNoWorkerRunning")).startsWith("absent(");
        for (JsonNode group : ALERTS.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("labels").path("severity").asText()).as(rule.path("alert").asText()).isIn("warning", "critical");
                assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
            }
        }
    }

    /**
     * A pod creates a counter series at its first event of a kind, already at 1 or more; increase() sees
     * no rise in it, so a first dead letter (or a burst before the first scrape) would go uncounted.
     */
    @Test
    void deadLettersCountInFullWhenTheirSeriesAppearsWithinTheWindow() {
        assertCountsSeriesBornInTheWindow(alertQueries().get("SkyferryDeadLettersGrowing"),
                "skyferry_events_total{outcome=\"dead_lettered\"}", "15m");
        assertCountsSeriesBornInTheWindow(panel("Outcomes other than replicated, by reason").path("targets").get(0).path("expr").asText(),
                "skyferry_events_total{job=~\"$job\", outcome!=\"replicated\"}", "$__range");
    }

    private static void assertCountsSeriesBornInTheWindow(String query, String selector, String window) {
        String flat = query.replaceAll("\\s+", " ");
        assertThat(flat).as("series that did not exist a window ago count in full, the others by their increase")
                .contains(selector + " unless " + selector + " offset " + window)
                .contains(") or increase(" + selector + "[" + window + "])");
    }

    /**
     * During an outage the breaker is never open for long at a stretch: it turns half-open by itself to
     * probe, and open again when the probes fail. What holds throughout is that it is not closed.
     */
    @Test
    void breakerAlertWatchesTheClosedStateThatAnOutageNeverReaches() throws InterruptedException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        EndpointBreakers breakers = new EndpointBreakers(new CircuitBreakerSettings(50, 20, Duration.ofMillis(100)));
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers.registry()).bindTo(registry);
        CircuitBreaker s3 = breakers.breaker(Endpoint.S3);

        Set<String> statesInTheOutage = new TreeSet<>();
        long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < end) {
            try {
                s3.executeRunnable(() -> {
                    throw new StoreException(StoreException.Kind.UNAVAILABLE, 503, "ServiceUnavailable", "down", null, null);
                });
            } catch (RuntimeException failedOrRejected) {
                // every call the breaker lets through fails: the outage never ends
            }
            String state = breakerState(registry.scrape(), "s3");
            if (!statesInTheOutage.isEmpty() || !state.equals("closed")) {
                statesInTheOutage.add(state);
            }
            Thread.sleep(5);
        }

        assertThat(statesInTheOutage).contains("open", "half_open").doesNotContain("closed");
        JsonNode rule = alertRule("SkyferryCircuitBreakerOpen");
        assertThat(rule.path("expr").asText())
                .isEqualTo("min by (name) (max_over_time(resilience4j_circuitbreaker_state{state=\"closed\"}[5m])) == 0");
        // 401 and 403 are not transient: they dead-letter events and never count against a breaker.
        assertThat(rule.path("annotations").path("description").asText()).doesNotContain("lost permission");
    }

    private static String breakerState(String scrape, String name) {
        Matcher state = Pattern.compile("resilience4j_circuitbreaker_state\\{name=\"" + name + "\",state=\"([a-z_]+)\"} 1\\.0")
                .matcher(scrape);
        assertThat(state.find()).as(scrape).isTrue();
        return state.group(1);
    }

    /** Every other rule needs series a running worker exports: with no worker at all they stay silent. */
    @Test
    void anAlertFiresWhenNoWorkerExportsAnything() {
        Matcher absent = Pattern.compile("absent\\((skyferry_[a-z_]+)\\)").matcher(alertRule("SkyferryNoWorkerRunning").path("expr").asText());
        assertThat(absent.matches()).isTrue();

        // The gauge it watches exists from the worker's start, not from its first event.
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new MicrometerMetrics(registry).bindGauges(() -> 0, () -> 0);
        assertThat(registry.scrape()).containsPattern("(?m)^" + absent.group(1) + " 0\\.0$");
    }

    @Test
    void dashboardPanelsAreWellFormed() {
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : DASHBOARD.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique panel id " + panel.path("id")).isTrue();
            if (!panel.path("type").asText().equals("row")) {
                assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
                assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            }
        }
        assertThat(DASHBOARD.path("uid").asText()).isEqualTo("skyferry-worker");
    }
}
