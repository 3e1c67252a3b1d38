package dev.vmaddr.cli;

import dev.vmaddr.config.ConfigException;
import dev.vmaddr.config.ConfigLoader;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the {@code vmaddr} command. Exit codes: 0 success, 1 operation failed, 2 bad usage or input. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command with the given streams; what tests call. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cmd = args.length > 0 && args[0].equals("serve") ? commandLine(new ServeRoot()) : commandLine();
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd.execute(args);
    }

    /** The offline commands (nad lint, doctor) read networks from the config file through the loader. */
    static final NetworkSource CONFIG_NETWORKS = file -> {
        try {
            return ConfigLoader.load(file).networks();
        } catch (ConfigException e) {
            throw new CliException(CliException.BAD_INPUT, String.join("\n", e.lines()));
        }
    };

    /** Builds the commands that need a {@link NetworkSource}; picocli's default for the rest. */
    private record Factory(NetworkSource networks) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == NadLintCommand.class) {
                return cls.cast(new NadLintCommand(networks));
            }
            if (cls == DoctorCommand.class) {
                return cls.cast(new DoctorCommand(networks));
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }

    /**
     * {@code vmaddr serve} parses with the root and {@code serve} only: picocli reflecting over every
     * command class (18, with their subcommands) was 0.2-0.4 s of each server start. Same name, options,
     * help and exit codes for {@code serve}.
     */
    @CommandLine.Command(name = "vmaddr", mixinStandardHelpOptions = true, version = "vmaddr 0.1.0",
            subcommands = ServeCommand.class)
    static final class ServeRoot {}

    public static CommandLine commandLine() {
        return commandLine(new VmaddrCommand());
    }

    private static CommandLine commandLine(Object root) {
        CommandLine cmd = new CommandLine(root, new Factory(CONFIG_NETWORKS));
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliException c) {
                commandLine.getErr().println("vmaddr: " + c.getMessage());
                commandLine.getErr().flush();
                return c.exitCode();
            }
            commandLine.getErr().println("vmaddr: error: " + e);
            commandLine.getErr().flush();
            return CliException.FAILED;
        });
        // picocli answers bad options/arguments with ExitCode.USAGE (2), our "bad usage": nothing to set.
        return cmd;
    }
}
