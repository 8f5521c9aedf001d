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
}
