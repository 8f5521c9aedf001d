package dev.skyferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyferry.app.Wiring;
import dev.skyferry.app.config.ConfigLoader;
import dev.skyferry.app.config.SkyferryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/configuration.md's reference block is a configuration the app accepts as it stands. */
class DocumentedConfigurationTest {

    @Test
    void theReferenceConfigurationLoadsAsWritten(@TempDir Path dir) throws Exception {
        ObjectNode reference = (ObjectNode) DeployFiles.documentedConfig();
        // Only the token file the AKS webhook would mount is not on this machine.
        Path token = Files.writeString(dir.resolve("azure-identity-token"), "token");
        reference.withObject("/azure/auth").put("federatedTokenFile", token.toString());

        SkyferryConfig config = ConfigLoader.bind(reference, Map.of(), bound -> Wiring.problems(bound, Map.of(), 4L << 30));

        assertThat(config.aws().endpoints().s3()).as("empty means the region's endpoint").isNull();
        assertThat(config.rules()).isNotEmpty();
    }
}
