package io.dm4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * dmsetup's command-line grammar, where dmctl's parser differs from it. dmsetup parses with
 * {@code getopt_long} over the whole line, so options may come before the command word
 * ({@code dmsetup -c info}, {@code dmsetup --noudevsync remove x}); dmctl's commands own their
 * options, so those are moved after the command word first. Knowing which options take a value is
 * what makes that move safe ({@code dmsetup -u UUID remove}: {@code UUID} is not the command).
 */
final class DmsetupSyntax {
    private DmsetupSyntax() {}

    /** Every long option of dmsetup (LVM2 2.03) and whether it takes a value. */
    static final Map<String, Boolean> DMSETUP_LONG = Map.ofEntries(
            Map.entry("readonly", false), Map.entry("alldevices", false), Map.entry("checks", false),
            Map.entry("clear", false), Map.entry("columns", false), Map.entry("concise", false),
            Map.entry("count", true), Map.entry("deferred", false), Map.entry("select", true),
            Map.entry("exec", true), Map.entry("filemap", false), Map.entry("force", false),
            Map.entry("foreground", false), Map.entry("gid", true), Map.entry("group", false),
            Map.entry("headers", true), Map.entry("help", false), Map.entry("histogram", false),
            Map.entry("bounds", true), Map.entry("inactive", false), Map.entry("interval", true),
            Map.entry("length", true), Map.entry("manglename", true), Map.entry("major", true),
            Map.entry("minor", true), Map.entry("mode", true), Map.entry("nameprefixes", false),
            Map.entry("noflush", false), Map.entry("nogroup", false), Map.entry("noheadings", false),
            Map.entry("nolockfs", false), Map.entry("noopencount", false), Map.entry("nomonitor", false),
            Map.entry("nosuffix", false), Map.entry("notable", false), Map.entry("notimesuffix", false),
            Map.entry("udevcookie", true), Map.entry("noudevrules", false), Map.entry("noudevsync", false),
            Map.entry("options", true), Map.entry("precise", false), Map.entry("programid", true),
            Map.entry("raw", false), Map.entry("readahead", true), Map.entry("regionid", true),
            Map.entry("regions", true), Map.entry("relative", false), Map.entry("retry", false),
            Map.entry("rows", false), Map.entry("segments", false), Map.entry("separator", true),
            Map.entry("setuuid", false), Map.entry("showkeys", false), Map.entry("sort", true),
            Map.entry("start", true), Map.entry("table", true), Map.entry("target", true),
            Map.entry("tree", false), Map.entry("uid", true), Map.entry("units", true),
            Map.entry("uuid", true), Map.entry("unbuffered", false), Map.entry("unquoted", false),
            Map.entry("userspace", false), Map.entry("verbose", false), Map.entry("verifyudev", false),
            Map.entry("version", false), Map.entry("yes", false), Map.entry("addnodeonresume", false),
            Map.entry("addnodeoncreate", false), Map.entry("area", false), Map.entry("auxdata", true),
            Map.entry("alias", true), Map.entry("ioctl", false));

    /** dmsetup's short options that take a value ({@code -o name}, {@code -j 253}). */
    private static final Set<Character> DMSETUP_SHORT_VALUE = Set.of('A', 'G', 'j', 'm', 'M', 'o', 'O', 'S', 'u', 'U');

    /** dmctl's own options that take a value and that no dmsetup option spells the same. */
    private static final Set<String> DMCTL_LONG_VALUE = Set.of("timeout", "table-file", "device", "ready-fd",
            "set-uuid");

    /**
     * The arguments with the options found before the command word moved after it, as getopt's
     * permutation would have read them; everything else keeps its order.
     */
    static String[] permute(String[] args) {
        List<String> before = new ArrayList<>();
        int i = 0;
        while (i < args.length && isOption(args[i])) {
            String a = args[i++];
            before.add(a);
            if (takesSeparateValue(a) && i < args.length) {
                before.add(args[i++]);
            }
        }
        if (before.isEmpty() || i >= args.length || args[i].equals("--")) {
            return args;
        }
        List<String> out = new ArrayList<>();
        out.add(args[i]);
        out.addAll(before);
        out.addAll(List.of(args).subList(i + 1, args.length));
        return out.toArray(String[]::new);
    }

    private static boolean isOption(String a) {
        return a.startsWith("-") && a.length() > 1 && !a.equals("--");
    }

    /** Whether the option's value is the next argument ({@code -o name}, {@code --uuid U}, not {@code --uuid=U}). */
    static boolean takesSeparateValue(String option) {
        if (option.startsWith("--")) {
            if (option.contains("=")) {
                return false;
            }
            String name = option.substring(2);
            return Boolean.TRUE.equals(DMSETUP_LONG.get(name)) || DMCTL_LONG_VALUE.contains(name);
        }
        // a cluster such as -cvo: the value goes with its last letter, in the word itself if any follows
        for (int k = 1; k < option.length(); k++) {
            if (DMSETUP_SHORT_VALUE.contains(option.charAt(k))) {
                return k == option.length() - 1;
            }
        }
        return false;
    }

    /** Whether {@code option} (as written, {@code --name} or {@code --name=value}) is one of dmsetup's. */
    static boolean isDmsetupLong(String option) {
        if (!option.startsWith("--")) {
            return false;
        }
        int eq = option.indexOf('=');
        return DMSETUP_LONG.containsKey(option.substring(2, eq < 0 ? option.length() : eq));
    }

    /** dmsetup's commands that dmctl does not have. */
    private static final Set<String> UNSUPPORTED_COMMANDS = Set.of("stats", "mangle", "udevcreatecookie",
            "udevreleasecookie");

    /** dmsetup's short options, with or without a value. */
    private static final String DMSETUP_SHORT = "cCfGhjmMnoOrSuUvy";

    /**
     * The dmsetup option a parse failure is about, when dmsetup has it and this dmctl command does
     * not: that is said plainly, never ignored.
     */
    static java.util.Optional<String> unsupported(picocli.CommandLine.ParameterException e) {
        if (!(e instanceof picocli.CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
            return java.util.Optional.empty();
        }
        String arg = u.getUnmatched().get(0);
        if (u.getCommandLine().getCommandSpec().parent() == null && UNSUPPORTED_COMMANDS.contains(arg)) {
            return java.util.Optional.of("command " + arg);
        }
        boolean dmsetups = isDmsetupLong(arg)
                || (arg.length() >= 2 && arg.charAt(0) == '-' && arg.charAt(1) != '-' && DMSETUP_SHORT.indexOf(arg.charAt(1)) >= 0);
        int eq = arg.indexOf('=');
        return dmsetups ? java.util.Optional.of("option " + (eq < 0 ? arg : arg.substring(0, eq))) : java.util.Optional.empty();
    }
}
