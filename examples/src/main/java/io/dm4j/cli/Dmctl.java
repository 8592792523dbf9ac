package io.dm4j.cli;

import io.dm4j.DeviceMapper;
import io.dm4j.InvalidArgumentException;
import io.dm4j.examples.HostDeviceMapper;
import io.dm4j.examples.Launcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParseResult;

/**
 * {@code dmctl}: device-mapper from the command line, through dm4j; a drop-in for the common
 * {@code dmsetup} uses, with {@code --json} on every command. Exit codes: 0 success, 1 the
 * operation failed, 2 bad usage or invalid input. Errors are one line on stderr.
 *
 * <p>Everything that needs no kernel (help, versions, usage, every argument check dm4j makes
 * before an ioctl) is done before device-mapper is opened, so a host without it answers that
 * itself. A command that needs the kernel then fails with one line saying why device-mapper is
 * not usable here, or, under {@code examples/launch}, is handed over to a real kernel
 * ({@link Launcher#HAND_OVER}).
 */
@Command(name = "dmctl", mixinStandardHelpOptions = true, versionProvider = Dmctl.Version.class,
        description = "Drive the kernel's device-mapper through dm4j.",
        subcommands = {VersionCommand.class, QueryCommands.TargetTypes.class, QueryCommands.Ls.class,
            QueryCommands.Info.class, QueryCommands.Table.class, QueryCommands.Status.class,
            QueryCommands.Deps.class, ChangeCommands.Create.class, ChangeCommands.Load.class,
            ChangeCommands.Clear.class, ChangeCommands.Suspend.class, ChangeCommands.Resume.class,
            ChangeCommands.Remove.class, ChangeCommands.RemoveAll.class, ChangeCommands.Rename.class,
            ChangeCommands.Message.class, WatchCommands.Wait.class, WatchCommands.Events.class,
            HoldersCommand.class, ChangeCommands.Mknodes.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Dmctl {
    static final int FAILED = 1;
    static final int USAGE = 2;

    /** How a command reaches the kernel: the one step that needs device-mapper. */
    @FunctionalInterface
    interface Kernel {
        DeviceMapper open() throws IOException;
    }

    final Kernel kernel;
    private final InputStream in;
    private byte[] stdinRead;

    private Dmctl(InputStream in, Kernel kernel) {
        this.in = in;
        this.kernel = kernel;
    }

    /** Runs dmctl and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs dmctl, printing to the given writers, and returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, InputStream.nullInputStream(), out, err);
    }

    /** Runs dmctl with the given standard input (tables may come from it). */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        return run(args, in, out, err, HostDeviceMapper::open);
    }

    /** Runs dmctl reaching the kernel through {@code kernel}. */
    static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err, Kernel kernel) {
        Dmctl dmctl = new Dmctl(in, kernel);
        CommandLine cli = new CommandLine(dmctl);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("dmctl: " + e.getMessage().lines().findFirst().orElse("bad usage")
                    + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof HostDeviceMapper.NotUsableException && Launcher.canHandOver()) {
                return dmctl.handOver(err);
            }
            // The command's name, as dm4j's own errors carry theirs (DM_DEV_CREATE name: ...).
            String where = e instanceof HostDeviceMapper.NotUsableException ? c.getCommandName() + ": " : "";
            err.println("dmctl: " + where + oneLine(e));
            if (debug(parsed)) {
                e.printStackTrace(err);
            }
            return e instanceof InvalidArgumentException ? USAGE : FAILED;
        });
        return cli.execute(args);
    }

    /**
     * Standard input, where tables come from when no option names one: read once, and kept so that
     * a hand-over can pass it on.
     */
    byte[] stdin() throws IOException {
        if (stdinRead == null) {
            stdinRead = in.readAllBytes();
        }
        return stdinRead;
    }

    private int handOver(PrintWriter err) {
        try {
            return Launcher.handOver(stdinRead == null ? new byte[0] : stdinRead);
        } catch (IOException e) {
            err.println("dmctl: cannot hand the command over to vm/run: " + oneLine(e));
            return FAILED;
        }
    }

    private static boolean debug(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replace('\n', ' ');
    }

    /** {@code dmctl --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dmctl " + io.dm4j.Dm4j.version()};
        }
    }
}
