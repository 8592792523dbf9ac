package io.dm4j.cli;

import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * dmsetup's udev cookie commands. A cookie is LVM2's handshake with udev: a SysV semaphore keyed
 * {@code 0x0D4D0000 | base}, raised by the process that changes a device and lowered by udev's
 * rules when they have run; its high 16 bits carry flags for those rules. These commands read and
 * release them when a udev run went wrong; none needs device-mapper.
 */
final class UdevCommands {
    private UdevCommands() {}

    /** The cookie's semaphore keys share this prefix (LVM2's DM_COOKIE_MAGIC, 3405). */
    static final int MAGIC = 0x0D4D;

    private static final String[] FLAG_NAMES = {"DISABLE_DM_RULES", "DISABLE_SUBSYSTEM_RULES", "DISABLE_DISK_RULES",
        "DISABLE_OTHER_RULES", "LOW_PRIORITY", "DISABLE_LIBRARY_FALLBACK", "PRIMARY_SOURCE"};

    /** A cookie as dmsetup reads one ({@code strtoul} base 0: {@code 0x} hex, leading 0 octal); 0 is none. */
    static int cookie(String text) {
        String t = text.strip();
        int radix = 10;
        if (t.startsWith("0x") || t.startsWith("0X")) {
            radix = 16;
            t = t.substring(2);
        } else if (t.length() > 1 && t.startsWith("0")) {
            radix = 8;
            t = t.substring(1);
        }
        long value;
        try {
            value = Long.parseLong(t, radix);
        } catch (NumberFormatException e) {
            value = 0;
        }
        if (value <= 0 || value > 0xFFFF_FFFFL) {
            throw new CompatException("COOKIE", "must be a cookie such as 0x0D4D1234, not '" + text + "'",
                    "Incorrect cookie value.");
        }
        return (int) value;
    }

    /** The udev rule flags a cookie carries, one {@code NAME='1'} line each. */
    static String flags(int cookie) {
        int flags = cookie >>> 16;
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < 16; bit++) {
            if ((flags & (1 << bit)) == 0) {
                continue;
            }
            if (bit < FLAG_NAMES.length) {
                sb.append("DM_UDEV_").append(FLAG_NAMES[bit]).append("_FLAG='1'\n");
            } else if (bit < 8) {
                sb.append("DM_UDEV_FLAG").append(bit).append("='1'\n");
            } else {
                sb.append("DM_SUBSYSTEM_UDEV_FLAG").append(bit - 8).append("='1'\n");
            }
        }
        return sb.toString();
    }

    /** A command that only needs the system calls, not device-mapper. */
    abstract static class Local implements Callable<Integer> {
        @Mixin
        Common common;

        @Spec
        CommandSpec spec;

        void out(String text) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        }
    }

    @Command(name = "udevflags", description = "Decode the udev rule flags in a cookie, like 'dmsetup udevflags'.")
    static final class Flags extends Local {
        @Parameters(paramLabel = "COOKIE", description = "The cookie (0x... hex).")
        String cookie;

        @Override
        public Integer call() {
            out(flags(cookie(cookie)));
            return 0;
        }
    }

    @Command(name = "udevcomplete", description = "Lower a cookie's semaphore, as udev's rules would, like 'dmsetup udevcomplete'.")
    static final class Complete extends Local {
        @Parameters(paramLabel = "COOKIE", description = "The cookie (0x... hex).")
        String cookie;

        @Override
        public Integer call() throws IOException {
            int c = cookie(cookie);
            out(String.format(Locale.ROOT, "DM_COOKIE_COMPLETED=0x%-10x%n", c));
            if ((c & 0xFFFF) == 0) {
                return 0; // a cookie with no semaphore: only flags
            }
            int key = MAGIC << 16 | (c & 0xFFFF);
            Syscalls sys = Syscalls.get();
            int semid;
            try {
                semid = sys.semget(key, 1, 0);
            } catch (ErrnoException e) {
                throw new IOException(String.format(Locale.ROOT, "Failed to acquire lock for cookie 0x%x: %s", key,
                        e.errno().map(io.dm4j.sys.Errno::description).orElse(e.getMessage())), e);
            }
            try {
                sys.semop(semid, 0, -1, Syscalls.IPC_NOWAIT, -1);
            } catch (ErrnoException e) {
                throw new IOException(String.format(Locale.ROOT, "semid %d: semop failed for cookie 0x%x: %s", semid, key,
                        e.errno().map(io.dm4j.sys.Errno::description).orElse(e.getMessage())), e);
            }
            return 0;
        }
    }

    /** One cookie semaphore, from {@code /proc/sysvipc/sem}. */
    record Semaphore(int key, int semid, long otime, long ctime) {}

    static List<Semaphore> cookies() throws IOException {
        List<Semaphore> out = new ArrayList<>();
        Path table = Path.of("/proc/sysvipc/sem");
        if (!Files.exists(table)) {
            return out;
        }
        List<String> lines = Files.readAllLines(table);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            // key semid perms nsems uid gid cuid cgid otime ctime
            if (f.length < 10) {
                continue;
            }
            int key = (int) Long.parseLong(f[0]);
            if (key >>> 16 == MAGIC) {
                out.add(new Semaphore(key, Integer.parseInt(f[1]), Long.parseLong(f[8]), Long.parseLong(f[9])));
            }
        }
        return out;
    }

    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

    /** C's {@code ctime()} without its newline: {@code Thu Jan  1 00:00:00 1970}, local time. */
    static String ctime(long epochSeconds) {
        return CTIME.format(Instant.ofEpochSecond(epochSeconds).atZone(ZoneId.systemDefault()));
    }

    @Command(name = "udevcookies", description = "List the udev cookies in use, like 'dmsetup udevcookies'.")
    static final class Cookies extends Local {
        @Override
        public Integer call() throws IOException {
            StringBuilder sb = new StringBuilder(
                    "Cookie       Semid      Value      Last semop time           Last change time\n");
            Syscalls sys = Syscalls.get();
            for (Semaphore s : cookies()) {
                int value;
                try {
                    value = sys.semctl(s.semid(), 0, Syscalls.GETVAL, 0);
                } catch (ErrnoException gone) {
                    continue; // released while we looked
                }
                sb.append(String.format(Locale.ROOT, "0x%-10x %-10d %-10d %s  %s%n", s.key(), s.semid(), value,
                        ctime(s.otime()), ctime(s.ctime())));
            }
            out(sb.toString());
            return 0;
        }
    }

    @Command(name = "udevcomplete_all", aliases = "udevcomplete-all",
            description = "Release every udev cookie (older than AGE minutes), like 'dmsetup udevcomplete_all'.")
    static final class CompleteAll extends Local {
        @Parameters(arity = "0..1", paramLabel = "AGE", description = "Only cookies unchanged for this many minutes.")
        String age;

        @Override
        public Integer call() throws IOException {
            long minutes = 0;
            if (age != null) {
                try {
                    minutes = Long.parseLong(age.strip());
                } catch (NumberFormatException e) {
                    throw new CompatException("AGE", "must be a number of minutes, not '" + age + "'",
                            "Failed to read age_in_minutes parameter.");
                }
            }
            if (!common.yes && !confirm(minutes)) {
                out("Semaphores with keys prefixed by 3405 (0xd4d) NOT destroyed.\n");
                return 0;
            }
            Syscalls sys = Syscalls.get();
            int destroyed = 0;
            int skipped = 0;
            long now = Instant.now().getEpochSecond();
            for (Semaphore s : cookies()) {
                if (minutes > 0 && (now - s.ctime()) / 60 < minutes) {
                    skipped++;
                    continue;
                }
                try {
                    sys.semctl(s.semid(), 0, Syscalls.IPC_RMID, 0);
                    destroyed++;
                } catch (ErrnoException gone) {
                    skipped++;
                }
            }
            out(destroyed + " semaphores with keys prefixed by 3405 (0xd4d) destroyed. " + skipped + " skipped.\n");
            return 0;
        }

        /** dmsetup's question, on the terminal streams; end of input is no. */
        private boolean confirm(long minutes) throws IOException {
            spec.commandLine().getErr().println("WARNING: This operation will destroy all semaphores "
                    + (minutes > 0 ? "older than " + minutes + " minutes " : "")
                    + "with keys that have a prefix 3405 (0xd4d).");
            spec.commandLine().getErr().flush();
            Dmctl dmctl = (Dmctl) spec.root().userObject();
            while (true) {
                out("Do you really want to continue? [y/n]: ");
                String line = dmctl.stdinLine();
                if (line == null) {
                    return false;
                }
                String a = line.strip().toLowerCase(Locale.ROOT);
                if (a.startsWith("y")) {
                    return true;
                }
                if (a.startsWith("n")) {
                    return false;
                }
            }
        }
    }
}
