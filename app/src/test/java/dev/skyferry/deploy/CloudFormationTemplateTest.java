package dev.skyferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyferry.app.config.SkyferryConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/aws/skyferry.cfn.yaml parsed as plain YAML (it uses long-form intrinsics only) and checked
 * against the app's configuration, the identity flow and least privilege.
 */
class CloudFormationTemplateTest {

    private static final String TEXT = DeployFiles.read(DeployFiles.DEPLOY.resolve("aws/skyferry.cfn.yaml"));
    private static final JsonNode TEMPLATE = DeployFiles.yaml(TEXT);
    private static final JsonNode RESOURCES = TEMPLATE.path("Resources");

    /** What the worker does in AWS, action by action (shared/reference/identity.md, "Roles and actions"). */
    private static final Set<String> WORKER_ACTIONS = Set.of(
            "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging",
            "s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
            "s3:ListBucket", "s3:DeleteObject",
            "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes",
            "sqs:SendMessage", "sqs:GetQueueUrl", "sqs:StartMessageMoveTask", "sqs:ListMessageMoveTasks",
            "kms:GenerateDataKey", "kms:Decrypt");

    private static JsonNode resource(String name) {
        JsonNode resource = RESOURCES.path(name);
        assertThat(resource.isObject()).as("resource " + name).isTrue();
        return resource.path("Properties");
    }

    private static String parameterDefault(String name) {
        return TEMPLATE.path("Parameters").path(name).path("Default").asText();
    }

    /** Fn::Sub over a trust-policy string with example values, parsed as the JSON IAM would see. */
    private static JsonNode trustPolicy(String role, Map<String, String> values) {
        JsonNode sub = resource(role).path("AssumeRolePolicyDocument").path("Fn::Sub");
        String body = sub.isArray() ? sub.get(0).asText() : sub.asText();
        Matcher placeholder = Pattern.compile("\\$\\{([A-Za-z0-9:]+)}").matcher(body);
        StringBuilder out = new StringBuilder();
        while (placeholder.find()) {
            String value = values.get(placeholder.group(1));
            assertThat(value).as("example value for ${" + placeholder.group(1) + "}").isNotNull();
            placeholder.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        placeholder.appendTail(out);
        return DeployFiles.json(out.toString());
    }

    /** Every statement of a role's inline policies, with both branches of Fn::If conditions. */
    private static List<JsonNode> statements(String role) {
        List<JsonNode> statements = new ArrayList<>();
        for (JsonNode policy : resource(role).path("Policies")) {
            for (JsonNode statement : policy.path("PolicyDocument").path("Statement")) {
                if (statement.has("Fn::If")) {
                    JsonNode chosen = statement.path("Fn::If").get(1);
                    if (!chosen.has("Ref")) {
                        statements.add(chosen);
                    }
                } else {
                    statements.add(statement);
                }
            }
        }
        return statements;
    }

    private static List<String> actions(JsonNode statement) {
        JsonNode action = statement.path("Action");
        List<String> actions = new ArrayList<>();
        if (action.isArray()) {
            action.forEach(a -> actions.add(a.asText()));
        } else {
            actions.add(action.asText());
        }
        return actions;
    }

    private static JsonNode statement(String role, String sid) {
        return statements(role).stream().filter(s -> s.path("Sid").asText().equals(sid)).findFirst()
                .orElseThrow(() -> new AssertionError("no statement " + sid + " in " + role));
    }

    @Test
    void usesLongFormIntrinsicsSoPlainYamlParsersReadItFaithfully() {
        assertThat(TEXT).doesNotContainPattern("!(Ref|Sub|GetAtt|If|Equals|Not|Select|Split|Join)\\b");
        assertThat(TEMPLATE.path("AWSTemplateFormatVersion").asText()).isEqualTo("2010-09-09");
    }

    @Test
    void oidcProviderIsTheEntraV1IssuerWithItsTrailingSlash() {
        JsonNode provider = resource("EntraOidcProvider");

        assertThat(provider.path("Url").path("Fn::Sub").asText()).isEqualTo("https://sts.windows.net/${EntraTenantId}/");
        assertThat(provider.path("ClientIdList").get(0).path("Ref").asText()).isEqualTo("Audience");
    }

    @Test
    void audienceIsTheSameEverywhere() {
        String documented = DeployFiles.documentedConfig().path("aws").path("auth").path("audience").asText();
        BicepFile main = BicepFile.read(DeployFiles.DEPLOY.resolve("azure/main.bicep"));
        BicepFile appService = BicepFile.read(DeployFiles.DEPLOY.resolve("azure/appservice.bicep"));

        assertThat(parameterDefault("Audience"))
                .isEqualTo(documented)
                .isEqualTo(main.stringParamDefault("awsFederationAudience"))
                .isEqualTo(appService.stringParamDefault("awsFederationAudience"));
    }

    @Test
    void roleTrustsOnlyTheWorkerIdentityOnAudienceAndSubject() {
        String tenant = "72f988bf-0000-0000-0000-000000000000";
        String principal = "9b2c8f4e-1111-2222-3333-444444444444";
        JsonNode trust = trustPolicy("WorkerRole", Map.of(
                "EntraTenantId", tenant, "Audience", "api://skyferry-aws-federation",
                "WorkerPrincipalId", principal, "ProviderArn", "arn:aws:iam::123456789012:oidc-provider/sts.windows.net/" + tenant + "/"));

        assertThat(trust.path("Statement")).hasSize(1);
        JsonNode statement = trust.path("Statement").get(0);
        assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
        assertThat(statement.path("Action").asText()).isEqualTo("sts:AssumeRoleWithWebIdentity");
        JsonNode condition = statement.path("Condition");
        assertThat(condition.fieldNames()).toIterable().containsExactly("StringEquals");
        assertThat(condition.path("StringEquals").path("sts.windows.net/" + tenant + "/:aud").asText()).isEqualTo("api://skyferry-aws-federation");
        assertThat(condition.path("StringEquals").path("sts.windows.net/" + tenant + "/:sub").asText()).isEqualTo(principal);
        // The role must allow sessions as long as the app asks for by default.
        assertThat(resource("WorkerRole").path("MaxSessionDuration").asInt())
                .isGreaterThanOrEqualTo(SkyferryConfig.AwsAuth.DEFAULT_DURATION_SECONDS);
    }

    @Test
    void policiesNameExactActionsAndNoWildcards() {
        Set<String> workerActions = new TreeSet<>();
        statements("WorkerRole").forEach(s -> workerActions.addAll(actions(s)));
        Set<String> kedaActions = new TreeSet<>();
        statements("KedaRole").forEach(s -> kedaActions.addAll(actions(s)));

        assertThat(workerActions).isEqualTo(new TreeSet<>(WORKER_ACTIONS));
        assertThat(kedaActions).containsExactly("sqs:GetQueueAttributes");
        for (String role : List.of("WorkerRole", "KedaRole")) {
            for (JsonNode statement : statements(role)) {
                assertThat(actions(statement)).as(role + " " + statement.path("Sid").asText()).noneMatch(a -> a.contains("*"));
                assertThat(statement.path("Resource").asText()).as(role + " resource").isNotEqualTo("*");
                assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
            }
        }
    }

    @Test
    void grantsEachActionOnlyWhereItIsUsed() {
        String objects = "arn:${AWS::Partition}:s3:::${BucketName}/*";
        assertThat(statement("WorkerRole", "ReadSourceObjects").path("Resource").path("Fn::Sub").asText()).isEqualTo(objects);
        assertThat(statement("WorkerRole", "WriteReplicas").path("Resource").path("Fn::Sub").asText()).isEqualTo(objects);
        // Removing a replica that failed verification needs it whatever the rules' delete policy.
        assertThat(statement("WorkerRole", "RemoveReplicas").path("Resource").path("Fn::Sub").asText()).isEqualTo(objects);
        assertThat(actions(statement("WorkerRole", "RemoveReplicas"))).containsExactly("s3:DeleteObject");
        assertThat(statement("WorkerRole", "ListForDiffAndBackfill").path("Resource").path("Fn::Sub").asText())
                .isEqualTo("arn:${AWS::Partition}:s3:::${BucketName}");
        assertThat(statement("WorkerRole", "ConsumeEvents").path("Resource").path("Fn::GetAtt").get(0).asText()).isEqualTo("EventQueue");
        assertThat(statement("WorkerRole", "DeadLetterWithReason").path("Resource").path("Fn::GetAtt").get(0).asText()).isEqualTo("DeadLetterQueue");
        // GetQueueUrl: SqsSource finds the DLQ from the redrive policy when deadLetterQueueUrl is unset.
        assertThat(actions(statement("WorkerRole", "DeadLetterWithReason"))).containsExactly("sqs:SendMessage", "sqs:GetQueueUrl");
        // What `skyferry replay` (SqsDeadLetterQueue, SqsMoveTask, SqsQueueDestination) and `backfill --enqueue`
        // call with the worker's identity: the dead-letter queue read back, the event queue written.
        assertThat(statement("WorkerRole", "ReplayDeadLetters").path("Resource").path("Fn::GetAtt").get(0).asText()).isEqualTo("DeadLetterQueue");
        assertThat(actions(statement("WorkerRole", "ReplayDeadLetters"))).containsExactlyInAnyOrder("sqs:ReceiveMessage",
                "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:StartMessageMoveTask",
                "sqs:ListMessageMoveTasks");
        assertThat(statement("WorkerRole", "ReplayAndBackfillOntoTheEventQueue").path("Resource").path("Fn::GetAtt").get(0).asText())
                .isEqualTo("EventQueue");
        assertThat(actions(statement("WorkerRole", "ReplayAndBackfillOntoTheEventQueue"))).containsExactly("sqs:SendMessage");
        // KMS only when the deployment asks for it.
        assertThat(conditionOf("UseKmsKey")).isEqualTo("UsesKms");
    }

    @Test
    void aBucketThatIsOnlyASourceGrantsNoWriteNorDelete() {
        // Like Bicep's sourceOnlyContainers: a stolen worker token must not be able to change what is backed up.
        assertThat(conditionOf("WriteReplicas")).isEqualTo("WritesReplicas");
        assertThat(conditionOf("RemoveReplicas")).isEqualTo("WritesReplicas");
        assertThat(TEMPLATE.path("Conditions").path("WritesReplicas").path("Fn::Equals").toString())
                .isEqualTo("[{\"Ref\":\"BucketIsOnlyASource\"},\"false\"]");
        assertThat(parameterDefault("BucketIsOnlyASource")).isEqualTo("false");
        Set<String> sourceOnlyActions = new TreeSet<>();
        for (JsonNode policy : resource("WorkerRole").path("Policies")) {
            for (JsonNode statement : policy.path("PolicyDocument").path("Statement")) {
                if (!statement.has("Fn::If") || !statement.path("Fn::If").get(0).asText().equals("WritesReplicas")) {
                    sourceOnlyActions.addAll(actions(statement.has("Fn::If") ? statement.path("Fn::If").get(1) : statement));
                }
            }
        }
        assertThat(sourceOnlyActions).noneMatch(a -> a.startsWith("s3:Put") || a.startsWith("s3:Delete")
                || a.equals("s3:AbortMultipartUpload"));
    }

    private static String conditionOf(String sid) {
        for (JsonNode policy : resource("WorkerRole").path("Policies")) {
            for (JsonNode statement : policy.path("PolicyDocument").path("Statement")) {
                if (statement.has("Fn::If") && statement.path("Fn::If").get(1).path("Sid").asText().equals(sid)) {
                    assertThat(statement.path("Fn::If").get(2).path("Ref").asText()).isEqualTo("AWS::NoValue");
                    return statement.path("Fn::If").get(0).asText();
                }
            }
        }
        throw new AssertionError("no conditional statement " + sid);
    }

    @Test
    void bucketNotifiesTheQueueAndOnlyThatBucketMaySendToIt() {
        JsonNode notifications = resource("Bucket").path("NotificationConfiguration").path("QueueConfigurations");
        Set<String> events = new TreeSet<>();
        for (JsonNode notification : notifications) {
            events.add(notification.path("Event").asText());
            assertThat(notification.path("Queue").path("Fn::GetAtt").get(0).asText()).isEqualTo("EventQueue");
        }
        assertThat(events).containsExactly("s3:ObjectCreated:*", "s3:ObjectRemoved:*");
        assertThat(RESOURCES.path("Bucket").path("DependsOn").asText()).isEqualTo("EventQueuePolicy");

        JsonNode statement = resource("EventQueuePolicy").path("PolicyDocument").path("Statement").get(0);
        assertThat(statement.path("Principal").path("Service").asText()).isEqualTo("s3.amazonaws.com");
        assertThat(statement.path("Action").asText()).isEqualTo("sqs:SendMessage");
        assertThat(statement.path("Condition").path("ArnEquals").path("aws:SourceArn").path("Fn::Sub").asText())
                .isEqualTo("arn:${AWS::Partition}:s3:::${BucketName}");
        assertThat(statement.path("Condition").path("StringEquals").path("aws:SourceAccount").path("Ref").asText())
                .isEqualTo("AWS::AccountId");
    }

    @Test
    void queueRedrivesToItsDeadLetterQueueNamedAsTheAppExpects() {
        JsonNode queue = resource("EventQueue");
        JsonNode documentedSqsSource = DeployFiles.documentedConfig().path("sources").get(1);

        assertThat(queue.path("RedrivePolicy").path("deadLetterTargetArn").path("Fn::GetAtt").get(0).asText()).isEqualTo("DeadLetterQueue");
        assertThat(queue.path("RedrivePolicy").path("maxReceiveCount").path("Ref").asText()).isEqualTo("MaxReceiveCount");
        assertThat(documentedSqsSource.path("queueUrl").asText()).endsWith("/" + parameterDefault("QueueName"));
        assertThat(resource("DeadLetterQueue").path("QueueName").path("Fn::Sub").asText()).isEqualTo("${QueueName}-dlq");
        assertThat(documentedSqsSource.path("deadLetterQueueUrl").asText()).endsWith("/" + parameterDefault("QueueName") + "-dlq");
        assertThat(queue.path("VisibilityTimeout").asLong())
                .isEqualTo(SkyferryConfig.Source.DEFAULT_VISIBILITY_TIMEOUT.toSeconds());
        assertThat(queue.path("ReceiveMessageWaitTimeSeconds").asInt()).isEqualTo(20);
    }

    @Test
    void lifecycleAbortsIncompleteMultipartUploads() {
        JsonNode rules = resource("Bucket").path("LifecycleConfiguration").path("Rules");

        assertThat(rules).anySatisfy(rule -> {
            assertThat(rule.path("Status").asText()).isEqualTo("Enabled");
            assertThat(rule.path("AbortIncompleteMultipartUpload").path("DaysAfterInitiation").asInt()).isBetween(1, 7);
        });
    }

    @Test
    void kedaRoleTrustsTheClusterIssuerForTheOperatorOnly() {
        JsonNode trust = trustPolicy("KedaRole", Map.of(
                "KedaOidcProvider", "arn:aws:iam::123456789012:oidc-provider/oic.example/x/",
                "Issuer", "oic.example/x/",
                "KedaServiceAccountSubject", parameterDefault("KedaServiceAccountSubject")));
        JsonNode equals = trust.path("Statement").get(0).path("Condition").path("StringEquals");

        assertThat(equals.path("oic.example/x/:aud").asText()).isEqualTo("sts.amazonaws.com");
        assertThat(equals.path("oic.example/x/:sub").asText()).isEqualTo("system:serviceaccount:keda:keda-operator");
        assertThat(resource("KedaOidcProvider").path("ClientIdList").get(0).asText()).isEqualTo("sts.amazonaws.com");
    }
}
