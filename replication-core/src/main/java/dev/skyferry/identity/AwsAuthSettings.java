package dev.skyferry.identity;

import static dev.skyferry.identity.SettingsProblems.blankToNull;
import static dev.skyferry.identity.SettingsProblems.orEnv;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validated {@code aws.auth} settings (docs/configuration.md), plus the three {@code aws.*} values the
 * credentials need: region, partition and the STS endpoint. Built by {@link #resolve} from the raw
 * configuration values plus the environment ({@code AWS_WEB_IDENTITY_TOKEN_FILE}, {@code AWS_ROLE_ARN}
 * and {@code AWS_REGION} as EKS IRSA injects them).
 *
 * @param audience        azure-federated: the Entra app ID URI; the token is asked for {@code <audience>/.default}
 * @param sessionDuration how long assumed-role credentials live (900 s – 12 h, capped by the role's maximum)
 * @param stsEndpoint     null = the SDK's regional endpoint for {@code region}
 */
public record AwsAuthSettings(
        AwsAuthMode mode,
        String region,
        String partition,
        URI stsEndpoint,
        String roleArn,
        String roleSessionName,
        String audience,
        Duration sessionDuration,
        Path webIdentityTokenFile,
        String accessKeyId,
        Secret secretAccessKey) {

    public static final String ENV_WEB_IDENTITY_TOKEN_FILE = "AWS_WEB_IDENTITY_TOKEN_FILE";
    public static final String ENV_ROLE_ARN = "AWS_ROLE_ARN";
    public static final String ENV_REGION = "AWS_REGION";
    public static final String DEFAULT_PARTITION = "aws";
    public static final String DEFAULT_SESSION_NAME = "skyferry";
    public static final int DEFAULT_DURATION_SECONDS = 3600;
    /** STS AssumeRoleWithWebIdentity accepts 900 s up to the role's maximum session, at most 12 h. */
    public static final int MIN_DURATION_SECONDS = 900;
    public static final int MAX_DURATION_SECONDS = 43_200;

    /** The raw {@code aws.auth} values plus {@code aws.region}, {@code aws.partition}, {@code aws.endpoints.sts}. */
    public record Input(String mode, String roleArn, String roleSessionName, String audience,
                        Integer durationSeconds, String webIdentityTokenFile, String accessKeyId,
                        String secretAccessKey, String region, String partition, String stsEndpoint) {
        @Override
        public String toString() {
            return "Input[mode=" + mode + ", roleArn=" + roleArn + ", roleSessionName=" + roleSessionName
                    + ", audience=" + audience + ", durationSeconds=" + durationSeconds
                    + ", webIdentityTokenFile=" + webIdentityTokenFile + ", accessKeyId=" + accessKeyId
                    + ", region=" + region + ", partition=" + partition + ", stsEndpoint=" + stsEndpoint
                    + ", secrets hidden]";
        }
    }

    private static final List<String> PARTITIONS = List.of("aws", "aws-us-gov", "aws-cn");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:([a-z-]+):iam::(\\d{12}):role/[\\w+=,.@/-]+");
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");
    private static final Pattern ACCESS_KEY_ID = Pattern.compile("[A-Z0-9]{16,128}");
    private static final Pattern SCOPE_CHARACTERS = Pattern.compile("[0-9a-zA-Z.:/_-]+");
    private static final String PATH = "aws.auth.";

    public AwsAuthSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(roleSessionName, "roleSessionName");
        Objects.requireNonNull(sessionDuration, "sessionDuration");
    }

    /** The scope asked of Entra for the STS exchange: {@code <audience>/.default}. */
    public String entraScope() {
        return audience + "/.default";
    }

    /**
     * Validates and resolves the settings.
     *
     * @throws IdentityConfigException listing every problem with its path and the bad value
     */
    public static AwsAuthSettings resolve(Input input, Map<String, String> env) {
        var problems = new SettingsProblems();
        AwsAuthSettings settings = resolve(input, env, problems);
        if (!problems.list().isEmpty()) {
            throw new IdentityConfigException(problems.list());
        }
        return settings;
    }

    /** Every problem with these settings, each prefixed with its path; empty when they are valid. */
    public static List<String> validate(Input input, Map<String, String> env) {
        var problems = new SettingsProblems();
        resolve(input, env, problems);
        return problems.list();
    }

    private static AwsAuthSettings resolve(Input in, Map<String, String> env, SettingsProblems p) {
        String modeName = blankToNull(in.mode()) == null ? AwsAuthMode.DEFAULT.configName() : in.mode().trim();
        AwsAuthMode mode = AwsAuthMode.fromConfigName(modeName).orElse(null);
        if (mode == null) {
            p.add(PATH + "mode", "'" + modeName + "' is not one of " + AwsAuthMode.configNames());
        }
        String partition = blankToNull(in.partition()) == null ? DEFAULT_PARTITION : in.partition().trim();
        if (!PARTITIONS.contains(partition)) {
            p.add("aws.partition", "'" + partition + "' is not one of " + PARTITIONS);
        }
        String region = orEnv(in.region(), env, ENV_REGION);
        if (region != null) {
            if (!REGION.matcher(region).matches()) {
                p.add("aws.region", "is not an AWS region name (e.g. eu-west-1), was '" + region + "'");
            } else if (PARTITIONS.contains(partition) && !partitionOf(region).equals(partition)) {
                p.add("aws.region", "'" + region + "' belongs to partition " + partitionOf(region)
                        + ", not aws.partition '" + partition + "'");
            }
        }
        URI stsEndpoint = p.url("aws.endpoints.sts", blankToNull(in.stsEndpoint()), false);

        String sessionName = blankToNull(in.roleSessionName()) == null ? DEFAULT_SESSION_NAME : in.roleSessionName().trim();
        if (!SESSION_NAME.matcher(sessionName).matches()) {
            p.add(PATH + "roleSessionName", "must be 2-64 letters, digits and +=,.@_-, was '" + sessionName + "'");
        }
        int durationSeconds = in.durationSeconds() == null ? DEFAULT_DURATION_SECONDS : in.durationSeconds();
        if (durationSeconds < MIN_DURATION_SECONDS || durationSeconds > MAX_DURATION_SECONDS) {
            p.add(PATH + "durationSeconds", "must be between " + MIN_DURATION_SECONDS + " and " + MAX_DURATION_SECONDS
                    + " (and at most the role's maximum session duration), was " + durationSeconds);
        }
        String audience = blankToNull(in.audience());
        String roleArn = blankToNull(in.roleArn());
        Path tokenFile = null;
        String accessKeyId = blankToNull(in.accessKeyId());
        Secret secretAccessKey = Secret.ofNullable(in.secretAccessKey());

        if (mode != null) {
            String needs = "for mode " + mode;
            switch (mode) {
                case AZURE_FEDERATED -> {
                    p.required("aws.region", region, needs + " (the regional STS endpoint is used; or set " + ENV_REGION + ")");
                    p.required(PATH + "roleArn", roleArn, needs);
                    if (p.required(PATH + "audience", audience, needs + " (the Entra app ID URI, e.g. api://skyferry-aws-federation)")) {
                        audience(p, audience);
                    }
                }
                case WEB_IDENTITY_FILE -> {
                    roleArn = roleArn != null ? roleArn : orEnv(null, env, ENV_ROLE_ARN);
                    p.required("aws.region", region, needs + " (or set " + ENV_REGION + ")");
                    p.required(PATH + "roleArn", roleArn, needs + " (or set " + ENV_ROLE_ARN + ")");
                    String file = orEnv(in.webIdentityTokenFile(), env, ENV_WEB_IDENTITY_TOKEN_FILE);
                    if (p.required(PATH + "webIdentityTokenFile", file, needs + " (or set " + ENV_WEB_IDENTITY_TOKEN_FILE + ")")) {
                        tokenFile = p.readableFile(PATH + "webIdentityTokenFile", file,
                                "on EKS the pod identity webhook mounts it when the service account has the annotation eks.amazonaws.com/role-arn");
                    }
                }
                case DEFAULT -> {
                    // The SDK's chain finds credentials and region itself.
                }
                case STATIC -> {
                    if (p.required(PATH + "accessKeyId", accessKeyId, needs) && !ACCESS_KEY_ID.matcher(accessKeyId).matches()) {
                        p.add(PATH + "accessKeyId", "is not an access key id (upper-case letters and digits), was '" + accessKeyId + "'");
                    }
                    p.required(PATH + "secretAccessKey", secretAccessKey, needs + " (set it through SKYFERRY_AWS_AUTH_SECRET_ACCESS_KEY)");
                }
            }
            if (mode != AwsAuthMode.STATIC) {
                p.unusedSecret(PATH + "secretAccessKey", secretAccessKey, "static");
            }
        }
        if (roleArn != null) {
            Matcher arn = ROLE_ARN.matcher(roleArn);
            if (!arn.matches()) {
                p.add(PATH + "roleArn", "'" + roleArn + "' is not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>)");
            } else if (!arn.group(1).equals(partition)) {
                p.add(PATH + "roleArn", "'" + roleArn + "' is in partition " + arn.group(1) + ", not aws.partition '" + partition + "'");
            }
        }
        if (mode == null || !PARTITIONS.contains(partition)) {
            return null;
        }
        return new AwsAuthSettings(mode, region, partition, stsEndpoint, roleArn, sessionName, audience,
                Duration.ofSeconds(durationSeconds), tokenFile, accessKeyId, secretAccessKey);
    }

    private static void audience(SettingsProblems p, String audience) {
        if (audience.endsWith("/.default")) {
            p.add(PATH + "audience", "leave out '/.default': Skyferry asks Entra for <audience>/.default itself, was '" + audience + "'");
        } else if (!SCOPE_CHARACTERS.matcher(audience).matches()) {
            // azure-identity checks scopes against this pattern (ScopeUtil) before asking for a token.
            p.add(PATH + "audience", "may contain only letters, digits and . - : / _ (azure-identity rejects other"
                    + " characters in a scope), was '" + audience + "'");
        } else if (!audience.contains("://") && !SettingsProblems.GUID.matcher(audience).matches()) {
            p.add(PATH + "audience", "must be an Entra app ID URI (api://..., https://...) or an app client id, was '" + audience + "'");
        }
    }

    static String partitionOf(String region) {
        if (region.startsWith("cn-")) {
            return "aws-cn";
        }
        if (region.startsWith("us-gov-")) {
            return "aws-us-gov";
        }
        return "aws";
    }
}
