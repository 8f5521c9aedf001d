package dev.skyferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyferry.app.Wiring;
import dev.skyferry.app.config.ConfigLoader;
import dev.skyferry.app.config.SkyferryConfig;
import dev.skyferry.worker.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Helm chart, rendered by the real Helm engine and checked against the app and the image. */
class HelmChartTest {

    private static RenderedChart chart;

    @TempDir
    Path dir;

    @BeforeAll
    static void render() {
        chart = RenderedChart.withExampleValues(Map.of());
    }

    private static JsonNode exampleValues() {
        return DeployFiles.yaml(DeployFiles.read(RenderedChart.EXAMPLE_VALUES));
    }

    private static String configFileText(RenderedChart rendered) {
        return rendered.one("ConfigMap").path("data").path("skyferry.yaml").asText();
    }

    /** The environment the worker gets: the container's literal env plus what the Workload ID webhook injects. */
    private static Map<String, String> podEnvironment(RenderedChart rendered) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode var : rendered.workerContainer().path("env")) {
            if (var.has("value")) {
                env.put(var.path("name").asText(), var.path("value").asText());
            }
        }
        String clientId = rendered.one("ServiceAccount").path("metadata").path("annotations")
                .path("azure.workload.identity/client-id").asText();
        env.put("AZURE_CLIENT_ID", clientId);
        env.put("AZURE_TENANT_ID", "00000000-0000-0000-0000-000000000000");
        env.put("AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/azure/tokens/azure-identity-token");
        env.put("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/");
        return env;
    }

    /**
     * The config as `skyferry run` loads it in the pod, with every check: the identities against the pod's
     * environment (the webhook's token file stood in for by a local one) and the memory budget against
     * the heap the container's memory limit and the chart's MaxRAMPercentage give.
     */
    private SkyferryConfig loadAsTheApp(RenderedChart rendered) throws Exception {
        Path file = dir.resolve("skyferry.yaml");
        Files.writeString(file, configFileText(rendered));
        Path tokenFile = Files.writeString(dir.resolve("azure-identity-token"), "header.payload.signature");
        Map<String, String> env = new HashMap<>(podEnvironment(rendered));
        env.put("AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
        long heap = podHeapBytes(rendered);
        return ConfigLoader.load(file, env, config -> Wiring.problems(config, env, heap));
    }

    private static long podHeapBytes(RenderedChart rendered) {
        JsonNode container = rendered.workerContainer();
        Matcher limit = Pattern.compile("(\\d+)Gi").matcher(container.path("resources").path("limits").path("memory").asText());
        assertThat(limit.matches()).as("memory limit in Gi").isTrue();
        String javaOpts = "";
        for (JsonNode var : container.path("env")) {
            if (var.path("name").asText().equals("JAVA_OPTS")) {
                javaOpts = var.path("value").asText();
            }
        }
        Matcher percentage = Pattern.compile("-XX:MaxRAMPercentage=([\\d.]+)").matcher(javaOpts);
        assertThat(percentage.find()).as("the chart's JAVA_OPTS set MaxRAMPercentage").isTrue();
        return (long) (Long.parseLong(limit.group(1)) * (1L << 30) * Double.parseDouble(percentage.group(1)) / 100);
    }

    @Test
    void configMapHoldsAConfigurationTheAppAccepts() throws Exception {
        SkyferryConfig config = loadAsTheApp(chart);

        JsonNode values = exampleValues().path("config");
        assertThat(config.sources()).extracting(SkyferryConfig.Source::name)
                .containsExactly("azure-events", "s3-events");
        assertThat(config.sources().get(0).poisonQueueOrDefault())
                .isEqualTo(values.path("sources").get(0).path("queue").asText() + "-poison");
        assertThat(config.aws().auth().audience()).isEqualTo(values.path("aws").path("auth").path("audience").asText());
        assertThat(config.rules()).extracting(SkyferryConfig.Rule::name).containsExactly("photos");
    }

    @Test
    void configMapUsesOnlyDocumentedSettings() {
        assertThat(DeployFiles.documentedConfigPaths())
                .containsAll(DeployFiles.settingPaths(DeployFiles.yaml(configFileText(chart))));
        JsonNode chartDefaults = DeployFiles.yaml(DeployFiles.read(DeployFiles.CHART.resolve("values.yaml"))).path("config");
        assertThat(DeployFiles.documentedConfigPaths()).containsAll(DeployFiles.settingPaths(chartDefaults));
    }

    @Test
    void chartDefaultsMatchTheAppsDefaults() {
        JsonNode defaults = DeployFiles.yaml(DeployFiles.read(DeployFiles.CHART.resolve("values.yaml"))).path("config");
        assertThat(Duration.ofSeconds(Long.parseLong(defaults.path("worker").path("drainGrace").asText().replace("s", ""))))
                .isEqualTo(SkyferryConfig.Worker.DEFAULT_DRAIN_GRACE);
        assertThat(defaults.path("worker").path("http").path("port").asInt()).isEqualTo(SkyferryConfig.Http.DEFAULT_PORT);
        assertThat(defaults.path("copy").path("maxCopiesInFlight").asInt()).isEqualTo(SkyferryConfig.Copy.DEFAULT_MAX_COPIES_IN_FLIGHT);
        assertThat(defaults.path("copy").path("partSize").asText()).isEqualTo("8MiB");
    }

    @Test
    void podUsesWorkloadIdentityThroughItsServiceAccount() {
        JsonNode serviceAccount = chart.one("ServiceAccount");
        JsonNode podTemplate = chart.one("Deployment").path("spec").path("template");

        assertThat(podTemplate.path("metadata").path("labels").path("azure.workload.identity/use").isTextual()).isTrue();
        assertThat(podTemplate.path("metadata").path("labels").path("azure.workload.identity/use").asText()).isEqualTo("true");
        assertThat(serviceAccount.path("metadata").path("annotations").path("azure.workload.identity/client-id").asText())
                .isEqualTo(exampleValues().path("workloadIdentity").path("clientId").asText());
        assertThat(podTemplate.path("spec").path("serviceAccountName").asText())
                .isEqualTo(serviceAccount.path("metadata").path("name").asText())
                .isEqualTo("skyferry");
        assertThat(serviceAccount.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        // The chart's own Service (named like the release) would otherwise inject SKYFERRY_SERVICE_HOST and the like.
        assertThat(podTemplate.path("spec").path("enableServiceLinks").asBoolean(true)).isFalse();
    }

    @Test
    void refusesWorkloadIdentityWithoutAClientId() {
        assertThatThrownBy(() -> RenderedChart.render(null, Map.of()))
                .hasMessageContaining("workloadIdentity.clientId is required");
    }

    @Test
    void mountsTheConfigWhereTheEntrypointReadsIt() {
        Matcher defaultPath = Pattern.compile("SKYFERRY_CONFIG:-([^}]+)}")
                .matcher(DeployFiles.read(DeployFiles.DEPLOY.resolve("container/entrypoint.sh")));
        assertThat(defaultPath.find()).isTrue();
        Path configFile = Path.of(defaultPath.group(1));

        JsonNode container = chart.workerContainer();
        JsonNode configMount = mount(container, "config");
        assertThat(Path.of(configMount.path("mountPath").asText())).isEqualTo(configFile.getParent());
        assertThat(configMount.path("readOnly").asBoolean()).isTrue();
        assertThat(chart.one("ConfigMap").path("data").has(configFile.getFileName().toString())).isTrue();
        // The image's entrypoint is what runs: the chart must not replace it.
        assertThat(container.has("command")).isFalse();
        assertThat(container.has("args")).isFalse();
    }

    @Test
    void probesAndScrapingUseTheAppsHttpPort() {
        JsonNode container = chart.workerContainer();
        int appPort = exampleValues().path("config").path("worker").path("http").path("port").asInt(SkyferryConfig.Http.DEFAULT_PORT);

        assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(appPort);
        assertThat(container.path("ports").get(0).path("name").asText()).isEqualTo("http");
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
        assertThat(container.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo("http");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(container.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");

        JsonNode annotations = chart.one("Deployment").path("spec").path("template").path("metadata").path("annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(appPort));
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");

        JsonNode endpoint = chart.one("ServiceMonitor").path("spec").path("endpoints").get(0);
        assertThat(endpoint.path("port").asText()).isEqualTo("http");
        assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
        assertThat(chart.one("Service").path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(appPort);
        assertThat(chart.one("ServiceMonitor").path("spec").path("selector").path("matchLabels"))
                .isEqualTo(chart.one("Service").path("spec").path("selector"));
    }

    @Test
    void followsTheAppsHttpPortWhenItChanges() {
        RenderedChart rendered = RenderedChart.withExampleValues(Map.of("config.worker.http.port", 9090));
        assertThat(rendered.workerContainer().path("ports").get(0).path("containerPort").asInt()).isEqualTo(9090);
        assertThat(rendered.one("Deployment").path("spec").path("template").path("metadata").path("annotations")
                .path("prometheus.io/port").asText()).isEqualTo("9090");
    }

    @Test
    void podRunsRestrictedAsTheImagesUserWithOnlyTmpWritable() {
        Matcher uid = Pattern.compile("ARG SKYFERRY_UID=(\\d+)").matcher(DeployFiles.read(DeployFiles.DEPLOY.resolve("container/Dockerfile")));
        assertThat(uid.find()).isTrue();

        JsonNode pod = chart.podSpec().path("securityContext");
        assertThat(pod.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("runAsUser").asText()).isEqualTo(uid.group(1));
        assertThat(pod.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");

        JsonNode container = chart.workerContainer().path("securityContext");
        assertThat(container.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(container.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.path("privileged").asBoolean(true)).isFalse();
        assertThat(container.path("capabilities").path("drop")).extracting(JsonNode::asText).containsExactly("ALL");
        assertThat(container.path("capabilities").has("add")).isFalse();
        assertThat(container.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");

        JsonNode tmp = mount(chart.workerContainer(), "tmp");
        assertThat(tmp.path("mountPath").asText()).isEqualTo("/tmp");
        JsonNode tmpVolume = StreamSupport.stream(chart.podSpec().path("volumes").spliterator(), false)
                .filter(v -> v.path("name").asText().equals("tmp")).findFirst().orElseThrow();
        assertThat(tmpVolume.has("emptyDir")).isTrue();
        assertThat(chart.workerContainer().path("resources").path("limits").path("memory").asText()).isNotBlank();
        assertThat(chart.workerContainer().path("resources").path("requests").path("cpu").asText()).isNotBlank();
    }

    @Test
    void terminationGraceOutlastsTheWorkersDrainAndRelease() throws Exception {
        Duration drainGrace = loadAsTheApp(chart).worker().drainGrace();
        long grace = chart.podSpec().path("terminationGracePeriodSeconds").asLong();

        assertThat(Duration.ofSeconds(grace)).isGreaterThan(drainGrace.plus(WorkerSettings.DEFAULT_RELEASE_TIMEOUT));
    }

    @Test
    void refusesADrainGraceThatTheGracePeriodWouldCutShort() {
        assertThatThrownBy(() -> RenderedChart.withExampleValues(Map.of("config.worker.drainGrace", "30s")))
                .hasMessageContaining("config.worker.drainGrace (30s) plus the 3s the worker then takes to release interrupted"
                        + " messages must be shorter than terminationGracePeriodSeconds (30s)");
        assertThatThrownBy(() -> RenderedChart.withExampleValues(Map.of("config.worker.drainGrace", "2m")))
                .hasMessageContaining("must be shorter than terminationGracePeriodSeconds");
        // After the drain the worker interrupts what is left and releases it: SIGKILL must not cut that short.
        long grace = chart.podSpec().path("terminationGracePeriodSeconds").asLong();
        long latestDrain = grace - WorkerSettings.DEFAULT_RELEASE_TIMEOUT.toSeconds() - 1;
        assertThatThrownBy(() -> RenderedChart.withExampleValues(Map.of("config.worker.drainGrace", (latestDrain + 1) + "s")))
                .hasMessageContaining("must be shorter than terminationGracePeriodSeconds (" + grace + "s)");
        assertThat(RenderedChart.withExampleValues(Map.of("config.worker.drainGrace", latestDrain + "s"))
                .podSpec().path("terminationGracePeriodSeconds").asLong()).isEqualTo(grace);
        assertThatThrownBy(() -> RenderedChart.withExampleValues(Map.of("config.worker.drainGrace", "PT20S")))
                .hasMessageContaining("'PT20S' is not a duration the chart understands");
    }

    @Test
    void acceptsALongerDrainWhenTheGracePeriodGrowsWithIt() throws Exception {
        RenderedChart rendered = RenderedChart.withExampleValues(
                Map.of("config.worker.drainGrace", "50s", "terminationGracePeriodSeconds", 60));

        assertThat(rendered.podSpec().path("terminationGracePeriodSeconds").asInt()).isEqualTo(60);
        assertThat(loadAsTheApp(rendered).worker().drainGrace()).isEqualTo(Duration.ofSeconds(50));
    }

    @Test
    void kedaScalesOnBothQueuesWithPodIdentity() {
        JsonNode scaledObject = chart.one("ScaledObject");
        JsonNode config = exampleValues().path("config");
        JsonNode azureSource = config.path("sources").get(0);
        JsonNode sqsSource = config.path("sources").get(1);

        assertThat(scaledObject.path("spec").path("scaleTargetRef").path("name").asText())
                .isEqualTo(chart.one("Deployment").path("metadata").path("name").asText());
        // The ScaledObject owns the replica count; a fixed one would fight the HPA on every upgrade.
        assertThat(chart.one("Deployment").path("spec").has("replicas")).isFalse();

        JsonNode triggers = scaledObject.path("spec").path("triggers");
        assertThat(triggers).hasSize(2);
        JsonNode azure = trigger(triggers, "azure-queue");
        assertThat(azure.path("metadata").path("accountName").asText()).isEqualTo(azureSource.path("account").asText());
        assertThat(azure.path("metadata").path("queueName").asText()).isEqualTo(azureSource.path("queue").asText());
        assertThat(azure.path("metadata").path("queueLength").isTextual()).isTrue();
        JsonNode azureAuth = chart.one("TriggerAuthentication", azure.path("authenticationRef").path("name").asText());
        assertThat(azureAuth.path("spec").path("podIdentity").path("provider").asText()).isEqualTo("azure-workload");
        // KEDA's own identity (main.bicep's kedaIdentityClientId), federated with the operator's service account.
        assertThat(azureAuth.path("spec").path("podIdentity").path("identityId").asText())
                .isEqualTo(exampleValues().path("keda").path("azureQueue").path("identityId").asText())
                .isNotEqualTo(exampleValues().path("workloadIdentity").path("clientId").asText());

        JsonNode sqs = trigger(triggers, "aws-sqs-queue");
        assertThat(sqs.path("metadata").path("queueURL").asText()).isEqualTo(sqsSource.path("queueUrl").asText());
        assertThat(sqs.path("metadata").path("awsRegion").asText()).isEqualTo(config.path("aws").path("region").asText());
        JsonNode awsAuth = chart.one("TriggerAuthentication", sqs.path("authenticationRef").path("name").asText());
        assertThat(awsAuth.path("spec").path("podIdentity").path("provider").asText()).isEqualTo("aws");
        assertThat(awsAuth.path("spec").path("podIdentity").path("roleArn").asText())
                .isEqualTo(exampleValues().path("keda").path("sqs").path("roleArn").asText());
    }

    @Test
    void withoutKedaTheDeploymentKeepsAFixedReplicaCount() {
        RenderedChart rendered = RenderedChart.withExampleValues(Map.of("keda.enabled", false, "replicaCount", 3));

        assertThat(rendered.all("ScaledObject")).isEmpty();
        assertThat(rendered.all("TriggerAuthentication")).isEmpty();
        assertThat(rendered.one("Deployment").path("spec").path("replicas").asInt()).isEqualTo(3);
    }

    @Test
    void disruptionBudgetAndSpreadSelectTheWorkerPodsAndNotReadyPodsMayBeEvicted() {
        JsonNode podLabels = chart.one("Deployment").path("spec").path("template").path("metadata").path("labels");
        JsonNode pdbSelector = chart.one("PodDisruptionBudget").path("spec").path("selector").path("matchLabels");

        assertThat(pdbSelector.isEmpty()).isFalse();
        pdbSelector.fields().forEachRemaining(label -> assertThat(podLabels.path(label.getKey()).asText()).isEqualTo(label.getValue().asText()));
        assertThat(chart.one("PodDisruptionBudget").path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
        // A dependency outage makes every worker NotReady at once; that must not block node drains.
        assertThat(chart.one("PodDisruptionBudget").path("spec").path("unhealthyPodEvictionPolicy").asText()).isEqualTo("AlwaysAllow");
        assertThat(chart.one("Deployment").path("spec").path("selector").path("matchLabels")).isEqualTo(pdbSelector);
        JsonNode spread = chart.podSpec().path("topologySpreadConstraints").get(0);
        assertThat(spread.path("labelSelector").path("matchLabels")).isEqualTo(pdbSelector);
    }

    @Test
    void aConfigChangeRollsThePods() {
        String before = chart.one("Deployment").path("spec").path("template").path("metadata").path("annotations")
                .path("checksum/config").asText();
        String after = RenderedChart.withExampleValues(Map.of("config.copy.maxCopiesInFlight", 32))
                .one("Deployment").path("spec").path("template").path("metadata").path("annotations")
                .path("checksum/config").asText();

        assertThat(before).hasSize(64);
        assertThat(after).hasSize(64).isNotEqualTo(before);
    }

    @Test
    void everyObjectIsNamespacedAndLabelledForTheRelease() {
        List<String> kinds = chart.documents().stream().map(d -> d.path("kind").asText()).toList();
        assertThat(kinds).contains("Deployment", "ConfigMap", "ServiceAccount", "Service", "ServiceMonitor",
                "PodDisruptionBudget", "ScaledObject", "TriggerAuthentication");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("app.kubernetes.io/name", "skyferry");
        expected.put("app.kubernetes.io/instance", RenderedChart.RELEASE);
        for (JsonNode document : chart.documents()) {
            assertThat(document.path("metadata").path("namespace").asText()).as(document.path("kind").asText())
                    .isEqualTo(RenderedChart.NAMESPACE);
            expected.forEach((key, value) -> assertThat(document.path("metadata").path("labels").path(key).asText())
                    .as(document.path("kind").asText() + " label " + key).isEqualTo(value));
        }
    }

    private static JsonNode mount(JsonNode container, String volume) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("name").asText().equals(volume)) {
                return mount;
            }
        }
        throw new AssertionError("no volume mount " + volume + " in " + container);
    }

    private static JsonNode trigger(JsonNode triggers, String type) {
        for (JsonNode trigger : triggers) {
            if (trigger.path("type").asText().equals(type)) {
                return trigger;
            }
        }
        throw new AssertionError("no " + type + " trigger in " + triggers);
    }
}
