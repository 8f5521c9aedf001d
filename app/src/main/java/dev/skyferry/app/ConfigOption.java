package dev.skyferry.app;

import dev.skyferry.app.config.ConfigException;
import dev.skyferry.app.config.ConfigLoader;
import dev.skyferry.app.config.SkyferryConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by every command that reads the configuration. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The YAML configuration (default: $" + ConfigLoader.CONFIG_FILE_ENV + "). "
                    + "SKYFERRY_* environment variables override it; see docs/configuration.md.")
    Path file;

    /** The file named by --config, else by SKYFERRY_CONFIG; a clear problem when neither is set. */
    Path resolve(Map<String, String> env) {
        return resolve(file, env);
    }

    private static Path resolve(Path file, Map<String, String> env) {
        if (file != null) {
            return file;
        }
        String fromEnv = env.get(ConfigLoader.CONFIG_FILE_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        throw new ConfigException(List.of("no configuration: pass --config FILE or set " + ConfigLoader.CONFIG_FILE_ENV));
    }

    SkyferryConfig load(Map<String, String> env) {
        return load(file, env, config -> List.of());
    }

    /** As {@link #load(Map)}, also listing what a command needs of the config beyond what every command needs. */
    SkyferryConfig load(Map<String, String> env, Function<SkyferryConfig, List<String>> commandChecks) {
        return load(file, env, commandChecks);
    }

    /**
     * The config of {@code file} (null: SKYFERRY_CONFIG), refused with every problem the program can
     * know before it builds a client, listed together: the file's own, those it has in this environment
     * and JVM ({@link Wiring#problems}), and the command's.
     */
    static SkyferryConfig load(Path file, Map<String, String> env, Function<SkyferryConfig, List<String>> commandChecks) {
        long maxHeap = Runtime.getRuntime().maxMemory();
        return ConfigLoader.load(resolve(file, env), env, config -> {
            List<String> problems = new ArrayList<>(Wiring.problems(config, env, maxHeap));
            problems.addAll(commandChecks.apply(config));
            return problems;
        });
    }
}
