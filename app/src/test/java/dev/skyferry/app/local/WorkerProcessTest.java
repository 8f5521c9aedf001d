package dev.skyferry.app.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerProcessTest {

    @Test
    void theWorkerGetsTheJvmFlagsOfTheContainerEntrypoint() {
        // The test runs in app/; the jar need not exist, only the repository around it.
        assertThat(WorkerProcess.containerJvmDefaults(Path.of("target", "skyferry.jar")))
                .contains("-XX:+ExitOnOutOfMemoryError", "-XX:TrimNativeHeapInterval=2000")
                .allMatch(flag -> flag.startsWith("-"));
    }

    @Test
    void anEntrypointWithoutJvmDefaultsIsAClearError(@TempDir Path repository) throws Exception {
        Path entrypoint = Files.createDirectories(repository.resolve("deploy/container")).resolve("entrypoint.sh");
        Files.writeString(entrypoint, "#!/bin/sh\nexec java -jar \"$APP_JAR\" \"$@\"\n");

        assertThatThrownBy(() -> WorkerProcess.containerJvmDefaults(repository.resolve("app/target/skyferry.jar")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no JVM_DEFAULTS");
    }
}
