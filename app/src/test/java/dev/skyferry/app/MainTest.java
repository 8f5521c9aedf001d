package dev.skyferry.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class MainTest {

    /**
     * One problem for each kind of check: the file's own (partSize), an identity's (azure-federated
     * without its audience) and the rule set's (two rules replicating the same container to S3).
     */
    private static final String BROKEN_THREE_WAYS = """
            azure:
              auth: { mode: managed-identity }
              accounts: [ { name: contosobackup } ]
            aws:
              region: eu-west-1
              auth: { mode: azure-federated, roleArn: "arn:aws:iam::123456789012:role/skyferry" }
            sources:
              - { name: s3-events, type: sqs, queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/skyferry-events" }
            rules:
              - { name: photos, direction: azure-to-s3, azure: { account: contosobackup, container: photos }, s3: { bucket: contoso-photos } }
              - { name: old-photos, direction: azure-to-s3, azure: { account: contosobackup, container: photos, prefix: 2019/ }, s3: { bucket: contoso-archive } }
            copy: { partSize: 1MiB }
            """;

    @TempDir
    Path dir;

    private record Run(int exitCode, String err) {}

    private Run execute(String yaml, String... args) throws Exception {
        Path file = Files.writeString(dir.resolve("skyferry.yaml"), yaml);
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        List<String> command = new ArrayList<>(List.of(args));
        command.addAll(List.of("--config", file.toString()));
        return new Run(cli.execute(command.toArray(String[]::new)), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "check", "diff", "backfill --direct --dry-run", "replay --source s3-events --dry-run"})
    void everyCommandListsTheFilesIdentitiesAndRuleSetsProblemsInOneExitTwo(String command) throws Exception {
        Run run = execute(BROKEN_THREE_WAYS, command.split(" "));

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ConfigProblemHandler.INVALID_CONFIG);
        assertThat(run.err()).contains(
                "copy.partSize: must be between 5MiB (the S3 part minimum) and 2000MiB, was 1MiB",
                "aws.auth.audience: required for mode azure-federated",
                "rules[1] ('old-photos') and rules[0] ('photos') both replicate azure://contosobackup/photos/ to S3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "check"})
    void aMemoryBudgetBeyondTheHeapIsListedWithTheOtherProblems(String command) throws Exception {
        Run run = execute(BROKEN_THREE_WAYS.replace("partSize: 1MiB", "partSize: 1MiB, memoryBudget: 1TiB"), command);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ConfigProblemHandler.INVALID_CONFIG);
        assertThat(run.err()).contains("copy.memoryBudget: 1TiB does not fit this JVM's heap", "copy.partSize: must be between");
    }

    @Test
    void runListsAMissingQueueWithTheOtherProblems() throws Exception {
        Run run = execute(BROKEN_THREE_WAYS.replaceAll("(?s)sources:.*?\nrules:", "rules:"), "run");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ConfigProblemHandler.INVALID_CONFIG);
        assertThat(run.err()).contains("sources: at least one queue to consume is needed for run", "copy.partSize: must be between",
                "aws.auth.audience: required", "both replicate azure://contosobackup/photos/ to S3");
    }

    @Test
    void everyCommandPrintsTheVersionItAdvertisesInItsHelp() {
        for (List<String> args : List.of(List.of("--version"), List.of("run", "-V"), List.of("check", "--version"),
                List.of("diff", "-V"), List.of("replay", "-V"), List.of("backfill", "-V"))) {
            StringWriter out = new StringWriter();
            CommandLine cli = Main.commandLine();
            cli.setOut(new PrintWriter(out));

            int exit = cli.execute(args.toArray(String[]::new));

            assertThat(exit).as(args.toString()).isZero();
            assertThat(out.toString()).as(args.toString()).startsWith("skyferry ");
        }
    }

    @Test
    void theTopLevelHelpSummarisesEachCommandInAWholeSentence() {
        CommandLine cli = Main.commandLine();

        for (var command : cli.getSubcommands().entrySet()) {
            String[] summary = command.getValue().getCommandSpec().usageMessage().header();
            String firstLine = summary.length > 0
                    ? summary[0] : command.getValue().getCommandSpec().usageMessage().description()[0];
            assertThat(firstLine).as(command.getKey()).endsWith(".");
        }
        assertThat(cli.getUsageMessage()).contains("Report drift between each rule's source and its target");
    }
}
