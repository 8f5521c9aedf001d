package dev.skyferry.identity;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** {@code aws.auth.mode}: how the worker gets AWS credentials. */
public enum AwsAuthMode {
    /** An Entra token for the configured audience, exchanged by STS AssumeRoleWithWebIdentity. */
    AZURE_FEDERATED("azure-federated"),
    /** EKS IRSA / any web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE). */
    WEB_IDENTITY_FILE("web-identity-file"),
    /** The AWS SDK's default credentials chain. */
    DEFAULT("default"),
    /** An access key pair in the configuration. Emulators only; warned at start. */
    STATIC("static");

    private final String configName;

    AwsAuthMode(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static Optional<AwsAuthMode> fromConfigName(String name) {
        return Arrays.stream(values()).filter(m -> m.configName.equals(name)).findFirst();
    }

    public static List<String> configNames() {
        return Arrays.stream(values()).map(AwsAuthMode::configName).toList();
    }

    @Override
    public String toString() {
        return configName;
    }
}
