package io.dm4j.cli;

import io.dm4j.DeviceMapperException;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.DmCommand;
import io.dm4j.InvalidArgumentException;
import io.dm4j.sys.Errno;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * What dmsetup prints when something fails, for the dmsetup personality: libdevmapper's
 * {@code device-mapper: OP ioctl on NAME UUID failed: STRERROR} (the op named after dmsetup's
 * task, not the ioctl), dmsetup's own lines ({@code Device does not exist.}), then
 * {@code Command failed.}, exit status 1. Scripts read the errno back from the strerror text.
 */
final class DmsetupErrors {
    private DmsetupErrors() {}

    /** The commands whose missing device dmsetup finds with an info first, and reports so. */
    private static final java.util.Set<String> INFO_FIRST = java.util.Set.of("info", "status", "measure", "wait");

    static int failure(Exception e, String command, DeviceArg.Selector device, PrintWriter err) {
        err.print(lines(e, command, device));
        err.print(e instanceof CompatException c ? c.trailer.text : CompatException.Trailer.COMMAND_FAILED.text);
        err.flush();
        return Dmctl.FAILED;
    }

    /** The lines dmsetup prints for this failure, before {@code Command failed.}. */
    static String lines(Exception e, String command, DeviceArg.Selector device) {
        if (e instanceof CompatException c) {
            return c.dmsetup + "\n";
        }
        if (e instanceof DeviceArg.NotFoundException nf) {
            return "Device " + nf.shown + " not found\n";
        }
        boolean missing = e instanceof DeviceNotFoundException || e instanceof DeviceArg.NoSuchDeviceException;
        if (missing && INFO_FIRST.contains(command)) {
            return "Device does not exist.\n";
        }
        if (e instanceof DeviceArg.NoSuchDeviceException nd) {
            return ioctlFailed(op(null, command), nd.selector, null, Errno.ENXIO.number());
        }
        if (e instanceof DeviceMapperException dme) {
            return ioctlFailed(op(dme.command(), command), device, dme.device().orElse(""), dme.errnoValue());
        }
        if (e instanceof InvalidArgumentException) {
            return e.getMessage() + "\n";
        }
        return (e.getMessage() == null ? e.toString() : e.getMessage()) + "\n";
    }

    /**
     * libdevmapper's ioctl failure line: the device as the task named it, by name, by uuid or by
     * number, so {@code -u U} shows {@code on  U failed} (two spaces: no name).
     */
    static String ioctlFailed(String op, DeviceArg.Selector device, String nameInKernel, int errno) {
        String name = "";
        String uuid = "";
        String number = "";
        if (device instanceof DeviceArg.ByUuid u) {
            uuid = u.uuid();
        } else if (device instanceof DeviceArg.ByNumber n) {
            number = number(n.device());
        } else if (device instanceof DeviceArg.ByName n) {
            name = n.name();
        } else if (device instanceof DeviceArg.Creating c) {
            name = c.name();
            uuid = c.uuid() == null ? "" : c.uuid();
            number = c.device() == null ? "" : number(c.device());
        } else if (nameInKernel != null) {
            name = nameInKernel;
        }
        return "device-mapper: " + op + " ioctl on " + name + " " + uuid + number + " failed: "
                + strerror(errno) + "\n";
    }

    private static String number(io.dm4j.DeviceNumber d) {
        return "(" + d.major() + ":" + d.minor() + ")";
    }

    private static String strerror(int errno) {
        return Errno.of(errno).map(Errno::description).orElse("Unknown error " + errno);
    }

    /** libdevmapper's name of the task that issued {@code ioctl} for dmsetup's {@code command}. */
    static String op(DmCommand ioctl, String command) {
        if (ioctl == null) {
            return switch (command) {
                case "load", "reload" -> "reload";
                case "info", "holders" -> "info";
                case "wait" -> "waitevent";
                case "mknodes" -> "info";
                case "wipe_table" -> "reload";
                default -> command;
            };
        }
        return switch (ioctl) {
            case DM_VERSION -> "version";
            case DM_REMOVE_ALL -> "remove_all";
            case DM_LIST_DEVICES -> "names";
            case DM_DEV_CREATE -> "create";
            case DM_DEV_REMOVE -> "remove";
            case DM_DEV_RENAME -> "rename";
            case DM_DEV_SUSPEND -> command.equals("suspend") ? "suspend" : "resume";
            case DM_DEV_STATUS -> "info";
            case DM_DEV_WAIT -> "waitevent";
            case DM_TABLE_LOAD -> "reload";
            case DM_TABLE_CLEAR -> "clear";
            case DM_TABLE_DEPS -> "deps";
            case DM_TABLE_STATUS -> command.equals("table") ? "table" : "status";
            case DM_LIST_VERSIONS -> "versions";
            case DM_TARGET_MSG -> "message";
            case DM_DEV_SET_GEOMETRY -> "setgeometry";
            case DM_DEV_ARM_POLL -> "armpoll";
            case DM_GET_TARGET_VERSION -> "target-version";
        };
    }

    /** The command words dmctl answers in dmsetup's syntax (its own extras are listed by {@code dmctl --help}). */
    static final String USAGE = """
            Usage:

            dmsetup (dm4j's dmctl in dmsetup's personality)
                    [--version] [-h|--help] [-f|--force] [-r|--readonly] [--noflush] [--nolockfs]
                    [--inactive] [--noudevsync] [--verifyudev] [-y|--yes] [--retry]
                    [-c|-C|--columns] [-o <fields>] [-O|--sort <sort_fields>] [--nameprefixes]
                    [--noheadings] [--separator <separator>] [--rows] [--unquoted]

            \thelp
            \tcreate <dev_name> [-u|--uuid <uuid>] [-r|--readonly] [-n|--notable|--table <table>|<table_file>]
            \tremove [--deferred] [-f|--force] [--retry] <device>...
            \tremove_all
            \tsuspend [--noflush] [--nolockfs] <device>...
            \tresume <device>...
            \tload <device> [<table>|<table_file>]
            \tclear <device>...
            \treload <device> [<table>|<table_file>]
            \twipe_table <device>...
            \trename <device> [--setuuid] <new_name_or_uuid>
            \tmessage <device> <sector> <message>
            \tls [--target <target_type>] [-o <options>] [--tree]
            \tinfo [<device>...]
            \tdeps [<device>...]
            \tstatus [<device>...] [--noflush] [--target <target_type>]
            \ttable [<device>...] [--target <target_type>] [--showkeys]
            \twait <device> [<event_nr>]
            \tmknodes [<device>]
            \tudevflags <cookie>
            \tudevcomplete <cookie>
            \tudevcomplete_all [<age_in_minutes>]
            \tudevcookies
            \ttarget-version <target>...
            \ttargets
            \tversion
            \tsetgeometry <device> <cyl> <head> <sect> <start>
            \tsplitname <device> [<subsystem>]

            <device> may be device name or (if only one) -u <uuid> or -j <major> -m <minor>
            <fields> are comma-separated.

            """;

    /**
     * What dmsetup answers before it looks at the command: {@code -h} anywhere (usage, success),
     * no command word (usage, failure), {@code help} (usage, success).
     */
    static java.util.Optional<Integer> beforeCommand(String[] args, PrintWriter err) {
        java.util.List<String> a = java.util.List.of(DmsetupSyntax.permute(args));
        if (a.contains("-h") || a.contains("--help")) {
            err.print(USAGE);
            err.flush();
            return java.util.Optional.of(0);
        }
        boolean noCommand = a.isEmpty() || a.get(0).startsWith("-");
        java.util.Optional<String> unknown = a.stream().filter(w -> w.startsWith("--") && !w.equals("--")
                && !DmsetupSyntax.isDmsetupLong(w)).findFirst();
        if (noCommand && unknown.isPresent()) {
            err.println("dmsetup: unrecognized option '" + unknown.get() + "'");
            err.println("Couldn't process command line.");
            err.flush();
            return java.util.Optional.of(Dmctl.FAILED);
        }
        if (noCommand && !a.contains("--version")) {
            err.print(USAGE);
            err.flush();
            return java.util.Optional.of(Dmctl.FAILED);
        }
        if (!noCommand && a.get(0).equals("help")) {
            boolean extra = a.stream().skip(1).anyMatch(w -> !w.startsWith("-"));
            if (extra) {
                err.print("Incorrect number of arguments.\n" + USAGE);
            } else {
                err.print(USAGE);
            }
            err.flush();
            return java.util.Optional.of(extra ? Dmctl.FAILED : 0);
        }
        return java.util.Optional.empty();
    }

    /** A command line dmsetup would not take: its complaint, and exit status 1 as dmsetup has it. */
    static int usage(CommandLine.ParameterException e, PrintWriter err) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            if (arg.startsWith("-")) {
                err.println("dmsetup: unrecognized option '" + arg + "'");
                err.println("Couldn't process command line.");
            } else if (e.getCommandLine().getCommandSpec().parent() == null) {
                err.print("Unknown command.\n" + USAGE);
            } else {
                err.print("Incorrect number of arguments.\n" + USAGE);
            }
        } else if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()
                && m.getMissing().get(0) instanceof CommandLine.Model.OptionSpec o) {
            err.println("dmsetup: option '" + o.longestName() + "' requires an argument");
            err.println("Couldn't process command line.");
        } else if (e instanceof CommandLine.MissingParameterException) {
            err.print("Incorrect number of arguments.\n" + USAGE);
        } else {
            err.println(e.getMessage().lines().findFirst().orElse(""));
            err.println("Couldn't process command line.");
        }
        err.flush();
        return Dmctl.FAILED;
    }
}
