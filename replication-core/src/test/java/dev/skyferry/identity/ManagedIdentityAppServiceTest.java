package dev.skyferry.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.testkit.identity.LocalOidcIssuer;
import dev.skyferry.testkit.identity.ManagedIdentityEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * managed-identity on App Service: the SDK's ManagedIdentityCredential against an App Service–style
 * endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER) backed by the local issuer. The SDK reads those two
 * from the real process environment only, so the credential runs in a child JVM started with them
 * ({@link ManagedIdentityChild}) — the production code path, unchanged.
 */
class ManagedIdentityAppServiceTest {

    private static final String AUDIENCE = "api://skyferry-aws-federation";
    /** Nothing listens there: a blob call gets as far as its token and no further. */
    private static final String UNREACHED_BLOB_ENDPOINT = "https://127.0.0.1:9";

    private static LocalOidcIssuer issuer;
    private static LocalOidcIssuer.Principal systemAssigned;
    private static LocalOidcIssuer.Principal userAssigned;
    private static ManagedIdentityEndpoint endpoint;

    @BeforeAll
    static void start() {
        issuer = LocalOidcIssuer.start();
        systemAssigned = issuer.addManagedIdentity("skyferry-app-service");
        userAssigned = issuer.addManagedIdentity("skyferry-user-assigned");
        issuer.exposeApi("skyferry-aws-federation", AUDIENCE);
        issuer.exposeApi("skyferry-restricted", "api://skyferry-restricted").assignmentRequired(true);
        endpoint = issuer.startAppServiceEndpoint(systemAssigned, userAssigned);
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    @Test
    void systemAssignedIdentityGetsItsTokenFromTheAppServiceEndpoint() throws Exception {
        int before = endpoint.requests();

        Map<String, String> out = runChild(Map.of(), AUDIENCE + "/.default");

        assertThat(out).containsEntry("oid", systemAssigned.objectId()).containsEntry("aud", AUDIENCE)
                .containsEntry("iss", issuer.v1Issuer()).containsEntry("ver", "1.0");
        assertThat(endpoint.requests()).isGreaterThan(before);
    }

    @Test
    void userAssignedIdentityIsChosenByAzureClientId() throws Exception {
        Map<String, String> out = runChild(Map.of("AZURE_CLIENT_ID", userAssigned.clientId()), AUDIENCE + "/.default");

        assertThat(out).containsEntry("oid", userAssigned.objectId()).containsEntry("appid", userAssigned.clientId());
    }

    @Test
    void missingAppRoleAssignmentIsRetriedAsAPropagationDelayWithTheAssignmentHint() throws Exception {
        Map<String, String> out = runChild(Map.of(), "api://skyferry-restricted/.default");

        assertThat(out).containsEntry("failure", "IdentityUnavailableException").containsEntry("transient", "true");
        assertThat(out.get("message")).contains("AADSTS501051");
        assertThat(out.get("hint")).contains("app role");
    }

    @Test
    void anUnknownAudienceIsRejectedThoughTheEndpointsAnswerReachesUsWithoutItsStatus() throws Exception {
        Map<String, String> out = runChild(Map.of(), "api://no-such-api/.default");

        assertThat(out).containsEntry("failure", "IdentityRejectedException").containsEntry("transient", "false");
        assertThat(out.get("message")).contains("AADSTS500011");
    }

    /**
     * App Service's endpoint answers 500 while Entra is out of its reach, and msal4j drops that status.
     * A blob call must still come out transient (released and retried), even on the sync path where
     * the storage SDK drops our credential's exception. One call only: each token attempt costs the
     * SDKs' own retries, some 25 s.
     */
    @Test
    void entraUnreachableBehindTheEndpointIsATransientFailureOfABlobCall() throws Exception {
        try (LocalOidcIssuer down = LocalOidcIssuer.start()) {
            ManagedIdentityEndpoint outage = down.startAppServiceEndpoint(down.addManagedIdentity("skyferry-app-service"));
            down.stop();

            Map<String, String> out = runChild(outage.endpoint().toString(), outage.header(), Map.of(),
                    "stat", UNREACHED_BLOB_ENDPOINT);

            assertThat(out).containsEntry("stat", "UNAVAILABLE");
        }
    }

    private static Map<String, String> runChild(Map<String, String> extraEnv, String scope) throws IOException, InterruptedException {
        return runChild(endpoint.endpoint().toString(), endpoint.header(), extraEnv, "token", scope);
    }

    /** @param args {@link ManagedIdentityChild}'s: token &lt;scope&gt; or stat &lt;blob endpoint&gt; */
    private static Map<String, String> runChild(String identityEndpoint, String identityHeader, Map<String, String> extraEnv,
                                                String... args) throws IOException, InterruptedException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, ManagedIdentityChild.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder child = new ProcessBuilder(command);
        Map<String, String> env = child.environment();
        env.keySet().removeIf(name -> name.startsWith("AZURE_") || name.startsWith("IDENTITY_") || name.equals("MSI_ENDPOINT"));
        env.put("IDENTITY_ENDPOINT", identityEndpoint);
        env.put("IDENTITY_HEADER", identityHeader);
        env.putAll(extraEnv);
        child.redirectErrorStream(false);
        child.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = child.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        Map<String, String> values = new HashMap<>();
        for (String line : List.of(stdout.split("\n"))) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.matches("^[a-z]+=.*")) {
                values.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        assertThat(values).as("child output:\n%s", stdout).isNotEmpty();
        return values;
    }
}
