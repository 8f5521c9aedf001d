package dev.skyferry.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** deploy/helm/skyferry rendered by the real Helm engine (helm-java bundles it), as parsed documents. */
record RenderedChart(String text, List<JsonNode> documents) {

    static final String RELEASE = "skyferry";
    static final String NAMESPACE = "replication";
    static final Path EXAMPLE_VALUES = DeployFiles.CHART.resolve("ci/aks-values.yaml");

    /** Renders with the example values plus {@code --set} overrides. */
    static RenderedChart withExampleValues(Map<String, Object> sets) {
        return render(EXAMPLE_VALUES, sets);
    }

    /** @param valuesFile null for the chart's defaults only */
    static RenderedChart render(Path valuesFile, Map<String, Object> sets) {
        TemplateCommand template = new Helm(DeployFiles.CHART).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion("1.31.0");
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        String text = template.call();
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = DeployFiles.YAML.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNext()) {
                JsonNode document = it.next();
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("rendered chart is not YAML:\n" + text, e);
        }
        return new RenderedChart(text, List.copyOf(documents));
    }

    List<JsonNode> all(String kind) {
        return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    JsonNode one(String kind) {
        List<JsonNode> found = all(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + ", rendered " + found.size() + ":\n" + text);
        }
        return found.get(0);
    }

    JsonNode one(String kind, String name) {
        return all(kind).stream().filter(d -> name.equals(d.path("metadata").path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in:\n" + text));
    }

    JsonNode podSpec() {
        return one("Deployment").path("spec").path("template").path("spec");
    }

    JsonNode workerContainer() {
        for (JsonNode container : podSpec().path("containers")) {
            if (container.path("name").asText().equals("skyferry")) {
                return container;
            }
        }
        throw new AssertionError("no skyferry container in:\n" + text);
    }
}
