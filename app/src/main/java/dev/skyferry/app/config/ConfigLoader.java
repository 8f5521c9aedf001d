package dev.skyferry.app.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.skyferry.identity.AwsAuthSettings;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the YAML file, applies {@code SKYFERRY_*} environment overrides, and binds the result to
 * {@link SkyferryConfig}. Binding is done by walking the record types (not by Jackson databind) so
 * that every unknown key and every ill-typed value is reported at once, each with its path, instead
 * of failing on the first.
 */
public final class ConfigLoader {

    public static final String ENV_PREFIX = "SKYFERRY_";
    /** Environment variable naming the config file when --config is not given. */
    public static final String CONFIG_FILE_ENV = "SKYFERRY_CONFIG";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /**
     * What Kubernetes injects for every Service of the namespace (enableServiceLinks, on by default):
     * a Service named "skyferry…" gives SKYFERRY…_SERVICE_HOST, _PORT_8080_TCP_ADDR and the like, which
     * are not settings and must not stop the worker. Only names that bind to no setting are ignored.
     */
    private static final Pattern KUBERNETES_SERVICE_LINK = Pattern.compile(
            "[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT|PORT_\\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)");

    private ConfigLoader() {}

    /**
     * Loads, overrides, binds and validates; throws {@link ConfigException} listing every problem of the
     * file itself. Commands use {@link #load(Path, Map, Function)}, which also checks it where it runs.
     */
    public static SkyferryConfig load(Path file, Map<String, String> env) {
        return load(file, env, config -> List.of());
    }

    /**
     * As {@link #load(Path, Map)}, listing what {@code checksWhereItRuns} finds wrong with the bound
     * config (its identities against the environment, say) in the same {@link ConfigException} as the
     * file's own problems, so a user fixes a config in one round.
     */
    public static SkyferryConfig load(Path file, Map<String, String> env,
                                      Function<SkyferryConfig, List<String>> checksWhereItRuns) {
        JsonNode tree;
        try {
            tree = file == null ? JsonNodeFactory.instance.objectNode() : YAML.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(file + ": not valid YAML" + where(e) + ": " + problemOnly(e)));
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = JsonNodeFactory.instance.objectNode();
        }
        if (!tree.isObject()) {
            throw new ConfigException(List.of(file + ": the top level must be a mapping of settings"));
        }
        return bind((ObjectNode) tree, env, checksWhereItRuns);
    }

    private static String where(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /**
     * What is wrong, without the parser's quote of the line: that line may hold a secret (an unclosed
     * quote in clientSecret), and this message goes to stderr, and from there to the pod's logs.
     */
    private static String problemOnly(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException yaml) {
                return yaml.getContext() == null ? yaml.getProblem() : yaml.getContext() + ", " + yaml.getProblem();
            }
        }
        return e.getOriginalMessage();
    }

    /** Binds an already parsed tree and checks the file's own problems (tests). */
    public static SkyferryConfig bind(ObjectNode tree, Map<String, String> env) {
        return bind(tree, env, config -> List.of());
    }

    /** Binds an already parsed tree, as {@link #load(Path, Map, Function)} does a file (tests, `skyferry local`). */
    public static SkyferryConfig bind(ObjectNode tree, Map<String, String> env,
                                      Function<SkyferryConfig, List<String>> checksWhereItRuns) {
        List<String> problems = new ArrayList<>();
        applyEnvironment(tree, env, problems);
        applyPlatformRegion(tree, env);
        SkyferryConfig config = (SkyferryConfig) bindValue(SkyferryConfig.class, tree, "", problems);
        if (!problems.isEmpty()) {
            // A partly bound config cannot be checked further: its unbound values read as defaults.
            throw new ConfigException(problems);
        }
        problems.addAll(ConfigValidator.validate(config));
        problems.addAll(checksWhereItRuns.apply(config));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return config;
    }

    // ---- environment overrides -------------------------------------------------------------

    private static void applyEnvironment(ObjectNode tree, Map<String, String> env, List<String> problems) {
        // Sorted so that SOURCES_0_... is applied before SOURCES_1_..., which extends lists in order.
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || name.equals(CONFIG_FILE_ENV)) {
                continue;
            }
            List<String> tokens = Arrays.asList(name.substring(ENV_PREFIX.length()).split("_"));
            if (!setByTokens(SkyferryConfig.class, tree, tokens, e.getValue())
                    && !KUBERNETES_SERVICE_LINK.matcher(name).matches()) {
                problems.add(name + ": no such setting (see docs/configuration.md for the names)");
            }
        }
    }

    /**
     * aws.region falls back to AWS_REGION, which EKS (IRSA) and AWS's runtimes set, as docs/identity.md
     * promises; the file and SKYFERRY_AWS_REGION win. Filled in here, so validation and every client
     * see the one region.
     */
    private static void applyPlatformRegion(ObjectNode tree, Map<String, String> env) {
        String region = env.get(AwsAuthSettings.ENV_REGION);
        JsonNode aws = tree.path("aws");
        JsonNode configured = aws.path("region");
        boolean unset = configured.isMissingNode() || configured.isNull() || configured.asText().isBlank();
        // An "aws" that is no mapping is left for binding to report.
        if (region != null && !region.isBlank() && unset && (aws.isObject() || aws.isMissingNode() || aws.isNull())) {
            tree.withObjectProperty("aws").put("region", region.strip());
        }
    }

    /** Walks the record schema, matching the longest run of tokens against a component name. */
    private static boolean setByTokens(Class<?> recordType, ObjectNode node, List<String> tokens, String value) {
        for (RecordComponent component : recordType.getRecordComponents()) {
            List<String> nameTokens = Arrays.asList(upperSnake(component.getName()).split("_"));
            if (tokens.size() < nameTokens.size() || !tokens.subList(0, nameTokens.size()).equals(nameTokens)) {
                continue;
            }
            List<String> rest = tokens.subList(nameTokens.size(), tokens.size());
            Class<?> type = component.getType();
            String field = component.getName();
            if (rest.isEmpty()) {
                if (type.isRecord()) {
                    continue;
                }
                if (type == List.class) {
                    // A whole list from one variable: comma separated scalars.
                    ArrayNode array = node.putArray(field);
                    Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(array::add);
                } else {
                    node.put(field, value);
                }
                return true;
            }
            if (type.isRecord()) {
                JsonNode child = node.get(field);
                ObjectNode object = child instanceof ObjectNode o ? o : node.putObject(field);
                if (setByTokens(type, object, rest, value)) {
                    return true;
                }
            } else if (type == List.class && rest.get(0).matches("\\d+")) {
                Class<?> element = listElementType(component.getGenericType());
                if (!element.isRecord()) {
                    continue;
                }
                int index = Integer.parseInt(rest.get(0));
                JsonNode child = node.get(field);
                ArrayNode array = child instanceof ArrayNode a ? a : node.putArray(field);
                while (array.size() <= index) {
                    array.addObject();
                }
                if (array.get(index) instanceof ObjectNode object && setByTokens(element, object, rest.subList(1, rest.size()), value)) {
                    return true;
                }
            }
        }
        return false;
    }

    static String upperSnake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    // ---- binding ---------------------------------------------------------------------------

    private static Object bindValue(Type type, JsonNode node, String path, List<String> problems) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        try {
            if (raw == String.class) {
                if (!node.isValueNode()) {
                    throw new IllegalArgumentException("must be a single value, not a " + describe(node));
                }
                return node.asText();
            }
            if (raw == Integer.class) {
                String text = scalar(node);
                try {
                    return Integer.valueOf(text.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "' is not a whole number");
                }
            }
            if (raw == Boolean.class) {
                String text = scalar(node).trim().toLowerCase(Locale.ROOT);
                return switch (text) {
                    case "true", "yes", "on" -> Boolean.TRUE;
                    case "false", "no", "off" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
                };
            }
            if (raw == Duration.class) {
                return Durations.parse(scalar(node));
            }
            if (raw == DataSize.class) {
                return DataSize.parse(scalar(node));
            }
            if (raw == List.class) {
                if (!node.isArray()) {
                    throw new IllegalArgumentException("must be a list, not a " + describe(node));
                }
                Class<?> element = listElementType(type);
                List<Object> values = new ArrayList<>();
                for (int i = 0; i < node.size(); i++) {
                    Object value = bindValue(element, node.get(i), path + "[" + i + "]", problems);
                    if (value != null) {
                        values.add(value);
                    }
                }
                return values;
            }
            if (raw.isRecord()) {
                return bindRecord(raw, node, path, problems);
            }
        } catch (IllegalArgumentException e) {
            problems.add(displayPath(path) + ": " + e.getMessage());
            return null;
        }
        throw new IllegalStateException("no binding for " + type);
    }

    private static Object bindRecord(Class<?> type, JsonNode node, String path, List<String> problems) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("must be a mapping of settings, not a " + describe(node));
        }
        RecordComponent[] components = type.getRecordComponents();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (Arrays.stream(components).noneMatch(c -> c.getName().equals(name))) {
                List<String> known = Arrays.stream(components).map(RecordComponent::getName).toList();
                problems.add(displayPath(join(path, name)) + ": unknown setting; known here: " + String.join(", ", known));
            }
        }
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            args[i] = bindValue(c.getGenericType(), node.get(c.getName()), join(path, c.getName()), problems);
        }
        try {
            Constructor<?> ctor = type.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType).toArray(Class[]::new));
            return ctor.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    private static String scalar(JsonNode node) {
        if (!node.isValueNode()) {
            throw new IllegalArgumentException("must be a single value, not a " + describe(node));
        }
        return node.asText();
    }

    private static String describe(JsonNode node) {
        return node.isArray() ? "list" : node.isObject() ? "mapping" : node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static Class<?> listElementType(Type listType) {
        return (Class<?>) ((ParameterizedType) listType).getActualTypeArguments()[0];
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String displayPath(String path) {
        return path.isEmpty() ? "(top level)" : path;
    }
}
