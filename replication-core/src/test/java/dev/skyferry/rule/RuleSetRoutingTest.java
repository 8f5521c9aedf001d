package dev.skyferry.rule;

import static dev.skyferry.rule.Rules.azure;
import static dev.skyferry.rule.Rules.azureCreated;
import static dev.skyferry.rule.Rules.rule;
import static dev.skyferry.rule.Rules.s3;
import static dev.skyferry.rule.Rules.s3Created;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.event.EventParser;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.rule.ReplicationRule.AzureSide;
import dev.skyferry.rule.ReplicationRule.Direction;
import dev.skyferry.rule.ReplicationRule.KeyFilter;
import dev.skyferry.rule.RouteDecision.RejectCode;
import dev.skyferry.rule.RouteDecision.Rejected;
import dev.skyferry.rule.RouteDecision.Routed;
import dev.skyferry.store.StoreKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RuleSetRoutingTest {

    private final RuleSet rules = RuleSet.of(List.of(
            rule("photos", azure("contosobackup", "photos", ""), s3("contoso-photos-backup", "from-azure/"), Direction.BOTH,
                    new KeyFilter(List.of(), List.of(), List.of("tmp/"), List.of(".part"))),
            rule("reports", azure("contosobackup", "reports", "finance/"), s3("contoso-reports", "azure/finance/"),
                    Direction.AZURE_TO_S3, new KeyFilter(List.of("2024/", "2025/"), List.of(".csv"), List.of(), List.of())),
            rule("lake", azure("contosolake", "raw", "landing/"), s3("contoso-lake", "raw/"), Direction.AZURE_TO_S3),
            rule("local", new AzureSide("devstoreaccount1", "c1", "", "http://127.0.0.1:10000/devstoreaccount1/"),
                    s3("local-bucket", ""), Direction.BOTH)));

    private static Route routed(RouteDecision decision) {
        assertThat(decision).isInstanceOf(Routed.class);
        return ((Routed) decision).route();
    }

    private static Rejected rejected(RouteDecision decision, RejectCode code) {
        assertThat(decision).isInstanceOfSatisfying(Rejected.class, r -> assertThat(r.code()).isEqualTo(code));
        return (Rejected) decision;
    }

    @Test
    void mapsAzureKeyUnderSourcePrefixToTargetPrefixInS3() {
        Route route = routed(rules.route(azureCreated("contosobackup", "photos", "2024/holiday pics/€ 100%.jpg")));

        assertThat(route.rule().name()).isEqualTo("photos");
        assertThat(route.direction()).isEqualTo("azure-to-s3");
        assertThat(route.source()).isEqualTo(new Route.Location(StoreKind.AZURE_BLOB, "contosobackup", "photos",
                "2024/holiday pics/€ 100%.jpg"));
        assertThat(route.target()).isEqualTo(new Route.Location(StoreKind.S3, null, "contoso-photos-backup",
                "from-azure/2024/holiday pics/€ 100%.jpg"));
        assertThat(route.target().describe()).isEqualTo("s3://contoso-photos-backup/from-azure/2024/holiday pics/€ 100%.jpg");
    }

    @Test
    void mapsS3KeyUnderTargetPrefixBackToAzureForTwoWayRule() {
        Route route = routed(rules.route(s3Created("contoso-photos-backup", "from-azure/a+b/c d/")));

        assertThat(route.direction()).isEqualTo("s3-to-azure");
        assertThat(route.target()).isEqualTo(new Route.Location(StoreKind.AZURE_BLOB, "contosobackup", "photos", "a+b/c d/"));
    }

    @Test
    void s3KeyOutsideEveryPrefixOfItsBucketIsRejectedNamingThePrefixes() {
        Rejected rejected = rejected(rules.route(s3Created("contoso-photos-backup", "elsewhere/x.jpg")),
                RejectCode.NO_MATCHING_RULE);

        assertThat(rejected.reason()).isEqualTo(
                "key 'elsewhere/x.jpg' in s3://contoso-photos-backup/ is under no rule's prefix ['from-azure/']");
        assertThat(rejected.code().deliberateSkip()).isFalse();
        assertThat(rejected.code().label()).isEqualTo("no-matching-rule");
    }

    @Test
    void unconfiguredAccountContainerAndBucketAreRejected() {
        assertThat(rejected(rules.route(azureCreated("intruder", "photos", "x")), RejectCode.NO_MATCHING_RULE).reason())
                .isEqualTo("no rule for Azure storage account 'intruder'");
        assertThat(rejected(rules.route(azureCreated("contosobackup", "secrets", "x")), RejectCode.NO_MATCHING_RULE).reason())
                .isEqualTo("no rule for container 'secrets' of Azure storage account 'contosobackup'");
        assertThat(rejected(rules.route(s3Created("someone-elses-bucket", "x")), RejectCode.NO_MATCHING_RULE).reason())
                .isEqualTo("no rule for S3 bucket 'someone-elses-bucket'");
    }

    @Test
    void eventFromTheTargetSideOfAOneWayRuleIsADeliberateSkip() {
        Rejected rejected = rejected(rules.route(s3Created("contoso-reports", "azure/finance/2024/q1.csv")),
                RejectCode.DIRECTION_DISABLED);

        assertThat(rejected.reason()).isEqualTo("rule 'reports' does not replicate s3-to-azure (direction azure-to-s3)");
        assertThat(rejected.code().deliberateSkip()).isTrue();
    }

    @Test
    void excludedPrefixAndSuffixAreFilteredRelativeToTheSourcePrefix() {
        assertThat(rejected(rules.route(azureCreated("contosobackup", "photos", "tmp/upload.jpg")), RejectCode.FILTERED)
                .reason()).isEqualTo("rule 'photos': key 'tmp/upload.jpg' matches exclude prefix 'tmp/'");
        assertThat(rejected(rules.route(s3Created("contoso-photos-backup", "from-azure/big.mov.part")), RejectCode.FILTERED)
                .reason()).isEqualTo("rule 'photos': key 'big.mov.part' matches exclude suffix '.part'");
        assertThat(RejectCode.FILTERED.deliberateSkip()).isTrue();
    }

    @Test
    void includesAdmitByPrefixOrSuffixAndLeaveTheRestOut() {
        assertThat(routed(rules.route(azureCreated("contosobackup", "reports", "finance/2024/q1.pdf"))).target().key())
                .isEqualTo("azure/finance/2024/q1.pdf");
        assertThat(routed(rules.route(azureCreated("contosobackup", "reports", "finance/old/ledger.csv"))).target().key())
                .isEqualTo("azure/finance/old/ledger.csv");
        assertThat(rejected(rules.route(azureCreated("contosobackup", "reports", "finance/old/ledger.xlsx")),
                RejectCode.FILTERED).reason())
                .isEqualTo("rule 'reports': key 'old/ledger.xlsx' matches no include (prefixes [2024/, 2025/], suffixes [.csv])");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://evil.example.com/photos/x.jpg",
            "https://attacker.blob.core.windows.net/photos/x.jpg",
            "https://contosobackup.blob.core.windows.net.evil.example/photos/x.jpg",
            "https://contosobackup.blob.core.windows.net:8443/photos/x.jpg",
            "https://contosobackup.file.core.windows.net/photos/x.jpg",
            "https://contosobackup.blob.core.windows.net/otherc/x.jpg",
            "file:///etc/passwd",
            "not a url at all"})
    void azureEventWhoseUrlIsNotOnTheAccountEndpointIsRejected(String url) {
        Rejected rejected = rejected(rules.route(azureCreated("contosobackup", "photos", "x.jpg", url)),
                RejectCode.FOREIGN_URL);

        assertThat(rejected.reason()).endsWith("event for azure://contosobackup/photos rejected and not read");
        assertThat(rejected.code().deliberateSkip()).isFalse();
    }

    @Test
    void foreignUrlReasonNamesHostsButNeverAQueryString() {
        Rejected rejected = rejected(rules.route(azureCreated("contosobackup", "photos", "x.jpg",
                "https://evil.example.com/photos/x.jpg?sig=SECRET")), RejectCode.FOREIGN_URL);

        assertThat(rejected.reason())
                .startsWith("data.url host evil.example.com is not the account's endpoint "
                        + "https://contosobackup.blob.core.windows.net (or contosobackup.dfs.core.windows.net)")
                .doesNotContain("SECRET");
    }

    @Test
    void missingUrlIsRejectedAsForeign() {
        rejected(rules.route(azureCreated("contosobackup", "photos", "x.jpg", null)), RejectCode.FOREIGN_URL);
    }

    @Test
    void hnsFlushWithCloseOnDfsHostOfTheSameAccountIsRouted() throws IOException {
        ParsedMessage message = new EventParser().parseAzureQueueMessage(
                sample("azure/eventgrid-hns-createfile-flushwithclose.json"));
        ReplicationEvent flush = ((ParsedMessage.Accepted) message.items().get(1)).event();

        Route route = routed(rules.route(flush));

        assertThat(flush.url()).startsWith("https://contosolake.dfs.core.windows.net/raw/");
        assertThat(route.target()).isEqualTo(new Route.Location(StoreKind.S3, null, "contoso-lake",
                "raw/2024/05/01/data.parquet"));
    }

    @Test
    void pathStyleEndpointComparesHostPortAndAccountSegment() {
        assertThat(routed(rules.route(azureCreated("devstoreaccount1", "c1", "a b.txt",
                "http://127.0.0.1:10000/devstoreaccount1/c1/a%20b.txt"))).target().key()).isEqualTo("a b.txt");
        assertThat(rejected(rules.route(azureCreated("devstoreaccount1", "c1", "a.txt",
                "http://127.0.0.1:10000/otheraccount/c1/a.txt")), RejectCode.FOREIGN_URL).reason())
                .startsWith("data.url path /otheraccount/c1/a.txt is not under http://127.0.0.1:10000/devstoreaccount1/");
        assertThat(rejected(rules.route(azureCreated("devstoreaccount1", "c1", "a.txt",
                "http://127.0.0.1:10001/devstoreaccount1/c1/a.txt")), RejectCode.FOREIGN_URL).reason())
                .startsWith("data.url host 127.0.0.1:10001 is not the account's endpoint");
        assertThat(rejected(rules.route(azureCreated("devstoreaccount1", "c1", "a.txt",
                "http://localhost:10000/devstoreaccount1/c1/a.txt")), RejectCode.FOREIGN_URL).reason())
                .startsWith("data.url host localhost:10000");
    }

    @Test
    void parsedSampleEventsRouteEndToEnd() throws IOException {
        ParsedMessage azure = new EventParser().parseAzureQueueMessage(sample("azure/eventgrid-blobcreated-putblob.json"));
        ParsedMessage sqs = new EventParser().parseSqsMessage(sample("s3/sns-wrapped-notification.json"));

        Route fromAzure = routed(rules.route(((ParsedMessage.Accepted) azure.items().getFirst()).event()));
        RouteDecision fromS3 = rules.route(((ParsedMessage.Accepted) sqs.items().getFirst()).event());

        assertThat(fromAzure.target().key()).isEqualTo("from-azure/2024/holiday pics/Ünïcødé 100% #1.jpg");
        // incoming/... is outside the two-way rule's S3 prefix from-azure/
        assertThat(fromS3).isInstanceOfSatisfying(Rejected.class,
                r -> assertThat(r.code()).isEqualTo(RejectCode.NO_MATCHING_RULE));
    }

    @Test
    void keysTooLongForTheTargetAreRejectedWithTheirLength() {
        String euros = "€".repeat(400); // 400 characters, 1200 bytes of UTF-8
        RuleSet twoWay = RuleSet.of(List.of(rule("r", azure("acct", "c", ""), s3("b", ""), Direction.BOTH)));

        assertThat(routed(twoWay.route(s3Created("b", euros))).target().key()).isEqualTo(euros);
        assertThat(rejected(twoWay.route(azureCreated("acct", "c", euros)), RejectCode.UNREPRESENTABLE_KEY).reason())
                .startsWith("rule 'r': the target S3 key is 1200 bytes of UTF-8; S3 allows 1024");
        String longName = "a/".repeat(512) + "b"; // 1025 characters
        assertThat(rejected(twoWay.route(s3Created("b", longName)), RejectCode.UNREPRESENTABLE_KEY).reason())
                .startsWith("rule 'r': the target blob name is 1025 characters; Azure allows 1024");
        assertThat(routed(twoWay.route(s3Created("b", "a".repeat(1024)))).target().key()).hasSize(1024);
    }

    @Test
    void prefixAddedByTheRuleCanPushAKeyOverTheLimit() {
        RuleSet prefixed = RuleSet.of(List.of(rule("r", azure("acct", "c", ""), s3("b", "replicas/"), Direction.AZURE_TO_S3)));

        rejected(prefixed.route(azureCreated("acct", "c", "k".repeat(1020))), RejectCode.UNREPRESENTABLE_KEY);
    }

    @Test
    void unpairedSurrogateAndEmptyMappedKeyCannotBeRepresented() {
        RuleSet twoWay = RuleSet.of(List.of(rule("r", azure("acct", "c", "data/"), s3("b", ""), Direction.BOTH)));

        assertThat(rejected(twoWay.route(s3Created("b", "bad\uD800name")), RejectCode.UNREPRESENTABLE_KEY).reason())
                .contains("unpaired surrogate at index 8"); // in the target key "data/bad?name"
        // The folder marker "data/" maps to the bucket root, which is no key at all.
        assertThat(rejected(twoWay.route(azureCreated("acct", "c", "data/")), RejectCode.UNREPRESENTABLE_KEY).reason())
                .startsWith("rule 'r': the key maps to an empty S3 key");
        assertThat(routed(twoWay.route(s3Created("b", "folder/"))).target().key()).isEqualTo("data/folder/");
    }

    /** Azure stores '\\' as '/' and trims a dot that ends a path segment: such replicas would land elsewhere. */
    @ParameterizedTest
    @ValueSource(strings = {"reports\\q1.csv", "notes/draft.", "dir./file.txt", "a/../b.txt", "tab\tname.txt"})
    void keysAzureWouldStoreUnderAnotherNameOrRefuseCannotBeRepresented(String key) {
        RuleSet twoWay = RuleSet.of(List.of(rule("r", azure("acct", "c", ""), s3("b", ""), Direction.BOTH)));

        rejected(twoWay.route(s3Created("b", key)), RejectCode.UNREPRESENTABLE_KEY);
    }

    @Test
    void azureAllowsAtMost254PathSegments() {
        RuleSet twoWay = RuleSet.of(List.of(rule("r", azure("acct", "c", ""), s3("b", ""), Direction.BOTH)));

        assertThat(routed(twoWay.route(s3Created("b", "d/".repeat(253) + "f"))).target().key()).endsWith("/f");
        assertThat(rejected(twoWay.route(s3Created("b", "d/".repeat(254) + "f")), RejectCode.UNREPRESENTABLE_KEY)
                .reason()).contains("255 path segments");
        // S3 has no such limit, nor Azure's renaming: the same keys go the other way as they are.
        assertThat(routed(twoWay.route(azureCreated("acct", "c", "notes/draft.v2"))).target().key()).isEqualTo("notes/draft.v2");
    }

    @Test
    void routeKeyBuildsTheSameRouteAsAnEventWithoutOne() {
        assertThat(rules.routeKey("photos", StoreKind.AZURE_BLOB, "2024/a.jpg"))
                .isEqualTo(rules.route(azureCreated("contosobackup", "photos", "2024/a.jpg")));
        assertThat(routed(rules.routeKey("photos", StoreKind.S3, "from-azure/2024/a.jpg")).target().key())
                .isEqualTo("2024/a.jpg");
        rejected(rules.routeKey("reports", StoreKind.S3, "azure/finance/x.csv"), RejectCode.DIRECTION_DISABLED);
        rejected(rules.routeKey("reports", StoreKind.AZURE_BLOB, "hr/x.csv"), RejectCode.NO_MATCHING_RULE);
        rejected(rules.routeKey("photos", StoreKind.AZURE_BLOB, "tmp/x"), RejectCode.FILTERED);
        rejected(rules.routeKey("no-such-rule", StoreKind.S3, "x"), RejectCode.NO_MATCHING_RULE);
    }

    @Test
    void sourceKeyForReversesThePrefixMapping() {
        assertThat(rules.sourceKeyFor("photos", StoreKind.AZURE_BLOB, "from-azure/2024/a.jpg")).contains("2024/a.jpg");
        assertThat(rules.sourceKeyFor("photos", StoreKind.S3, "2024/a.jpg")).contains("from-azure/2024/a.jpg");
        assertThat(rules.sourceKeyFor("reports", StoreKind.AZURE_BLOB, "azure/finance/2024/q1.csv"))
                .contains("finance/2024/q1.csv");
        assertThat(rules.sourceKeyFor("reports", StoreKind.AZURE_BLOB, "other/q1.csv")).isEqualTo(Optional.empty());
        assertThat(rules.sourceKeyFor("no-such-rule", StoreKind.S3, "x")).isEmpty();

        Route forward = routed(rules.routeKey("reports", StoreKind.AZURE_BLOB, "finance/2025/b.csv"));
        assertThat(rules.sourceKeyFor("reports", StoreKind.AZURE_BLOB, forward.target().key()))
                .contains(forward.source().key());
    }

    private static String sample(String path) throws IOException {
        try (InputStream in = RuleSetRoutingTest.class.getResourceAsStream("/events/" + path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
