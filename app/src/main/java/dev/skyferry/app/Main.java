package dev.skyferry.app;

import dev.skyferry.app.ops.BackfillCommand;
import dev.skyferry.app.ops.DiffCommand;
import dev.skyferry.app.ops.OpsContext;
import dev.skyferry.app.ops.ReplayCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code skyferry} command line. Each subcommand parses its options and config, wires core, runs. */
@Command(name = "skyferry",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        scope = CommandLine.ScopeType.INHERIT, // so `skyferry check -V` prints the version as well
        description = "Continuous, verified, two-way object replication between Azure Blob Storage and Amazon S3.",
        subcommands = {RunCommand.class, CheckCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    private static final String NETTY_ALLOCATOR_TYPE = "io.netty.allocator.type";

    public static void main(String[] args) {
        preferAdaptiveNettyAllocator();
        System.exit(commandLine().execute(args));
    }

    /**
     * For every process that runs the worker, before any Netty class loads: 4.1's pooled arenas kept
     * ~30 MiB more direct memory than the adaptive allocator at the 2 GiB benchmark's peak
     * (docs/benchmarks.md). {@code -Dio.netty.allocator.type} on the command line wins.
     */
    public static void preferAdaptiveNettyAllocator() {
        if (System.getProperty(NETTY_ALLOCATOR_TYPE) == null) {
            System.setProperty(NETTY_ALLOCATOR_TYPE, "adaptive");
        }
    }

    /** The configured command line, also used by tests to run commands in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        OpsContext.Factory contexts = ConfigOpsContext.factory(System.getenv());
        cli.addSubcommand(new ReplayCommand(contexts));
        cli.addSubcommand(new BackfillCommand(contexts));
        cli.addSubcommand(new DiffCommand(contexts));
        cli.setExecutionExceptionHandler(new ConfigProblemHandler());
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"skyferry " + (version == null ? "(development build)" : version)};
        }
    }
}
