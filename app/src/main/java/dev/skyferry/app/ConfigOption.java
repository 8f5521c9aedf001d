package dev.skyferry.app;

import dev.skyferry.app.config.ConfigException;
import dev.skyferry.app.config.ConfigLoader;
import dev.skyferry.app.config.SkyferryConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by every command that reads the configuration. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The YAML configuration (default: $" + ConfigLoader.CONFIG_FILE_ENV + "). "
                    + "SKYFERRY_* environment variables override it; see docs/configuration.md.")
    Path file;

    /** The file named by --config, else by SKYFERRY_CONFIG; a clear problem when neither is set. */
    Path resolve(Map<String, String> env) {
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
        return ConfigLoader.load(resolve(env), env);
    }
}
