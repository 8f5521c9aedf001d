package dev.skyferry.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's deploy/ files and the contract they must agree with: docs/configuration.md
 * (the reference YAML, and the metric table).
 */
final class DeployFiles {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    static final Path ROOT = findRoot();
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final Path CHART = DEPLOY.resolve("helm/skyferry");
    static final Path CONFIGURATION_DOC = ROOT.resolve("docs/configuration.md");

    private static final Pattern REFERENCE_BLOCK = Pattern.compile("## Reference\\s+```yaml\\n(.*?)\\n```", Pattern.DOTALL);
    private static final Pattern METRIC_ROW = Pattern.compile("^\\| `([a-z0-9_]+)` \\| (counter|gauge|histogram) \\|", Pattern.MULTILINE);

    private DeployFiles() {}

    /** Tests run with the module (app/) as working directory; the repository root is above it. */
    private static Path findRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docs/configuration.md")) && Files.isDirectory(dir.resolve("deploy"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (docs/configuration.md + deploy/) above " + Path.of("").toAbsolutePath());
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reference configuration in docs/configuration.md, parsed. */
    static JsonNode documentedConfig() {
        Matcher m = REFERENCE_BLOCK.matcher(read(CONFIGURATION_DOC));
        if (!m.find()) {
            throw new IllegalStateException("docs/configuration.md has no '## Reference' yaml block");
        }
        return yaml(m.group(1));
    }

    /** Every setting path in the documented reference, list elements written as {@code []}. */
    static Set<String> documentedConfigPaths() {
        return settingPaths(documentedConfig());
    }

    /** Setting paths of a config tree: {@code sources[].queueUrl}, {@code worker.http.port}. */
    static Set<String> settingPaths(JsonNode config) {
        Set<String> paths = new TreeSet<>();
        collect(config, "", paths);
        return paths;
    }

    private static void collect(JsonNode node, String path, Set<String> paths) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                paths.add(child);
                collect(field.getValue(), child, paths);
            }
        } else if (node.isArray()) {
            node.forEach(element -> {
                if (element.isObject()) {
                    collect(element, path + "[]", paths);
                }
            });
        }
    }

    /** Metric names from the table in docs/configuration.md. */
    static Set<String> documentedMetrics() {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = METRIC_ROW.matcher(read(CONFIGURATION_DOC));
        while (m.find()) {
            names.add(m.group(1));
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("no metric table in docs/configuration.md");
        }
        return names;
    }

    /** Documented histograms, whose series carry _bucket, _sum and _count suffixes. */
    static Set<String> documentedHistograms() {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = METRIC_ROW.matcher(read(CONFIGURATION_DOC));
        while (m.find()) {
            if (m.group(2).equals("histogram")) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
