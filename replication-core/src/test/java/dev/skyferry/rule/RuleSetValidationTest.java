package dev.skyferry.rule;

import static dev.skyferry.rule.Rules.azure;
import static dev.skyferry.rule.Rules.rule;
import static dev.skyferry.rule.Rules.s3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyferry.rule.ReplicationRule.AzureSide;
import dev.skyferry.rule.ReplicationRule.Direction;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleSetValidationTest {

    private static InvalidRuleSetException invalid(ReplicationRule... rules) {
        try {
            RuleSet.of(Arrays.asList(rules));
        } catch (InvalidRuleSetException e) {
            return e;
        }
        throw new AssertionError("rules were accepted");
    }

    @Test
    void listsEveryProblemWithItsPathAndValue() {
        InvalidRuleSetException e = invalid(
                rule("photos", azure("contoso", "photos", ""), s3("bucket-a", ""), Direction.BOTH),
                rule("photos", azure(" ", "", ""), s3("", ""), null),
                null,
                rule("", null, null, Direction.AZURE_TO_S3),
                rule("bad-endpoint", new AzureSide("other", "c", "", "ftp://other.example/"), s3("bucket-b", ""),
                        Direction.AZURE_TO_S3));

        assertThat(e.problems()).containsExactly(
                "rules[1].name: 'photos' is already used by rules[0]",
                "rules[1].direction: must be azure-to-s3, s3-to-azure or both",
                "rules[1].azure.account: must not be blank",
                "rules[1].azure.container: must not be blank",
                "rules[1].s3.bucket: must not be blank",
                "rules[2]: must not be null",
                "rules[3].name: must not be blank",
                "rules[3].azure: must be set",
                "rules[3].s3: must be set",
                "rules[4].azure.blobEndpoint: 'ftp://other.example/' is not an http(s) URL");
        assertThat(e).hasMessageStartingWith("invalid rules: rules[1].name: 'photos' is already used by rules[0]; ");
    }

    @Test
    void rejectsTwoRulesReadingOverlappingSourcesInTheSameDirection() {
        InvalidRuleSetException e = invalid(
                rule("all", azure("contoso", "photos", ""), s3("backup-a", ""), Direction.AZURE_TO_S3),
                rule("raw", azure("contoso", "photos", "raw/"), s3("backup-b", ""), Direction.BOTH));

        assertThat(e.problems()).containsExactly("rules[1] ('raw') and rules[0] ('all') both replicate "
                + "azure://contoso/photos/ to S3: an object there would be copied twice");
    }

    @Test
    void rejectsTwoRulesWritingOverlappingTargetsInTheSameDirection() {
        InvalidRuleSetException e = invalid(
                rule("a", azure("contoso", "photos", ""), s3("backup", "from-azure/"), Direction.AZURE_TO_S3),
                rule("b", azure("contoso", "videos", ""), s3("backup", "from-azure/videos/"), Direction.AZURE_TO_S3));

        assertThat(e.problems()).containsExactly("rules[1] ('b') and rules[0] ('a') both write into "
                + "s3://backup/from-azure/: one source's object could overwrite the other's");
    }

    @Test
    void acceptsDisjointPrefixesAndOppositeDirectionsOverTheSameLocations() {
        RuleSet rules = RuleSet.of(List.of(
                rule("photos", azure("contoso", "media", "photos/"), s3("backup", "photos/"), Direction.AZURE_TO_S3),
                rule("videos", azure("contoso", "media", "videos/"), s3("backup", "videos/"), Direction.AZURE_TO_S3),
                // the way back for photos, as a separate one-way rule: same locations, other direction
                rule("photos-back", azure("contoso", "media", "photos/"), s3("backup", "photos/"), Direction.S3_TO_AZURE)));

        assertThat(rules.rules()).extracting(ReplicationRule::name).containsExactly("photos", "videos", "photos-back");
        assertThat(rules.rule("videos")).isPresent();
        assertThat(rules.rule("nope")).isEmpty();
    }

    @Test
    void prefixesThatShareLeadingCharactersOverlapEvenWithoutASlash() {
        // "logs" is a prefix of "logs2/": key "logs2/x" would be under both rules.
        InvalidRuleSetException e = invalid(
                rule("a", azure("contoso", "c", "logs"), s3("b1", ""), Direction.AZURE_TO_S3),
                rule("b", azure("contoso", "c", "logs2/"), s3("b2", ""), Direction.AZURE_TO_S3));

        assertThat(e.problems()).singleElement().asString().contains("both replicate azure://contoso/c/logs to S3");
    }

    @Test
    void rulesNamingOneAccountMustAgreeOnItsEndpoint() {
        InvalidRuleSetException e = invalid(
                rule("a", new AzureSide("devstoreaccount1", "a", "", "http://127.0.0.1:10000/devstoreaccount1"),
                        s3("b1", ""), Direction.AZURE_TO_S3),
                rule("b", new AzureSide("devstoreaccount1", "b", "", "http://127.0.0.1:10001/devstoreaccount1"),
                        s3("b2", ""), Direction.AZURE_TO_S3));

        assertThat(e.problems()).containsExactly("rules[1].azure.blobEndpoint: 'http://127.0.0.1:10001/devstoreaccount1' "
                + "differs from 'http://127.0.0.1:10000/devstoreaccount1' given for account 'devstoreaccount1' by rules[0]");
    }

    @Test
    void nullListIsAProblemNotACrash() {
        assertThatThrownBy(() -> RuleSet.of(null))
                .isInstanceOf(InvalidRuleSetException.class)
                .hasMessage("invalid rules: rules: must be set");
    }
}
