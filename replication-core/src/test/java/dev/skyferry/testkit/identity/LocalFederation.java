package dev.skyferry.testkit.identity;

import dev.skyferry.identity.AwsAuthSettings;
import dev.skyferry.identity.AzureAuthSettings;
import dev.skyferry.testkit.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The whole secretless setup of docs/identity.md, locally and wired: a {@link LocalOidcIssuer} as the
 * Entra tenant with the worker's managed identity (federated to a Kubernetes service account, as on
 * AKS) and the federation app exposing {@value #AUDIENCE}; a {@link LocalSts} with the IAM OIDC
 * provider for the tenant's v1 issuer (trailing slash) and a role trusting aud and sub. Tests and
 * {@code skyferry local} take the settings from {@link #azureAuth()}/{@link #awsAuth()} and the
 * environment from {@link #env()}, then bend one piece to see a failure.
 */
public final class LocalFederation implements AutoCloseable {

    public static final String AUDIENCE = "api://skyferry-aws-federation";
    public static final String NAMESPACE = "skyferry";
    public static final String SERVICE_ACCOUNT = "skyferry-worker";
    public static final String ROLE_NAME = "skyferry";
    public static final String REGION = "us-east-1";

    private final LocalOidcIssuer issuer;
    private final LocalSts sts;
    private final LocalOidcIssuer.Principal workerIdentity;
    private final LocalOidcIssuer.Api federationApi;
    private final String roleArn;
    private final Path tokenFile;

    private LocalFederation(LocalSts.Builder stsBuilder, int issuerPort) {
        issuer = LocalOidcIssuer.start(issuerPort);
        workerIdentity = issuer.addManagedIdentity("skyferry-worker");
        issuer.addFederatedCredential(workerIdentity, issuer.serviceAccountIssuer(),
                "system:serviceaccount:" + NAMESPACE + ":" + SERVICE_ACCOUNT);
        federationApi = issuer.exposeApi("skyferry-aws-federation", AUDIENCE).assignmentRequired(true).assign(workerIdentity);
        sts = stsBuilder.start();
        sts.addOidcProvider(issuer.v1Issuer(), AUDIENCE);
        roleArn = sts.addWebIdentityRole(ROLE_NAME, issuer.v1Issuer(), AUDIENCE, workerIdentity.objectId());
        try {
            tokenFile = Files.createTempFile("azure-identity-token", "");
            tokenFile.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        issuer.writeServiceAccountToken(tokenFile, NAMESPACE, SERVICE_ACCOUNT);
    }

    /** Starts the pair; {@code sts} sets the key pair S3Proxy accepts and, for refresh tests, a short credential lifetime. */
    public static LocalFederation start(LocalSts.Builder sts) {
        return new LocalFederation(sts, LoopbackPorts.freeOutsideEphemeralRange()); // the issuer is restarted in outages
    }

    /** As {@link #start(LocalSts.Builder)} with the issuer on a fixed port (e.g. {@code skyferry local}; the STS port is set on its builder). */
    public static LocalFederation start(LocalSts.Builder sts, int issuerPort) {
        return new LocalFederation(sts, issuerPort);
    }

    public static LocalFederation start(String accessKeyId, String secretAccessKey, Duration credentialLifetime) {
        return start(LocalSts.builder().keyPair(accessKeyId, secretAccessKey).credentialLifetime(credentialLifetime));
    }

    public LocalOidcIssuer issuer() {
        return issuer;
    }

    public LocalSts sts() {
        return sts;
    }

    /** The worker's managed identity (its object id is the token's sub and oid). */
    public LocalOidcIssuer.Principal workerIdentity() {
        return workerIdentity;
    }

    /** The Entra app whose application ID URI is the audience. */
    public LocalOidcIssuer.Api federationApi() {
        return federationApi;
    }

    public String roleArn() {
        return roleArn;
    }

    /** The projected service-account token (as the AKS webhook mounts it). */
    public Path tokenFile() {
        return tokenFile;
    }

    /** What the AKS workload-identity webhook injects into the pod. */
    public Map<String, String> env() {
        return Map.of(
                AzureAuthSettings.ENV_TENANT_ID, issuer.tenantId(),
                AzureAuthSettings.ENV_CLIENT_ID, workerIdentity.clientId(),
                AzureAuthSettings.ENV_FEDERATED_TOKEN_FILE, tokenFile.toString(),
                AzureAuthSettings.ENV_AUTHORITY_HOST, issuer.authorityHost().toString());
    }

    /** azure.auth: workload-identity, everything else from {@link #env()}. */
    public AzureAuthSettings.Input azureAuth() {
        return new AzureAuthSettings.Input("workload-identity", null, null, null, null, null, null, null, null, null, null);
    }

    /** aws.auth: azure-federated against the local STS. */
    public AwsAuthSettings.Input awsAuth() {
        return new AwsAuthSettings.Input("azure-federated", roleArn, "skyferry", AUDIENCE, 900, null, null, null,
                REGION, "aws", sts.endpoint().toString());
    }

    @Override
    public void close() {
        sts.close();
        issuer.close();
    }
}
