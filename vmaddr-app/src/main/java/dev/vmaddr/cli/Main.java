package dev.vmaddr.cli;

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
        CommandLine cmd = commandLine();
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd.execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new VmaddrCommand());
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
