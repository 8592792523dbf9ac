package io.dm4j.cli;

import io.dm4j.InvalidArgumentException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code dmctl}: device-mapper from the command line, through dm4j. Exit codes: 0 success, 1 the
 * operation failed, 2 bad usage or invalid input. Errors are one line on stderr.
 */
@Command(name = "dmctl", mixinStandardHelpOptions = true, versionProvider = Dmctl.Version.class,
        description = "Drive the kernel's device-mapper through dm4j.",
        subcommands = {VersionCommand.class, DemoCommand.class})
public final class Dmctl {
    static final int FAILED = 1;
    static final int USAGE = 2;

    /** Runs dmctl and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs dmctl, printing to the given writers, and returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Dmctl());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("dmctl: " + e.getMessage());
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            boolean debug = parsed.hasMatchedOption("--debug");
            err.println("dmctl: " + e.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            return e instanceof InvalidArgumentException ? USAGE : FAILED;
        });
        return cli.execute(args);
    }


    /** {@code dmctl --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dmctl " + io.dm4j.Dm4j.version()};
        }
    }
}
