package dev.skyferry.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Version;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The Azure SDK (through reactor-netty) and the AWS SDK both bring Netty, module by module. Maven picks
 * each module's version on its own, so without the parent pom's netty-bom a test-only library's newer
 * Netty once reached the shipped runtime libraries beside the SDKs' older modules, and the worker's
 * event loops threw on shutdown. One version for every Netty module on the classpath, or this fails.
 */
class NettyVersionsTest {

    @Test
    void everyNettyModuleOnTheClasspathHasTheSameVersion() {
        Map<String, String> versionByModule = new TreeMap<>();
        Version.identify().forEach((module, version) -> versionByModule.put(module, version.artifactVersion()));

        assertThat(versionByModule).as("Netty modules found").containsKeys("netty-common", "netty-buffer",
                "netty-transport", "netty-handler", "netty-codec-http", "netty-transport-native-epoll");
        assertThat(versionByModule.values()).as("versions of %s", versionByModule).containsOnly(Version.identify()
                .get("netty-common").artifactVersion());
    }
}
