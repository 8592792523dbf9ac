package io.dm4j.cli;

import io.dm4j.DeviceMapper;
import io.dm4j.InvalidArgumentException;
import io.dm4j.NodePolicy;
import io.dm4j.examples.HostDeviceMapper;
import io.dm4j.examples.Launcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
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
        description = "Drive the kernel's device-mapper through dm4j.")
public final class Dmctl {
    /** The subcommands, in help order (no longer in the annotation: see commandLine). */
    private static final Class<?>[] SUBCOMMANDS = {VersionCommand.class, BatchCommand.class, UdevCommands.Flags.class, UdevCommands.Complete.class,
            UdevCommands.Cookies.class, UdevCommands.CompleteAll.class, ChangeCommands.WipeTable.class, ChangeCommands.SetGeometry.class,
            QueryCommands.SplitName.class, QueryCommands.TargetVersionOf.class, QueryCommands.TargetTypes.class, QueryCommands.Ls.class,
            QueryCommands.Info.class, QueryCommands.Table.class, QueryCommands.Status.class, QueryCommands.Measure.class,
            QueryCommands.Deps.class, ChangeCommands.Create.class, ChangeCommands.Load.class,
            ChangeCommands.Clear.class, ChangeCommands.Suspend.class, ChangeCommands.Resume.class,
            ChangeCommands.Remove.class, ChangeCommands.RemoveAll.class, ChangeCommands.Rename.class,
            ChangeCommands.Message.class, WatchCommands.Wait.class, WatchCommands.Events.class,
            HoldersCommand.class, ChangeCommands.Mknodes.class, DemoCommand.class, CommandLine.HelpCommand.class};

    /**
     * The subcommand these (already permuted) arguments run, when their first word names one; else
     * (help, no command, a misspelt one) empty, and the whole tree is needed.
     */
    private static java.util.Optional<Class<?>> subcommand(String[] args) {
        String first = null;
        for (String a : args) {
            if (!a.startsWith("-")) {
                first = a;
                break;
            }
        }
        if (first == null || first.equals("help")) {
            return java.util.Optional.empty();
        }
        for (Class<?> c : SUBCOMMANDS) {
            Command command = c.getAnnotation(Command.class);
            if (command.name().equals(first) || java.util.Arrays.asList(command.aliases()).contains(first)) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }

    /** {@code -h} or {@code --help} among the options (not after {@code --}, where words are operands). */
    private static boolean asksForHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("-h") || a.equals("--help")) {
                return true;
            }
        }
        return false;
    }

    static final int FAILED = 1;
    static final int USAGE = 2;

    /** How a command reaches the kernel: the one step that needs device-mapper. */
    @FunctionalInterface
    interface Kernel {
        DeviceMapper open() throws IOException;

        /** As {@link #open()}, with a policy for {@code /dev/mapper} nodes where the kernel is the host's. */
        default DeviceMapper open(NodePolicy nodePolicy) throws IOException {
            return open();
        }

        /** Ends a command's use of what {@link #open()} gave; a batch keeps one client for all. */
        default void release(DeviceMapper dm) throws IOException {
            dm.close();
        }
    }

    /**
     * Whose conventions the command line follows. Both take dmsetup's command lines; they differ in
     * what they print when something goes wrong.
     */
    enum Personality {
        /** dmctl's own: one-line errors that say what to do, exit status 2 for bad usage. */
        DMCTL,
        /** dmsetup's: its messages on stderr and its exit statuses, for scripts that parse them. */
        DMSETUP
    }

    final Kernel kernel;
    final Personality personality;
    /** The device the running command named, as it named it (dmsetup's errors show it so). */
    DeviceArg.Selector device;
    private final InputStream in;
    private byte[] stdinRead;

    Dmctl(InputStream in, Kernel kernel, Personality personality) {
        this.in = in;
        this.kernel = kernel;
        this.personality = personality;
    }

    /**
     * Runs dmctl and exits with its status. Under the name {@code dmsetup} (a link to the
     * launcher, which passes its name in {@code dm4j.argv0}) it takes dmsetup's personality.
     */
    public static void main(String[] args) {
        String argv0 = System.getProperty("dm4j.argv0", "dmctl");
        Personality p = argv0.substring(argv0.lastIndexOf('/') + 1).equals("dmsetup")
                ? Personality.DMSETUP : Personality.DMCTL;
        System.exit(run(args, System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true), p));
    }

    /** Runs dmctl, printing to the given writers, and returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, InputStream.nullInputStream(), out, err);
    }

    /** Runs dmctl with the given standard input (tables may come from it). */
    public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
        return run(args, in, out, err, Personality.DMCTL);
    }

    private static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err, Personality p) {
        return run(args, in, out, err, new Kernel() {
            @Override
            public DeviceMapper open() throws IOException {
                return HostDeviceMapper.open();
            }

            @Override
            public DeviceMapper open(NodePolicy nodePolicy) throws IOException {
                return HostDeviceMapper.open(nodePolicy);
            }
        }, p);
    }

    /** Runs dmctl reaching the kernel through {@code kernel}. */
    static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err, Kernel kernel) {
        return run(args, in, out, err, kernel, Personality.DMCTL);
    }

    /**
     * Runs dmctl in a personality; a leading {@code --compat dmsetup} (or {@code --compat dmctl})
     * chooses one too.
     */
    static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err, Kernel kernel,
            Personality personality) {
        if (args.length >= 1 && (args[0].equals("--compat") || args[0].startsWith("--compat="))) {
            boolean joined = args[0].contains("=");
            String which = joined ? args[0].substring(args[0].indexOf('=') + 1) : args.length > 1 ? args[1] : "";
            if (!which.equals("dmsetup") && !which.equals("dmctl")) {
                err.println("dmctl: --compat takes dmsetup or dmctl, not '" + which + "'");
                return USAGE;
            }
            String[] rest = java.util.Arrays.copyOfRange(args, joined ? 1 : 2, args.length);
            return run(rest, in, out, err, kernel, which.equals("dmsetup") ? Personality.DMSETUP : Personality.DMCTL);
        }
        return new Dmctl(in, kernel, personality).execute(args, out, err);
    }

    /**
     * Runs one command line on this instance. The command tree is built once and kept: a batch
     * runs thousands of lines through one, and building it (reflection over every command) costs
     * more than most commands.
     */
    int execute(String[] args, PrintWriter out, PrintWriter err) {
        if (personality == Personality.DMSETUP) {
            java.util.Optional<Integer> early = DmsetupErrors.beforeCommand(args, err);
            if (early.isPresent()) {
                return early.get();
            }
            if (List.of(args).contains("--version")) {
                // dmsetup's --version is its version command, and succeeds even where the driver does not answer
                execute(new String[] {"version"}, out, err);
                return 0;
            }
        }
        device = null;
        // Only the command that runs is built (picocli models a command by reflection, which costs
        // more than most commands); a batch's thread keeps one tree per command word it meets.
        String[] permuted = DmsetupSyntax.permute(args);
        java.util.Optional<Class<?>> only = subcommand(permuted);
        if (only.isPresent() && asksForHelp(permuted)) {
            // 'dmctl status --help' is the command's usage, as 'dmctl help status' prints it
            permuted = new String[] {"help", permuted[0]};
            only = java.util.Optional.empty();
        }
        boolean bare = permuted.length == 1 && (permuted[0].equals("--version") || permuted[0].equals("-V"));
        String key = only.map(Class::getName).orElse(bare ? "" : "*");
        CommandLine cli = trees.get(key);
        if (cli == null) {
            cli = commandLine();
            if (only.isPresent()) {
                cli.addSubcommand(only.get());
            } else if (!bare) {
                for (Class<?> c : SUBCOMMANDS) {
                    cli.addSubcommand(c);
                }
            }
            // Parser settings reach the subcommands there are when they are set: so, after them.
            cli.setOverwrittenOptionsAllowed(true); // getopt takes 'info -c x -c'
            if (only.isPresent()) {
                // no ${...} in a command's texts, and resolving them costs every parse; the whole
                // tree prints the standard help options, whose names are ${...}
                cli.setInterpolateVariables(false);
            }
            trees.put(key, cli);
        }
        // Set only when they change: picocli copies its command map for every subcommand it sets them on.
        if (out != cli.getOut()) {
            cli.setOut(out);
        }
        if (err != cli.getErr()) {
            cli.setErr(err);
        }
        return cli.execute(permuted);
    }

    private final java.util.Map<String, CommandLine> trees = new java.util.HashMap<>();

    private CommandLine commandLine() {
        CommandLine cli = new CommandLine(this);
        cli.setParameterExceptionHandler((e, a) -> {
            PrintWriter err = e.getCommandLine().getErr();
            java.util.Optional<String> unsupported = DmsetupSyntax.unsupported(e);
            if (unsupported.isPresent()) {
                CommandLine.Model.CommandSpec where = e.getCommandLine().getCommandSpec();
                err.println((personality == Personality.DMSETUP ? "dmsetup: " : "dmctl: ")
                        + (where.parent() == null ? "" : where.name() + ": ") + "dmsetup's " + unsupported.get()
                        + " is not supported by dmctl");
                return USAGE;
            }
            if (personality == Personality.DMSETUP) {
                return DmsetupErrors.usage(e, err);
            }
            err.println("dmctl: " + e.getMessage().lines().findFirst().orElse("bad usage")
                    + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            PrintWriter err = c.getErr();
            if (e instanceof HostDeviceMapper.NotUsableException && Launcher.canHandOver()) {
                return handOver(err);
            }
            if (personality == Personality.DMSETUP) {
                return DmsetupErrors.failure(e, c.getCommandName(), device, err);
            }
            // The command's name, as dm4j's own errors carry theirs (DM_DEV_CREATE name: ...).
            String where = e instanceof HostDeviceMapper.NotUsableException ? c.getCommandName() + ": " : "";
            err.println("dmctl: " + where + oneLine(e));
            if (debug(parsed)) {
                e.printStackTrace(err);
            }
            return e instanceof InvalidArgumentException ? USAGE : FAILED;
        });
        return cli;
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

    /** The next line of standard input, for a question; null at its end. */
    String stdinLine() throws IOException {
        if (lines == null) {
            lines = new java.io.BufferedReader(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
        }
        return lines.readLine();
    }

    private java.io.BufferedReader lines;

    /** What a hand-over passes on as standard input when this instance did not read it (a batch's lines). */
    byte[] handOverInput;

    private int handOver(PrintWriter err) {
        try {
            return Launcher.handOver(handOverInput != null ? handOverInput : stdinRead == null ? new byte[0] : stdinRead);
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
