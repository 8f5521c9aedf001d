package dev.skyferry.identity;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** {@code azure.auth.mode}: how the worker proves who it is to Entra ID. */
public enum AzureAuthMode {
    /** AKS workload identity: a projected service-account token exchanged for an Entra token. */
    WORKLOAD_IDENTITY("workload-identity"),
    /** System- or user-assigned managed identity (IMDS, App Service, Arc, Service Fabric). */
    MANAGED_IDENTITY("managed-identity"),
    /** DefaultAzureCredential: environment, workload identity, managed identity, developer tools. */
    DEFAULT("default"),
    /** An app registration's client secret, for services without managed identity. */
    CLIENT_SECRET("client-secret"),
    /** An app registration's certificate (PEM or PFX). */
    CLIENT_CERTIFICATE("client-certificate"),
    /** Worker on AWS: an AWS-issued web identity token as the client assertion of an Entra app. */
    AWS_FEDERATED("aws-federated"),
    /** Storage shared key / connection string. Emulators only; warned at start. */
    SHARED_KEY("shared-key");

    private final String configName;

    AzureAuthMode(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static Optional<AzureAuthMode> fromConfigName(String name) {
        return Arrays.stream(values()).filter(m -> m.configName.equals(name)).findFirst();
    }

    public static List<String> configNames() {
        return Arrays.stream(values()).map(AzureAuthMode::configName).toList();
    }

    @Override
    public String toString() {
        return configName;
    }
}
