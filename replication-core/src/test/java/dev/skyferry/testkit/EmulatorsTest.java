package dev.skyferry.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmulatorsTest {

    /** Azure container and queue rules (the strictest of the four kinds of name). */
    private static final Pattern AZURE_NAME = Pattern.compile("[a-z0-9](?:-?[a-z0-9]){2,62}");

    @Test
    void freshNamesAreUniqueAndValidAsContainerBucketAndQueueNames() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String name = Emulators.freshName("orders-eu");
            assertThat(name).startsWith("orders-eu-").matches(AZURE_NAME);
            assertThat(name + "-poison").matches(AZURE_NAME);
            names.add(name);
        }
        assertThat(names).hasSize(1000);
        assertThat(Emulators.freshName("a".repeat(40)) + "-poison").hasSizeLessThanOrEqualTo(63);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "Orders", "orders_eu", "-orders", "orders-", "orders--eu", "with space",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void freshNameRejectsAPrefixThatWouldMakeAnInvalidNameAndSaysWhich(String prefix) {
        assertThatThrownBy(() -> Emulators.freshName(prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + prefix + "\"");
    }

    @Test
    void optionsRejectAnOutOfRangePortNamingIt() {
        assertThatThrownBy(() -> EmulatorOptions.defaults().withPorts(0, 70000, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("azuriteQueuePort").hasMessageContaining("70000");
    }

    @Test
    void optionsRejectOnePortForTwoEmulators() {
        assertThatThrownBy(() -> EmulatorOptions.defaults().withPorts(0, 0, 9000, 9000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("9000");
    }

    @Test
    void optionsRejectAKeyIdWithoutSecret() {
        assertThatThrownBy(() -> EmulatorOptions.defaults().withAwsCredentials("AKIDLOCAL", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("go together").hasMessageContaining("AKIDLOCAL");
    }

    @Test
    void optionsRejectABlankSecretWithoutEchoingIt() {
        assertThatThrownBy(() -> EmulatorOptions.defaults().withAwsCredentials("AKIDLOCAL", "with space"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("awsSecretAccessKey")
                .hasMessageNotContaining("with space");
    }

    @Test
    void s3ProxyRejectsARequestSignedWithAWrongSecret() {
        Emulators emulators = Emulators.shared();
        try (S3Client wrongSecret = AwsClients.s3(emulators.s3Endpoint(), emulators.awsRegion(),
                emulators.awsAccessKeyId(), emulators.awsSecretAccessKey() + "x")) {
            assertThatThrownBy(wrongSecret::listBuckets)
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
        assertThat(emulators.s3Client().listBuckets().sdkHttpResponse().isSuccessful()).isTrue();
    }

    @Test
    void startWithFixedPortsAndCredentialsServesThemAndCloseFreesThemAndStopsAzurite() throws IOException {
        int[] ports = freePorts(4);
        Set<ProcessHandle> childrenBefore = new HashSet<>(ProcessHandle.current().children().toList());
        Emulators emulators = Emulators.start(EmulatorOptions.defaults()
                .withPorts(ports[0], ports[1], ports[2], ports[3])
                .withAwsCredentials("AKIDLOCAL", "local-secret"));
        Set<ProcessHandle> azuriteProcesses;
        try {
            assertThat(URI.create(emulators.blobEndpoint()).getPort()).isEqualTo(ports[0]);
            assertThat(URI.create(emulators.queueEndpoint()).getPort()).isEqualTo(ports[1]);
            assertThat(emulators.s3Endpoint().getPort()).isEqualTo(ports[2]);
            assertThat(emulators.sqsEndpoint().getPort()).isEqualTo(ports[3]);
            assertThat(emulators.awsAccessKeyId()).isEqualTo("AKIDLOCAL");
            assertThat(emulators.awsSecretAccessKey()).isEqualTo("local-secret");
            String bucket = Emulators.freshName("fixed");
            emulators.s3Client().createBucket(b -> b.bucket(bucket));
            assertThat(emulators.s3Client().headBucket(h -> h.bucket(bucket)).sdkHttpResponse().isSuccessful()).isTrue();
            azuriteProcesses = new HashSet<>(ProcessHandle.current().children().toList());
            azuriteProcesses.removeAll(childrenBefore);
            assertThat(azuriteProcesses).as("Azurite blob and queue processes").hasSize(2);
            for (int port : ports) {
                assertThat(accepts(port)).as("port %d open", port).isTrue();
            }
        } finally {
            emulators.close();
        }

        for (int port : ports) {
            assertThat(accepts(port)).as("port %d closed", port).isFalse();
        }
        assertThat(azuriteProcesses).noneMatch(ProcessHandle::isAlive);
        assertThat(emulators.isClosed()).isTrue();
        emulators.close(); // a second close does nothing
        assertThatThrownBy(emulators::startS3).isInstanceOf(IllegalStateException.class);
    }

    private static boolean accepts(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        int[] ports = new int[count];
        try {
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
        return ports;
    }
}
