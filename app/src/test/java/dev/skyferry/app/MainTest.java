package dev.skyferry.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

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
