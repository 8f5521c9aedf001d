package dev.skyferry.identity;

import static dev.skyferry.identity.SettingsProblems.blankToNull;
import static dev.skyferry.identity.SettingsProblems.orEnv;

import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Validated {@code azure.auth} settings (docs/configuration.md). Built by {@link #resolve} from the
 * raw configuration values plus the environment: the Azure SDK's variables ({@code AZURE_TENANT_ID},
 * {@code AZURE_CLIENT_ID}, {@code AZURE_AUTHORITY_HOST}, {@code AZURE_FEDERATED_TOKEN_FILE}) are the
 * defaults, so the AKS workload-identity webhook needs no extra settings.
 *
 * <p>{@code IDENTITY_ENDPOINT}/{@code IDENTITY_HEADER} (App Service) and IMDS are read by the SDK's
 * ManagedIdentityCredential itself and are not settings. Secrets are {@link Secret}s: this record's
 * {@code toString} never shows them.
 *
 * @param tenantId    Entra tenant (GUID or verified domain); null only where the mode does not need it
 * @param clientId    app registration or user-assigned identity client id; null = system-assigned
 * @param authorityHost Entra authority, e.g. https://login.microsoftonline.com, https://login.microsoftonline.us,
 *                    https://login.chinacloudapi.cn
 */
public record AzureAuthSettings(
        AzureAuthMode mode,
        String tenantId,
        String clientId,
        URI authorityHost,
        Path federatedTokenFile,
        Secret clientSecret,
        Path certificatePath,
        Secret certificatePassword,
        AwsTokenSource awsTokenSource,
        Path awsTokenFile,
        Secret connectionString) {

    public static final String ENV_TENANT_ID = "AZURE_TENANT_ID";
    public static final String ENV_CLIENT_ID = "AZURE_CLIENT_ID";
    public static final String ENV_AUTHORITY_HOST = "AZURE_AUTHORITY_HOST";
    public static final String ENV_FEDERATED_TOKEN_FILE = "AZURE_FEDERATED_TOKEN_FILE";
    public static final URI PUBLIC_CLOUD_AUTHORITY = URI.create("https://login.microsoftonline.com/");

    /** Where an aws-federated worker gets its AWS-issued token. */
    public enum AwsTokenSource {
        /** STS GetWebIdentityToken (IAM outbound identity federation). */
        STS("sts"),
        /** A projected token file, e.g. an EKS service-account token with audience api://AzureADTokenExchange. */
        FILE("file");

        private final String configName;

        AwsTokenSource(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        static Optional<AwsTokenSource> fromConfigName(String name) {
            return Arrays.stream(values()).filter(s -> s.configName.equals(name)).findFirst();
        }

        @Override
        public String toString() {
            return configName;
        }
    }

    /** The raw {@code azure.auth} values as written in the configuration (all optional strings). */
    public record Input(String mode, String tenantId, String clientId, String authorityHost,
                        String federatedTokenFile, String clientSecret, String certificatePath,
                        String certificatePassword, String awsTokenSource, String awsTokenFile,
                        String connectionString) {
        @Override
        public String toString() {
            return "Input[mode=" + mode + ", tenantId=" + tenantId + ", clientId=" + clientId
                    + ", authorityHost=" + authorityHost + ", federatedTokenFile=" + federatedTokenFile
                    + ", certificatePath=" + certificatePath + ", awsTokenSource=" + awsTokenSource
                    + ", awsTokenFile=" + awsTokenFile + ", secrets hidden]";
        }
    }

    private static final Pattern TENANT_DOMAIN = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+");
    private static final String PATH = "azure.auth.";

    public AzureAuthSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(authorityHost, "authorityHost");
    }

    /**
     * Validates and resolves the settings.
     *
     * @throws IdentityConfigException listing every problem with its path and the bad value
     */
    public static AzureAuthSettings resolve(Input input, Map<String, String> env) {
        var problems = new SettingsProblems();
        AzureAuthSettings settings = resolve(input, env, problems);
        if (!problems.list().isEmpty()) {
            throw new IdentityConfigException(problems.list());
        }
        return settings;
    }

    /** Every problem with these settings, each prefixed with its path; empty when they are valid. */
    public static java.util.List<String> validate(Input input, Map<String, String> env) {
        var problems = new SettingsProblems();
        resolve(input, env, problems);
        return problems.list();
    }

    private static AzureAuthSettings resolve(Input in, Map<String, String> env, SettingsProblems p) {
        String modeName = blankToNull(in.mode()) == null ? AzureAuthMode.DEFAULT.configName() : in.mode().trim();
        AzureAuthMode mode = AzureAuthMode.fromConfigName(modeName).orElse(null);
        if (mode == null) {
            p.add(PATH + "mode", "'" + modeName + "' is not one of " + AzureAuthMode.configNames());
        }

        String tenantId = orEnv(in.tenantId(), env, ENV_TENANT_ID);
        if (tenantId != null && !SettingsProblems.GUID.matcher(tenantId).matches() && !TENANT_DOMAIN.matcher(tenantId).matches()) {
            p.add(PATH + "tenantId", "must be a tenant GUID or verified domain (contoso.onmicrosoft.com), was '" + tenantId + "'");
        }
        String clientId = orEnv(in.clientId(), env, ENV_CLIENT_ID);
        p.guid(PATH + "clientId", clientId);
        String authority = orEnv(in.authorityHost(), env, ENV_AUTHORITY_HOST);
        // azure-identity refuses a non-https authority ("Authority host must use https scheme").
        URI authorityHost = authority == null ? PUBLIC_CLOUD_AUTHORITY : p.url(PATH + "authorityHost", authority, true);

        Secret clientSecret = Secret.ofNullable(in.clientSecret());
        Secret certificatePassword = Secret.ofNullable(in.certificatePassword());
        Secret connectionString = Secret.ofNullable(in.connectionString());
        Path federatedTokenFile = null;
        Path certificatePath = null;
        AwsTokenSource awsTokenSource = null;
        Path awsTokenFile = null;

        if (mode != null) {
            String needs = "for mode " + mode;
            switch (mode) {
                case WORKLOAD_IDENTITY -> {
                    p.required(PATH + "tenantId", tenantId, needs + " (or set " + ENV_TENANT_ID + ")");
                    p.required(PATH + "clientId", clientId, needs + " (or set " + ENV_CLIENT_ID + ")");
                    String file = orEnv(in.federatedTokenFile(), env, ENV_FEDERATED_TOKEN_FILE);
                    if (p.required(PATH + "federatedTokenFile", file, needs + " (or set " + ENV_FEDERATED_TOKEN_FILE + ")")) {
                        federatedTokenFile = p.readableFile(PATH + "federatedTokenFile", file,
                                "on AKS the workload-identity webhook mounts it when the pod has the label"
                                        + " azure.workload.identity/use: \"true\" and its service account the annotation"
                                        + " azure.workload.identity/client-id");
                    }
                }
                case MANAGED_IDENTITY, DEFAULT -> {
                    // clientId optional: absent means the system-assigned identity.
                }
                case CLIENT_SECRET -> {
                    p.required(PATH + "tenantId", tenantId, needs + " (or set " + ENV_TENANT_ID + ")");
                    p.required(PATH + "clientId", clientId, needs + " (or set " + ENV_CLIENT_ID + ")");
                    p.required(PATH + "clientSecret", clientSecret, needs + " (set it through SKYFERRY_AZURE_AUTH_CLIENT_SECRET)");
                }
                case CLIENT_CERTIFICATE -> {
                    p.required(PATH + "tenantId", tenantId, needs + " (or set " + ENV_TENANT_ID + ")");
                    p.required(PATH + "clientId", clientId, needs + " (or set " + ENV_CLIENT_ID + ")");
                    String cert = blankToNull(in.certificatePath());
                    if (p.required(PATH + "certificatePath", cert, needs + " (a PEM or PFX file)")) {
                        certificatePath = p.readableFile(PATH + "certificatePath", cert, null);
                        if (!isPfx(cert) && certificatePassword != null) {
                            p.add(PATH + "certificatePassword", "only used with a PFX/PKCS#12 certificate (.pfx, .p12); '"
                                    + cert + "' is read as PEM");
                        }
                    }
                }
                case AWS_FEDERATED -> {
                    p.required(PATH + "tenantId", tenantId, needs + " (or set " + ENV_TENANT_ID + ")");
                    p.required(PATH + "clientId", clientId, needs + " (the Entra app or user-assigned identity"
                            + " holding the federated credential; or set " + ENV_CLIENT_ID + ")");
                    String sourceName = blankToNull(in.awsTokenSource()) == null ? AwsTokenSource.STS.configName() : in.awsTokenSource().trim();
                    awsTokenSource = AwsTokenSource.fromConfigName(sourceName).orElse(null);
                    if (awsTokenSource == null) {
                        p.add(PATH + "awsTokenSource", "'" + sourceName + "' is not one of [sts, file]");
                    } else if (awsTokenSource == AwsTokenSource.FILE) {
                        String file = blankToNull(in.awsTokenFile());
                        if (p.required(PATH + "awsTokenFile", file, "for awsTokenSource file (the projected token with audience api://AzureADTokenExchange)")) {
                            awsTokenFile = p.readableFile(PATH + "awsTokenFile", file, null);
                        }
                    }
                }
                case SHARED_KEY -> {
                    if (p.required(PATH + "connectionString", connectionString, needs + " (emulators only)")
                            && !looksLikeConnectionString(connectionString.reveal())) {
                        // The value is a secret: name the problem, never echo it.
                        p.add(PATH + "connectionString", "is not a storage connection string (expected AccountName=...;AccountKey=... or UseDevelopmentStorage=true)");
                    }
                }
            }
            if (mode != AzureAuthMode.CLIENT_SECRET) {
                p.unusedSecret(PATH + "clientSecret", clientSecret, "client-secret");
            }
            if (mode != AzureAuthMode.CLIENT_CERTIFICATE) {
                p.unusedSecret(PATH + "certificatePassword", certificatePassword, "client-certificate");
            }
            if (mode != AzureAuthMode.SHARED_KEY) {
                p.unusedSecret(PATH + "connectionString", connectionString, "shared-key");
            }
        }
        if (mode == null || authorityHost == null) {
            return null;
        }
        return new AzureAuthSettings(mode, tenantId, clientId, authorityHost, federatedTokenFile, clientSecret,
                certificatePath, certificatePassword, awsTokenSource, awsTokenFile, connectionString);
    }

    static boolean isPfx(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        return lower.endsWith(".pfx") || lower.endsWith(".p12");
    }

    private static boolean looksLikeConnectionString(String value) {
        return value.contains("AccountName=") || value.contains("UseDevelopmentStorage=true")
                || value.contains("BlobEndpoint=") || value.contains("QueueEndpoint=");
    }
}
