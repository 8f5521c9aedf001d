package dev.skyferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyferry.app.Wiring;
import dev.skyferry.app.config.ConfigLoader;
import dev.skyferry.app.config.SkyferryConfig;
import dev.skyferry.event.EventParser;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.event.SyntheticEvents;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Azure Bicep templates, read structurally and checked against the app and the chart. */
class BicepTemplatesTest {

    private static final Path AZURE = DeployFiles.DEPLOY.resolve("azure");
    private static final BicepFile MAIN = BicepFile.read(AZURE.resolve("main.bicep"));
    private static final BicepFile STORAGE_EVENTS = BicepFile.read(AZURE.resolve("modules/storage-events.bicep"));
    private static final BicepFile WORKER_ROLES = BicepFile.read(AZURE.resolve("modules/worker-roles.bicep"));
    private static final BicepFile IDENTITY = BicepFile.read(AZURE.resolve("modules/identity.bicep"));
    private static final BicepFile ENTRA_APP = BicepFile.read(AZURE.resolve("modules/entra-app.bicep"));
    private static final BicepFile ROLES = BicepFile.read(AZURE.resolve("modules/roles.bicep"));
    private static final BicepFile APP_SERVICE = BicepFile.read(AZURE.resolve("appservice.bicep"));

    /**
     * Azure's built-in role ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage
     * and /containers): fixed across all tenants and clouds.
     */
    private static final Map<String, String> BUILT_IN_ROLE_IDS = Map.of(
            "storageBlobDataContributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
            "storageBlobDataReader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
            "storageQueueDataMessageProcessor", "8a0f0c08-91a1-4084-bc3d-661d67233fed",
            "storageQueueDataMessageSender", "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a",
            "storageQueueDataReader", "19e7f393-937e-4f77-808e-94535e297925",
            "acrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d");

    /** Every data.api a BlobCreated or BlobDeleted event can carry (shared/reference/events-and-queues.md). */
    private static final List<String> CREATED_APIS =
            List.of("PutBlob", "PutBlockList", "CopyBlob", "CreateFile", "FlushWithClose", "SftpCreate", "SftpCommit");
    private static final List<String> DELETED_APIS = List.of("DeleteBlob", "DeleteFile", "SftpRemove");
    private static final List<String> RENAMED_APIS = List.of("RenameFile", "SftpRename", "RenameDirectory");

    private static final EventParser PARSER = new EventParser();

    private static String eventGridEvent(String eventType, String api, String container, String blobName) throws Exception {
        ObjectNode event = (ObjectNode) DeployFiles.json(SyntheticEvents.azureBlobCreated("contosobackup", container, blobName,
                "0x8DC0000000000001", 1024, "text/plain", "00000000000000000000000000000001",
                "https://contosobackup.blob.core.windows.net", Instant.parse("2026-01-01T00:00:00Z")));
        event.put("eventType", eventType);
        ObjectNode data = (ObjectNode) event.get("data");
        data.put("api", api);
        if (eventType.equals("Microsoft.Storage.BlobRenamed")) {
            data.put("destinationUrl", data.get("url").asText()).put("sourceUrl", data.get("url").asText() + ".filepart");
        }
        return DeployFiles.JSON.writeValueAsString(event);
    }

    private static boolean appReplicates(String eventType, String api) throws Exception {
        ParsedMessage parsed = PARSER.parseAzureQueueMessage(eventGridEvent(eventType, api, "photos", "a/b.txt"));
        assertThat(parsed.items()).isNotEmpty();
        return parsed.items().stream().allMatch(item -> item instanceof ParsedMessage.Accepted);
    }

    private static String eventSubscription() {
        return STORAGE_EVENTS.resources("Microsoft.EventGrid/systemTopics/eventSubscriptions").get(0).body();
    }

    private static List<String> advancedFilter(String key) {
        String filters = BicepFile.property(BicepFile.property(eventSubscription(), "filter"), "advancedFilters");
        String body = BicepFile.objects(filters).stream()
                .filter(f -> ("'" + key + "'").equals(BicepFile.property(f, "key"))).findFirst()
                .orElseThrow(() -> new AssertionError("no advanced filter on " + key + " in " + filters));
        List<String> result = new ArrayList<>();
        result.add(BicepFile.unquote(BicepFile.property(body, "operatorType")));
        result.add(BicepFile.property(body, "values"));
        return result;
    }

    @Test
    void eventSubscriptionDeliversExactlyTheApisTheAppReplicates() throws Exception {
        List<String> filterWrites = BicepFile.stringLiterals(STORAGE_EVENTS.vars.get("committedWriteApis"));
        List<String> filterDeletes = BicepFile.stringLiterals(STORAGE_EVENTS.vars.get("deleteApis"));
        List<String> filterRenames = BicepFile.stringLiterals(STORAGE_EVENTS.vars.get("renameApis"));
        List<String> dataApi = advancedFilter("data.api");

        assertThat(dataApi.get(0)).isEqualTo("StringIn");
        assertThat(dataApi.get(1)).isEqualTo("concat(committedWriteApis, deleteApis, renameApis)");
        for (String api : RENAMED_APIS) {
            assertThat(filterRenames.contains(api)).as("BlobRenamed " + api + " delivered iff replicated")
                    .isEqualTo(appReplicates("Microsoft.Storage.BlobRenamed", api));
        }
        for (String api : CREATED_APIS) {
            assertThat(filterWrites.contains(api)).as("BlobCreated " + api + " delivered iff replicated")
                    .isEqualTo(appReplicates("Microsoft.Storage.BlobCreated", api));
        }
        for (String api : DELETED_APIS) {
            assertThat(filterDeletes.contains(api)).as("BlobDeleted " + api + " delivered iff replicated")
                    .isEqualTo(appReplicates("Microsoft.Storage.BlobDeleted", api));
        }
        assertThat(BicepFile.stringLiterals(BicepFile.property(BicepFile.property(eventSubscription(), "filter"), "includedEventTypes")))
                .containsExactly("Microsoft.Storage.BlobCreated", "Microsoft.Storage.BlobDeleted", "Microsoft.Storage.BlobRenamed");

        // Event Grid checks its identity's sender role on the destination's resourceId, the account.
        assertThat(BicepFile.property(STORAGE_EVENTS.declaration("topicQueueSender").body(), "scope")).isEqualTo("storage");
    }

    @Test
    void subjectFilterMatchesTheSubjectsTheAppParses() throws Exception {
        List<String> subject = advancedFilter("subject");
        assertThat(subject.get(0)).isEqualTo("StringBeginsWith");
        Matcher prefix = Pattern.compile("\\[for c in containers: '(.*)\\$\\{c}(.*)']").matcher(subject.get(1));
        assertThat(prefix.find()).as(subject.get(1)).isTrue();

        String eventSubject = prefix.group(1) + "photos" + prefix.group(2) + "a/b.txt";
        JsonNode event = DeployFiles.json(eventGridEvent("Microsoft.Storage.BlobCreated", "PutBlob", "photos", "a/b.txt"));
        assertThat(event.path("subject").asText()).isEqualTo(eventSubject);
        ParsedMessage parsed = PARSER.parseAzureQueueMessage(event.toString());
        assertThat(parsed.items().get(0)).isInstanceOfSatisfying(ParsedMessage.Accepted.class, accepted -> {
            assertThat(accepted.event().container()).isEqualTo("photos");
            assertThat(accepted.event().key()).isEqualTo("a/b.txt");
        });
    }

    @Test
    void eventsGoToTheQueueAndUndeliverableOnesToTheDeadLetterContainer() {
        String subscription = eventSubscription();
        String destination = BicepFile.property(subscription, "destination");
        assertThat(BicepFile.unquote(BicepFile.property(destination, "endpointType"))).isEqualTo("StorageQueue");
        assertThat(BicepFile.property(destination, "queueName")).isEqualTo("queueName");
        assertThat(BicepFile.property(destination, "queueMessageTimeToLiveInSeconds")).isEqualTo("-1");
        String deadLetter = BicepFile.property(subscription, "deadLetterDestination");
        assertThat(BicepFile.unquote(BicepFile.property(deadLetter, "endpointType"))).isEqualTo("StorageBlob");
        assertThat(BicepFile.property(deadLetter, "blobContainerName")).isEqualTo("deadLetterContainerName");
        // Delivery and dead-lettering with the topic's identity: the account keeps shared keys off.
        assertThat(subscription).contains("deliveryWithResourceIdentity").contains("deadLetterWithResourceIdentity");
        assertThat(BicepFile.property(MAIN.declaration("newStorage").body(), "allowSharedKeyAccess")).isEqualTo("false");
        assertThat(BicepFile.property(MAIN.declaration("newStorage").body(), "allowBlobPublicAccess")).isEqualTo("false");
    }

    @Test
    void queueAndPoisonQueueAreNamedAsTheAppExpects() {
        String documentedQueue = DeployFiles.documentedConfig().path("sources").get(0).path("queue").asText();
        String queue = MAIN.stringParamDefault("queueName");
        SkyferryConfig.Source appDefault = new SkyferryConfig.Source("azure-events", "azure-queue", "contosobackup",
                queue, null, null, null, null, null, null, null);

        assertThat(queue).isEqualTo(documentedQueue).isEqualTo(APP_SERVICE.stringParamDefault("queueName"));
        assertThat(BicepFile.unquote(BicepFile.property(MAIN.declaration("storageEvents").body(), "poisonQueueName")))
                .isEqualTo("${queueName}-poison");
        assertThat(STORAGE_EVENTS.stringParamDefault("poisonQueueName")).isEqualTo("${queueName}-poison");
        assertThat("${queueName}-poison".replace("${queueName}", queue)).isEqualTo(appDefault.poisonQueueOrDefault());
        assertThat(BicepFile.property(STORAGE_EVENTS.declaration("eventQueue").body(), "name")).isEqualTo("queueName");
        assertThat(BicepFile.property(STORAGE_EVENTS.declaration("poisonQueue").body(), "name")).isEqualTo("poisonQueueName");
    }

    @Test
    void roleIdsAreAzuresBuiltInRoles() {
        String roles = ROLES.vars.get("builtInRoles");
        Map<String, String> declared = new LinkedHashMap<>();
        Matcher entry = Pattern.compile("(\\w+): '([0-9a-f-]{36})'").matcher(roles);
        while (entry.find()) {
            declared.put(entry.group(1), entry.group(2));
        }
        assertThat(declared).isEqualTo(BUILT_IN_ROLE_IDS);
    }

    @Test
    void workerGetsDataRolesOnTheContainersAndQueuesOnly() {
        Map<String, Set<String>> rolesByScope = new LinkedHashMap<>();
        for (BicepFile.Declaration assignment : WORKER_ROLES.resources("Microsoft.Authorization/roleAssignments")) {
            String scope = BicepFile.property(assignment.body(), "scope");
            String roleDefinition = BicepFile.property(assignment.body(), "roleDefinitionId");
            Matcher role = Pattern.compile("builtInRoles\\.(\\w+)\\)|^(blobIndexTagsRole|queueMessageUpdateRole)\\.id$").matcher(roleDefinition);
            assertThat(role.find()).as(assignment.symbol()).isTrue();
            String roleName = role.group(1) != null ? role.group(1) : role.group(2);
            assertThat(roleName.endsWith("Role") || BUILT_IN_ROLE_IDS.containsKey(roleName)).as(roleName).isTrue();
            assertThat(BicepFile.property(assignment.body(), "principalId")).isEqualTo("principalId");
            rolesByScope.computeIfAbsent(scope.replaceAll("\\[i]", ""), s -> new TreeSet<>()).add(roleName);
        }

        assertThat(rolesByScope).containsOnlyKeys("replicatedContainers", "deadLetterContainer", "eventQueue", "poisonQueue");
        // Contributor has no data action on blob index tags: rules with copyTags (the chart's example) need them.
        assertThat(rolesByScope.get("replicatedContainers"))
                .containsExactly("blobIndexTagsRole", "storageBlobDataContributor", "storageBlobDataReader");
        // Containers that are only a source get Reader, the others Contributor: one or the other, never both.
        assertThat(WORKER_ROLES.declaration("blobContributor").body()).startsWith("[for (c, i) in containers: if (!contains(sourceOnlyContainers, c))");
        assertThat(WORKER_ROLES.declaration("blobReader").body()).startsWith("[for (c, i) in containers: if (contains(sourceOnlyContainers, c))");
        assertThat(MAIN.declaration("workerRoles").body()).contains("sourceOnlyContainers: sourceOnlyContainers");
        assertThat(WORKER_ROLES.declaration("blobIndexTagsRole").body())
                .contains("'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/read'")
                .contains("'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write'")
                .contains("assignableScopes: [\n      resourceGroup().id");
        // replay of Event Grid's own dead letters lists, reads, deletes and rewrites them.
        assertThat(rolesByScope.get("deadLetterContainer")).containsExactly("storageBlobDataContributor");
        // Update Message (heartbeat, release) needs messages/write, which Message Processor lacks.
        assertThat(rolesByScope.get("eventQueue")).containsExactlyInAnyOrder("storageQueueDataMessageProcessor",
                "queueMessageUpdateRole", "storageQueueDataReader", "storageQueueDataMessageSender");
        assertThat(rolesByScope.get("poisonQueue")).containsExactlyInAnyOrder("storageQueueDataMessageSender",
                "storageQueueDataMessageProcessor", "queueMessageUpdateRole");
        assertThat(WORKER_ROLES.declaration("queueMessageUpdateRole").body())
                .contains("dataActions: [\n          'Microsoft.Storage/storageAccounts/queueServices/queues/messages/write'\n        ]")
                .contains("assignableScopes: [\n      resourceGroup().id");
        assertThat(MAIN.declaration("workerRoles").body()).contains("principalId: identity.outputs.principalId");
    }

    @Test
    void federatedCredentialTrustsTheChartsServiceAccount() {
        JsonNode chartValues = DeployFiles.yaml(DeployFiles.read(RenderedChart.EXAMPLE_VALUES));
        String credential = IDENTITY.declaration("federatedCredentials").body();

        assertThat(IDENTITY.vars.get("tokenExchangeAudience")).isEqualTo("'api://AzureADTokenExchange'");
        assertThat(BicepFile.property(credential, "audiences")).isEqualTo("[tokenExchangeAudience]");
        assertThat(BicepFile.property(credential, "issuer")).isEqualTo("oidcIssuerUrl");
        assertThat(BicepFile.property(credential, "subject")).isEqualTo("subject");
        assertThat(IDENTITY.text).contains("@batchSize(1)\nresource federatedCredentials");
        assertThat(BicepFile.stringLiterals(BicepFile.property(MAIN.declaration("identity").body(), "federatedSubjects")))
                .containsExactly("system:serviceaccount:${aksNamespace}:${aksServiceAccount}");
        assertThat(MAIN.stringParamDefault("aksServiceAccount")).isEqualTo(chartValues.path("serviceAccount").path("name").asText());
    }

    @Test
    void entraAppIssuesV1TokensForTheAudienceOnlyToTheWorker() {
        String app = ENTRA_APP.declaration("app").body();
        String servicePrincipal = ENTRA_APP.declaration("servicePrincipal").body();
        String assignment = ENTRA_APP.declaration("workerAssignment").body();

        assertThat(ENTRA_APP.text).contains("extension microsoftGraphV1");
        assertThat(DeployFiles.json(DeployFiles.read(AZURE.resolve("bicepconfig.json"))).path("extensions").path("microsoftGraphV1").asText())
                .startsWith("br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:");
        assertThat(BicepFile.property(app, "identifierUris")).isEqualTo("[audience]");
        assertThat(BicepFile.property(app, "requestedAccessTokenVersion")).isEqualTo("1");
        assertThat(BicepFile.property(app, "allowedMemberTypes")).isEqualTo("['Application']");
        assertThat(BicepFile.property(app, "id")).isEqualTo("assumeRoleAppRoleId");
        assertThat(BicepFile.property(servicePrincipal, "appRoleAssignmentRequired")).isEqualTo("true");
        assertThat(BicepFile.property(assignment, "appRoleId")).isEqualTo("assumeRoleAppRoleId");
        assertThat(BicepFile.property(assignment, "principalId")).isEqualTo("workerPrincipalId");
        assertThat(BicepFile.property(assignment, "resourceId")).isEqualTo("servicePrincipal.id");
        assertThat(BicepFile.property(MAIN.declaration("entraApp").body(), "workerPrincipalId")).isEqualTo("identity.outputs.principalId");
    }

    @Test
    void modulesAndImportsResolveToFilesInTheRepository() {
        for (BicepFile file : List.of(MAIN)) {
            for (BicepFile.Declaration module : file.declarations) {
                if (module.keyword().equals("module")) {
                    assertThat(file.path.resolveSibling(module.type())).as(module.symbol()).isRegularFile();
                }
            }
        }
        for (BicepFile file : List.of(STORAGE_EVENTS, WORKER_ROLES)) {
            Matcher imported = Pattern.compile("import \\{ builtInRoles } from '([^']+)'").matcher(file.text);
            assertThat(imported.find()).as(file.path.toString()).isTrue();
            assertThat(file.path.resolveSibling(imported.group(1))).isRegularFile();
        }
    }

    @Test
    void appServiceSettingsFormAConfigurationTheAppAccepts() {
        Map<String, String> env = appServiceEnvironment();

        // With every check `skyferry run` makes; the image's config leaves the memory budget to the heap, any heap.
        SkyferryConfig config = ConfigLoader.load(DeployFiles.DEPLOY.resolve("container/skyferry.yaml"), env,
                loaded -> Wiring.problems(loaded, env, Runtime.getRuntime().maxMemory()));

        assertThat(config.azure().auth().mode()).isEqualTo("managed-identity");
        assertThat(config.azure().accounts()).extracting(SkyferryConfig.AzureAccount::name).containsExactly("contosobackup");
        assertThat(config.sources()).extracting(SkyferryConfig.Source::type).containsExactly("azure-queue", "sqs");
        assertThat(config.sources().get(0).poisonQueueOrDefault()).isEqualTo("skyferry-events-poison");
        assertThat(config.rules()).singleElement().satisfies(rule -> {
            assertThat(rule.azure().container()).isEqualTo("photos");
            assertThat(rule.azure().prefix()).as("empty settings are dropped, not set to ''").isNull();
            assertThat(rule.s3().prefix()).isEqualTo("from-azure/");
        });
        assertThat(config.worker().http().port()).isEqualTo(Integer.parseInt(env.get("WEBSITES_PORT")));
        assertThat(env.get("AZURE_CLIENT_ID")).isEqualTo(exampleAppServiceParameter("identityClientId"));
        assertThat(APP_SERVICE.vars.get("appSettings")).contains("setting => !empty(setting.value)");
    }

    @Test
    void appServiceRunsTheImageAlwaysOnWithHealthCheckAndTheIdentity() {
        String app = APP_SERVICE.declaration("app").body();
        String siteConfig = BicepFile.property(app, "siteConfig");

        assertThat(BicepFile.property(siteConfig, "alwaysOn")).isEqualTo("true");
        assertThat(BicepFile.unquote(BicepFile.property(siteConfig, "healthCheckPath"))).isEqualTo("/healthz");
        assertThat(BicepFile.unquote(BicepFile.property(siteConfig, "linuxFxVersion"))).isEqualTo("DOCKER|${image}");
        assertThat(BicepFile.unquote(BicepFile.property(app, "kind"))).contains("linux").contains("container");
        assertThat(BicepFile.unquote(BicepFile.property(BicepFile.property(app, "identity"), "type"))).isEqualTo("UserAssigned");
        assertThat(BicepFile.property(app, "userAssignedIdentities")).contains("'${identityId}': {}");
        assertThat(BicepFile.property(APP_SERVICE.declaration("plan").body(), "reserved")).isEqualTo("true");
        assertThat(BicepFile.property(app, "httpsOnly")).isEqualTo("true");
    }

    /** The app settings as App Service would set them, with the example parameters file's values. */
    private static Map<String, String> appServiceEnvironment() {
        String settings = APP_SERVICE.vars.get("appSettings");
        Matcher entry = Pattern.compile("\\{ name: '([A-Z0-9_]+)', value: ([^}]+?) }").matcher(settings);
        Map<String, String> env = new LinkedHashMap<>();
        while (entry.find()) {
            String value = resolve(entry.group(2).trim());
            if (!value.isEmpty()) {
                env.put(entry.group(1), value);
            }
        }
        assertThat(env).containsKeys("WEBSITES_PORT", "AZURE_CLIENT_ID", "SKYFERRY_AWS_AUTH_ROLE_ARN", "SKYFERRY_SOURCES_1_QUEUE_URL");
        return env;
    }

    private static String resolve(String expression) {
        if (expression.startsWith("'")) {
            return BicepFile.unquote(expression);
        }
        if (APP_SERVICE.vars.containsKey(expression)) {
            return resolve(APP_SERVICE.vars.get(expression));
        }
        String fromFile = exampleAppServiceParameter(expression);
        if (fromFile != null) {
            return fromFile;
        }
        BicepFile.Param param = APP_SERVICE.params.get(expression);
        assertThat(param).as("app setting value " + expression).isNotNull();
        assertThat(param.defaultValue()).as("param " + expression + " needs a value in the example parameters or a default").isNotNull();
        return BicepFile.unquote(param.defaultValue());
    }

    private static String exampleAppServiceParameter(String name) {
        JsonNode parameters = DeployFiles.json(DeployFiles.read(AZURE.resolve("appservice.parameters.example.json"))).path("parameters");
        return parameters.has(name) ? parameters.path(name).path("value").asText() : null;
    }
}
