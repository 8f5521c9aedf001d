package dev.skyferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyferry.app.config.ConfigException;
import dev.skyferry.app.config.ConfigLoader;
import dev.skyferry.app.config.SkyferryConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile and the entrypoint, read as text: no Docker engine here, so the image is never
 * built in tests. ContainerEntrypointIT runs the entrypoint itself against the built jar.
 */
class ContainerImageTest {

    private static final String DOCKERFILE = DeployFiles.read(DeployFiles.DEPLOY.resolve("container/Dockerfile"));
    private static final String ENTRYPOINT = DeployFiles.read(DeployFiles.DEPLOY.resolve("container/entrypoint.sh"));

    /** Dockerfile instructions of one stage, continuation lines joined. */
    private static List<String> stage(int index) {
        String joined = DOCKERFILE.replaceAll("\\\\\\n", " ");
        List<List<String>> stages = new ArrayList<>();
        for (String line : joined.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.startsWith("FROM ")) {
                stages.add(new ArrayList<>());
            }
            if (!stages.isEmpty()) {
                stages.get(stages.size() - 1).add(trimmed);
            }
        }
        return stages.get(index < 0 ? stages.size() + index : index);
    }

    private static String instruction(List<String> stage, String keyword) {
        return stage.stream().filter(i -> i.startsWith(keyword + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + keyword + " in " + stage));
    }

    private static String scriptDefault(String variable) {
        Matcher m = Pattern.compile(variable + "=\"\\$\\{" + variable + ":-([^}]+)}\"").matcher(ENTRYPOINT);
        assertThat(m.find()).as("default of " + variable).isTrue();
        return m.group(1);
    }

    @Test
    void buildStageRunsTheDocumentedMavenPackage() {
        List<String> build = stage(0);
        assertThat(build.get(0)).isEqualTo("FROM maven:3-eclipse-temurin-25 AS build");
        assertThat(instruction(build, "RUN")).endsWith("mvn -B -pl app -am package -DskipTests");
    }

    @Test
    void runtimeIsASmallTemurin25JreRunningAsANonRootUser() {
        List<String> runtime = stage(-1);
        assertThat(runtime.get(0)).matches("FROM eclipse-temurin:25-jre(-alpine|-ubi\\d+-minimal)");

        Matcher uid = Pattern.compile("ARG SKYFERRY_UID=(\\d+)").matcher(DOCKERFILE);
        assertThat(uid.find()).isTrue();
        assertThat(Integer.parseInt(uid.group(1))).isEqualTo(10001);
        // Numeric, so Kubernetes can check runAsNonRoot without the image's /etc/passwd.
        assertThat(instruction(runtime, "USER")).isEqualTo("USER ${SKYFERRY_UID}:${SKYFERRY_UID}");
        assertThat(instruction(runtime, "VOLUME")).isEqualTo("VOLUME [\"/tmp\"]");
        assertThat(instruction(runtime, "EXPOSE")).isEqualTo("EXPOSE " + SkyferryConfig.Http.DEFAULT_PORT);
    }

    @Test
    void imageStartsThroughTheEntrypointScriptOnTheJarItCopies() {
        List<String> runtime = stage(-1);
        assertThat(runtime).contains(
                "COPY --from=build /src/app/target/skyferry.jar " + scriptDefault("APP_JAR"),
                "COPY --from=build /src/app/target/lib/ /app/lib/",
                "COPY deploy/container/entrypoint.sh /app/entrypoint.sh",
                "COPY deploy/container/skyferry.yaml " + scriptDefault("SKYFERRY_CONFIG"));
        assertThat(instruction(runtime, "ENTRYPOINT")).isEqualTo("ENTRYPOINT [\"/app/entrypoint.sh\"]");
        // The script supplies `run --config ...`; a CMD would be a second place defining it.
        assertThat(runtime).noneMatch(i -> i.startsWith("CMD "));
        // Emulators live in target/lib-local for `skyferry local` only.
        assertThat(stage(0)).noneMatch(i -> i.contains("lib-local"));
        assertThat(runtime).noneMatch(i -> i.contains("lib-local"));
        // The jar's manifest finds its libraries in lib/ next to it.
        assertThat(DeployFiles.read(DeployFiles.ROOT.resolve("app/pom.xml"))).contains("<classpathPrefix>lib/</classpathPrefix>");
    }

    @Test
    void entrypointExecsTheJvmWithContainerFlags() {
        assertThat(ENTRYPOINT).startsWith("#!/bin/sh\n");
        assertThat(ENTRYPOINT).contains("set -- run --config \"$SKYFERRY_CONFIG\"");
        assertThat(ENTRYPOINT).containsPattern("\\nexec java \\$JVM_DEFAULTS \\$\\{JAVA_OPTS:-} -jar \"\\$APP_JAR\" \"\\$@\"\\n");
        Matcher defaults = Pattern.compile("JVM_DEFAULTS=\"([^\"]+)\"").matcher(ENTRYPOINT);
        assertThat(defaults.find()).isTrue();
        assertThat(defaults.group(1).split(" "))
                .anyMatch(flag -> flag.startsWith("-XX:MaxRAMPercentage="))
                .contains("-XX:+ExitOnOutOfMemoryError", "-XX:TrimNativeHeapInterval=2000", "-Djava.io.tmpdir=/tmp");
        // The app reads every SKYFERRY_* variable as a config override: the launcher's own must not look like one.
        Matcher assigned = Pattern.compile("^([A-Z_]+)=", Pattern.MULTILINE).matcher(ENTRYPOINT);
        while (assigned.find()) {
            assertThat(assigned.group(1)).isIn("APP_JAR", "SKYFERRY_CONFIG", "JVM_DEFAULTS");
        }
    }

    @Test
    void baseConfigInTheImageHoldsOnlyKnownSettings() {
        // Alone it lacks rules (App Service adds them as SKYFERRY_* settings); nothing else may be wrong.
        assertThatThrownBy(() -> ConfigLoader.load(DeployFiles.DEPLOY.resolve("container/skyferry.yaml"), Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .singleElement().asString().startsWith("rules: at least one rule"));
        assertThat(DeployFiles.documentedConfigPaths())
                .containsAll(DeployFiles.settingPaths(DeployFiles.yaml(DeployFiles.read(DeployFiles.DEPLOY.resolve("container/skyferry.yaml")))));
    }

    @Test
    void buildContextSendsWhatTheDockerfileCopies() {
        String ignore = DeployFiles.read(DeployFiles.DEPLOY.resolve("container/Dockerfile.dockerignore"));
        assertThat(ignore.lines().toList()).contains("*", "!.mvn/", "!pom.xml", "!replication-core/", "!app/",
                "!deploy/container/entrypoint.sh", "!deploy/container/skyferry.yaml", "**/target/");
    }
}
