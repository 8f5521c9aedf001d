package dev.skyferry.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.TokenCredential;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.s3.S3Store;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.testkit.LogCapture;
import dev.skyferry.testkit.identity.LocalFederation;
import dev.skyferry.testkit.identity.LocalSts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ch.qos.logback.classic.Level;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The secretless chain end to end: Entra token (local issuer, workload identity) → STS
 * AssumeRoleWithWebIdentity (LocalSts, validating the token) → session credentials → S3 (S3Proxy,
 * SigV4). S3Proxy ignores session tokens, so every S3 request's token is checked against what
 * LocalSts issued, at the moment it was sent.
 */
@ExtendWith(EmulatorExtension.class)
class FederatedS3AccessTest {

    /** One S3 request as it left the client. */
    private record Sent(String sessionToken, Instant at) {}

    private final Emulators emulators;
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private LocalFederation federation;
    private String bucket;

    FederatedS3AccessTest(Emulators emulators) {
        this.emulators = emulators;
    }

    @BeforeEach
    void bucket() {
        bucket = Emulators.freshName("federated");
        emulators.s3Client().createBucket(b -> b.bucket(bucket));
    }

    @AfterEach
    void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    private void startFederation(Duration credentialLifetime) {
        federation = LocalFederation.start(LocalSts.builder()
                .keyPair(emulators.awsAccessKeyId(), emulators.awsSecretAccessKey())
                .credentialLifetime(credentialLifetime));
    }

    private TokenCredential azure() {
        return AzureCredentials.create(AzureAuthSettings.resolve(federation.azureAuth(), federation.env()), federation.env());
    }

    private AwsAuthSettings aws() {
        return AwsAuthSettings.resolve(federation.awsAuth(), federation.env());
    }

    /** The worker's kind of S3 client, on the federated credentials, recording each request's session token. */
    private S3Client s3(AwsCredentialsProvider credentials) {
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                sent.add(new Sent(context.httpRequest().firstMatchingHeader("X-Amz-Security-Token").orElse(null), Instant.now()));
            }
        };
        return S3Client.builder()
                .endpointOverride(emulators.s3Endpoint())
                .region(Region.of(emulators.awsRegion()))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(credentials)
                .overrideConfiguration(o -> o.addExecutionInterceptor(recorder))
                .build();
    }

    private void assertEverySentRequestCarriedALiveSession() {
        assertThat(sent).isNotEmpty().allSatisfy(request -> assertThat(federation.sts().sessionValidAt(request.sessionToken(), request.at()))
                .as("session token sent at %s was issued by STS and not expired", request.at()).isTrue());
    }

    @Test
    void entraTokenExchangedAtStsGivesCredentialsS3Accepts() {
        startFederation(null);
        try (var credentials = AwsCredentials.create(aws(), azure()); S3Client s3 = s3(credentials)) {
            s3.putObject(b -> b.bucket(bucket).key("hello.txt"), RequestBody.fromString("over the federation"));

            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("hello.txt")).asUtf8String()).isEqualTo("over the federation");
        }
        assertThat(federation.sts().issuedSessions()).hasSize(1);
        assertEverySentRequestCarriedALiveSession();
    }

    @Test
    void withAWrongAudienceStsIssuesNothingAndTheS3CallFailsWithTheHint() {
        startFederation(null);
        federation.sts().addOidcProvider(federation.issuer().v1Issuer(), "api://another-app");

        assertS3CallRefused("audience mismatch");
    }

    @Test
    void withTheIssuerRegisteredWithoutItsTrailingSlashTheS3CallFailsWithTheHint() {
        startFederation(null);
        String slashless = federation.issuer().v1Issuer().replaceAll("/$", "");
        federation.sts().removeOidcProvider(federation.issuer().v1Issuer());
        federation.sts().addOidcProvider(slashless, LocalFederation.AUDIENCE);

        assertS3CallRefused("trailing slash");
    }

    @Test
    void withAnExpiredTokenTheS3CallFailsWithTheClockHint() {
        federation = LocalFederation.start(LocalSts.builder()
                .keyPair(emulators.awsAccessKeyId(), emulators.awsSecretAccessKey())
                .clock(java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofHours(2))));

        assertS3CallRefused("clock");
    }

    @Test
    void aStoreOnRefusedCredentialsReportsForbiddenWithTheHint() {
        startFederation(null);
        federation.sts().addOidcProvider(federation.issuer().v1Issuer(), "api://another-app");

        try (var credentials = AwsCredentials.create(aws(), azure()); S3Client s3 = s3(credentials)) {
            S3Store store = new S3Store(s3, S3Presigner.builder().region(Region.of(emulators.awsRegion()))
                    .credentialsProvider(credentials).build(), bucket);
            assertThatThrownBy(() -> store.stat("refused.txt"))
                    .isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.kind()).isEqualTo(StoreException.Kind.FORBIDDEN);
                        assertThat(e.getMessage()).contains("credentials refused").contains("audience mismatch");
                    });
        }
    }

    private void assertS3CallRefused(String hint) {
        try (var credentials = AwsCredentials.create(aws(), azure()); S3Client s3 = s3(credentials)) {
            assertThatThrownBy(() -> s3.putObject(b -> b.bucket(bucket).key("refused.txt"), RequestBody.fromString("x")))
                    .isInstanceOfSatisfying(IdentityRejectedException.class, e -> assertThat(e.hint()).contains(hint));
        }
        assertThat(federation.sts().issuedSessions()).isEmpty();
        assertThat(sent).as("no S3 request left the client").isEmpty();
        assertThat(emulators.s3Client().listObjectsV2(b -> b.bucket(bucket)).contents()).isEmpty();
    }

    @Test
    void shortLivedCredentialsAreRenewedInTheBackgroundWithoutAFailedCall() throws Exception {
        Duration lifetime = Duration.ofSeconds(10);
        startFederation(lifetime);
        var refresh = new AwsCredentials.Refresh(Duration.ofSeconds(2), Duration.ofSeconds(5), 4);
        List<String> failures = new ArrayList<>();
        Instant end = Instant.now().plusSeconds(27);
        int calls = 0;
        try (var credentials = AwsCredentials.create(aws(), azure(), refresh); S3Client s3 = s3(credentials)) {
            while (Instant.now().isBefore(end)) {
                String key = "object-" + calls++;
                try {
                    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
                    assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String()).isEqualTo(key);
                } catch (RuntimeException e) {
                    failures.add(key + ": " + e);
                }
                Thread.sleep(200);
            }
        }
        assertThat(failures).isEmpty();
        List<LocalSts.Session> sessions = federation.sts().issuedSessions();
        assertThat(sessions).hasSizeGreaterThanOrEqualTo(3);
        // Each renewal happened while the previous session was still valid: prefetched, not waited for.
        for (int i = 1; i < sessions.size(); i++) {
            Instant issued = sessions.get(i).expiresAt().minus(lifetime);
            assertThat(issued).as("session %d issued before session %d expired", i, i - 1).isBefore(sessions.get(i - 1).expiresAt());
        }
        assertThat(federation.issuer().tokensIssued()).as("a fresh Entra token for each exchange").isGreaterThanOrEqualTo(sessions.size());
        assertEverySentRequestCarriedALiveSession();
    }

    @Test
    void noTokenKeyOrSecretReachesTheLogs() throws Exception {
        startFederation(null);
        // Our code and the Azure identity stack at DEBUG. The AWS SDK at INFO: at DEBUG its SigV4 signer
        // prints the canonical request, x-amz-security-token included — which is why the shipped
        // logback.xml keeps software.amazon.awssdk at WARN and the log level setting must not lower it.
        try (var logs = new LogCapture(Map.of("dev.skyferry", Level.DEBUG, "com.azure", Level.DEBUG,
                "com.microsoft.aad.msal4j", Level.DEBUG, "software.amazon.awssdk", Level.INFO))) {
            try (var credentials = AwsCredentials.create(aws(), azure()); S3Client s3 = s3(credentials)) {
                s3.putObject(b -> b.bucket(bucket).key("logged.txt"), RequestBody.fromString("x"));
            }
            federation.sts().addOidcProvider(federation.issuer().v1Issuer(), "api://another-app");
            try (var credentials = AwsCredentials.create(aws(), azure())) {
                assertThatThrownBy(credentials::resolveCredentials).isInstanceOf(IdentityRejectedException.class);
            }

            List<String> secrets = new ArrayList<>(federation.issuer().issuedTokens());
            secrets.add(Files.readString(federation.tokenFile(), StandardCharsets.UTF_8).trim());
            federation.sts().issuedSessions().forEach(s -> secrets.add(s.sessionToken()));
            secrets.add(emulators.awsSecretAccessKey());
            assertThat(secrets).hasSizeGreaterThanOrEqualTo(4);
            assertThat(logs.lines()).as("captured log lines").isNotEmpty();
            for (String line : logs.lines()) {
                for (String secret : secrets) {
                    assertThat(line).doesNotContain(secret);
                }
            }
        }
    }
}
