package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.RealKernel;
import io.dm4j.testkit.RequiresDeviceMapper;
import io.dm4j.testkit.RequiresDeviceMapper.Missing;
import io.dm4j.testkit.Scratch;
import io.dm4j.testkit.ScratchDisk;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * dmctl on the real kernel, with dmsetup as the reference: the same text for the same devices,
 * whichever tool made them; exit codes and one-line errors for bad input that create nothing.
 */
@ExtendWith(RealKernel.class)
@RequiresDeviceMapper(onMissing = Missing.FAIL)
class DmctlIT {
    static ScratchDisk loopA;
    static ScratchDisk loopB;

    /** Two loop devices per test from the testkit, detached after it by its leak check's scope. */
    @BeforeEach
    void disks(@Scratch(size = "16M") ScratchDisk a, @Scratch(size = "16M") ScratchDisk b) {
        loopA = a;
        loopB = b;
    }

    /** One dmctl run: exit status and what it printed. */
    record Run(int status, String out, String err) {}

    private static Run dmctl(String... args) {
        return dmctlWithInput("", args);
    }

    private static Run dmctlWithInput(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Dmctl.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    private static Run ok(String... args) {
        Run r = dmctl(args);
        assertThat(r.status()).as("dmctl %s: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }

    private static boolean exists(String name) throws IOException {
        return KernelDevices.exists(name);
    }

    @Test
    void versionPrintsTheKernelsDriverVersion() {
        String driver = Commands.check("dmsetup", "version").lines()
                .filter(l -> l.startsWith("Driver version:")).findFirst().orElseThrow()
                .substring("Driver version:".length()).strip();
        Run r = ok("version");
        assertThat(r.out()).contains("device-mapper " + driver + "\n").contains("native backend: ");
        assertThat(r.err()).isEmpty();
        assertThat(ok("targets").out()).isEqualTo(Commands.check("dmsetup", "targets"));
    }

    @Test
    void textOutputMatchesDmsetupForDevicesMadeByEither() throws IOException {
        String a = loopA.number().toString();
        String b = loopB.number().toString();
        List<String> names = new ArrayList<>();
        // made by dmsetup, which makes its own nodes here (no udev in the guest)
        String lin = RealKernel.name("ds-lin");
        Commands.check("dmsetup", "create", lin, "--table", "0 2048 linear " + a + " 0\n2048 2048 linear " + b + " 0");
        names.add(lin);
        String linNumber;
        try (DeviceMapper dm = DeviceMapper.open()) {
            linNumber = dm.info(lin).device().toString();
        }
        String top = RealKernel.name("ds-top");
        Commands.check("dmsetup", "create", top, "--uuid", RealKernel.name("uuid-top"), "--table",
                "0 4096 linear " + linNumber + " 0");
        names.add(top);
        String susp = RealKernel.name("ds-susp");
        Commands.check("dmsetup", "create", susp, "--table", "0 100 zero");
        Commands.check("dmsetup", "suspend", susp);
        Commands.check("dmsetup", "load", susp, "--table", "0 200 error");
        names.add(susp);
        String empty = RealKernel.name("ds-empty");
        Commands.check("dmsetup", "create", empty, "--notable");
        names.add(empty);
        // made by dmctl
        String striped = RealKernel.name("ctl-striped");
        ok("create", striped, "--table", "0 8192 striped 2 128 " + a + " 8192 " + b + " 8192");
        names.add(striped);
        String ro = RealKernel.name("ctl-ro");
        assertThat(dmctlWithInput("# read-only, table from stdin\n0 1000 zero\n1000 24 error  # tail\n",
                "create", ro, "--readonly", "--uuid", RealKernel.name("uuid-ro")).status()).isZero();
        names.add(ro);
        String crypt = RealKernel.name("ctl-crypt");
        ok("create", crypt, "--table", "0 2048 crypt aes-xts-plain64 "
                + "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 0 " + b + " 16384");
        names.add(crypt);
        String bare = RealKernel.name("ctl-bare");
        ok("create", bare, "--notable");
        names.add(bare);
        try {
            for (String n : names) {
                for (String[] cmd : List.of(new String[] {"info"}, new String[] {"table"}, new String[] {"table", "--showkeys"},
                        new String[] {"status"}, new String[] {"deps"}, new String[] {"table", "--inactive"},
                        new String[] {"status", "--inactive"})) {
                    List<String> args = new ArrayList<>(List.of(cmd));
                    args.add(n);
                    String expected = Commands.check(concat("dmsetup", args));
                    assertThat(ok(args.toArray(String[]::new)).out()).as("dmctl %s", args).isEqualTo(expected);
                }
            }
            assertThat(ok("table", crypt).out()).contains(" 0000000000000000000000000000000000000000000000000000000000000000 ");
            if (RealKernel.inThrowawayGuest()) {
                // Whole-machine listings are comparable only where every device is ours.
                for (String[] cmd : List.of(new String[] {"ls"}, new String[] {"ls", "--tree"},
                        new String[] {"ls", "--target", "linear"}, new String[] {"info"}, new String[] {"table"},
                        new String[] {"status"}, new String[] {"deps"})) {
                    assertThat(ok(cmd).out()).as("dmctl %s", String.join(" ", cmd))
                            .isEqualTo(Commands.check(concat("dmsetup", List.of(cmd))));
                }
            }
            assertThat(ok("info", top, "--json").out()).contains("\"name\":\"" + top + "\"")
                    .contains("\"uuid\":\"" + RealKernel.name("uuid-top") + "\"").contains("\"openCount\":0");
        } finally {
            ok("resume", susp);
            for (String n : List.of(top, lin, susp, empty, striped, ro, crypt, bare)) {
                ok("remove", n);
            }
        }
        for (String n : names) {
            assertThat(exists(n)).as(n).isFalse();
        }
    }

    private static String[] concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all.toArray(String[]::new);
    }

    @Test
    void badInputGivesOneLineAndTheRightStatusAndCreatesNothing() throws IOException {
        String gap = RealKernel.name("gap");
        String unknown = RealKernel.name("unknown");
        String missing = RealKernel.name("missing");
        record Case(int status, String[] args) {}
        List<Case> cases = List.of(
                new Case(2, new String[] {"create", RealKernel.name("a/b"), "--table", "0 8 zero"}),
                new Case(2, new String[] {"create", RealKernel.name("x".repeat(200)), "--table", "0 8 zero"}),
                new Case(2, new String[] {"create", gap, "--table", "0 8 zero\n16 8 zero"}),
                new Case(2, new String[] {"create", gap, "--table", "0 8"}),
                new Case(2, new String[] {"create", gap, "--notable", "--table", "0 8 zero"}),
                new Case(1, new String[] {"create", unknown, "--table", "0 8 dm4jnosuch"}),
                new Case(1, new String[] {"create", missing, "--table", "0 8 linear 250:4000 0"}),
                new Case(1, new String[] {"info", RealKernel.name("nosuch")}),
                new Case(1, new String[] {"remove", RealKernel.name("nosuch")}),
                new Case(2, new String[] {"create"}),
                new Case(2, new String[] {"remove", "--timeout", "-1", RealKernel.name("nosuch")}),
                new Case(2, new String[] {"bogus"}));
        for (Case c : cases) {
            Run r = dmctl(c.args());
            String what = String.join(" ", c.args());
            assertThat(r.status()).as("%s: %s", what, r.err()).isEqualTo(c.status());
            assertThat(r.err()).as(what).startsWith("dmctl: ").hasLineCount(1).doesNotContain("Exception");
            assertThat(r.out()).as(what).isEmpty();
        }
        assertThat(dmctl("info", RealKernel.name("nosuch")).err()).contains("ENXIO");
        for (String n : List.of(gap, unknown, missing)) {
            assertThat(exists(n)).as(n).isFalse();
        }
    }

    @Test
    void removeRetriesWhileOpenAndForceAndDeferredWork() throws Exception {
        String name = RealKernel.name("busy");
        ok("create", name, "--table", "0 2048 linear " + loopA.number() + " 0");
        FileChannel opener = FileChannel.open(Path.of("/dev/mapper", name), StandardOpenOption.READ);
        Run holders = ok("holders", name);
        assertThat(holders.out()).contains("open count 1").contains("process " + ProcessHandle.current().pid());
        Run busy = dmctl("remove", name);
        assertThat(busy.status()).isEqualTo(1);
        assertThat(busy.err()).contains("EBUSY").hasLineCount(1);
        // The remove retries while the device is open, says so, and completes once it is closed.
        StringWriter retryOut = new StringWriter();
        StringWriter retryErr = new StringWriter();
        CompletableFuture<Integer> retried = CompletableFuture.supplyAsync(() -> Dmctl.run(
                new String[] {"remove", "--retry", "--timeout", "60", name, "--json"},
                new PrintWriter(retryOut, true), new PrintWriter(retryErr, true)));
        awaitText(retryErr, "is open");
        opener.close();
        assertThat(retried.get(60, TimeUnit.SECONDS)).as(retryErr.toString()).isZero();
        assertThat(retryOut.toString()).contains("\"outcome\":\"REMOVED\"");
        assertThat(exists(name)).isFalse();

        ok("create", name, "--table", "0 2048 linear " + loopA.number() + " 0");
        DeviceNumber number = KernelDevices.number(name);
        try (FileChannel again = FileChannel.open(Path.of("/dev/mapper", name), StandardOpenOption.READ)) {
            assertThat(ok("remove", "--deferred", name).err()).contains("it will be removed when its last opener closes it");
            assertThat(ok("info", name).out()).contains("(DEFERRED REMOVE)");
            ok("remove", "--cancel-deferred", name);
            assertThat(ok("info", name).out()).doesNotContain("DEFERRED");
            assertThat(ok("remove", "--deferred", name).err()).contains("it will be removed when its last opener closes it");
        }
        assertThat(KernelDevices.goneSoon(name, number)).isTrue();

        ok("create", name, "--table", "0 2048 linear " + loopA.number() + " 0");
        ok("remove", "--force", name);
        assertThat(exists(name)).isFalse();
    }

    @Test
    void holdersAndAFailedRemoveNameTheProcessHoldingTheDevice() throws Exception {
        String name = RealKernel.name("held");
        ok("create", name, "--table", "0 2048 linear " + loopA.number() + " 0");
        Process sleep = new ProcessBuilder("sleep", "600").redirectInput(Path.of("/dev/mapper", name).toFile()).start();
        try {
            String holder = "process " + sleep.pid() + " (sleep) fd 0";
            // Until the child has exec'd, its command is still the JVM's spawn helper.
            for (int i = 0; i < 200 && !ok("holders", name).out().contains(holder); i++) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(ok("holders", name).out()).contains("open count 1\n" + holder + "\n");
            assertThat(ok("holders", name, "--json").out()).contains("\"kind\":\"process\",\"id\":\"" + sleep.pid()
                    + "\",\"detail\":\"(sleep) fd 0\",\"pid\":" + sleep.pid() + ",\"command\":\"sleep\",\"fds\":[0]");

            Run busy = dmctl("remove", "--timeout", "1", name);
            assertThat(busy.status()).isEqualTo(1);
            assertThat(busy.out()).isEmpty();
            assertThat(busy.err()).doesNotContain("Optional").doesNotContain("Exception")
                    .isEqualTo("dmctl: " + name + " is open, open count 1; retrying for up to 1 s\n"
                            + "dmctl: remove " + name + ": still in use after 1 s (EBUSY, open count 1): "
                            + "held open by pid " + sleep.pid() + " (sleep) fd 0; close it, or remove it with --deferred\n");
        } finally {
            sleep.destroy();
            sleep.waitFor();
        }
        ok("remove", "--timeout", "10", name);
        assertThat(exists(name)).isFalse();
    }

    /** Waits (at most 60 s) until a concurrently running dmctl has printed {@code text}. */
    private static void awaitText(StringWriter from, String text) throws InterruptedException {
        for (int i = 0; i < 1200 && !from.toString().contains(text); i++) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertThat(from.toString()).contains(text);
    }

    @Test
    void stackedHoldersMessagesRenameWaitAndEvents() throws Exception {
        String low = RealKernel.name("low");
        String high = RealKernel.name("high");
        String renamed = RealKernel.name("renamed");
        StringWriter eventsOut = new StringWriter();
        StringWriter eventsErr = new StringWriter();
        CompletableFuture<Integer> events = CompletableFuture.supplyAsync(() -> Dmctl.run(
                new String[] {"events", "--json", "--count", "4", "--timeout", "60", "--device", low},
                new PrintWriter(eventsOut, true), new PrintWriter(eventsErr, true)));
        awaitText(eventsErr, "watching " + low);
        ok("create", low, "--table", "0 2048 linear " + loopA.number() + " 0");
        String lowNumber = ok("info", low, "--json").out().replaceAll("(?s).*\"major\":(\\d+),\"minor\":(\\d+).*", "$1:$2")
                .strip();
        ok("create", high, "--table", "0 2048 linear " + lowNumber + " 0");
        try {
            assertThat(ok("holders", low).out()).contains("device dm-").contains("(" + high + ")");
            assertThat(ok("ls", "--tree").out()).contains(high + " (").contains(low + " (");
            // dm-stats answers through the message reply
            String region = ok("message", high, "0", "@stats_create", "-", "/1").out().strip();
            assertThat(region).matches("\\d+");
            assertThat(ok("message", high, "0", "@stats_list").out()).contains(region + ": 0+2048");
            ok("message", high, "0", "@stats_delete", region);
            assertThat(dmctl("wait", high, "--timeout", "0.3").status()).isEqualTo(1);
        } finally {
            ok("remove", high);
        }
        ok("rename", low, renamed);
        ok("remove", renamed);
        assertThat(events.get(60, TimeUnit.SECONDS)).as(eventsErr.toString()).isZero();
        // created; renamed, with the event counter's bump a rename makes; removed
        assertThat(eventsOut.toString().lines().toList()).hasSize(4);
        assertThat(eventsOut.toString()).contains("\"kind\":\"CREATED\"").contains("\"kind\":\"RENAMED\"")
                .contains("\"kind\":\"REMOVED\"").contains("\"previousName\":\"" + low + "\"");
    }

    /**
     * The ready signal: nothing a script does after reading READY=1 from --ready-fd is missed,
     * and the descriptor is closed after it (end of file), as systemd-notify-style readers expect.
     */
    @Test
    void eventsSignalsReadinessOnADescriptorAndMissesNothingAfterIt(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        String name = RealKernel.name("ready");
        Path fifo = dir.resolve("ready");
        Commands.check("mkfifo", fifo.toString());
        io.dm4j.sys.Syscalls sys = io.dm4j.sys.Syscalls.get();
        // O_RDWR: a fifo opened so does not wait for a reader; this descriptor is dmctl's to close.
        int fd = sys.open(fifo.toString(), io.dm4j.sys.Syscalls.O_RDWR);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // Not the common pool: it has one thread on the 2-CPU guest, which Commands needs too.
        java.util.concurrent.ExecutorService own = java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<Integer> events = own.submit(() -> Dmctl.run(
                new String[] {"events", "--json", "--count", "2", "--timeout", "60", "--device", name,
                        "--ready-fd", Integer.toString(fd)},
                new PrintWriter(out, true), new PrintWriter(err, true)));
        own.shutdown();
        try (java.io.InputStream ready = java.nio.file.Files.newInputStream(fifo)) {
            // readAllBytes returns at end of file: READY=1 was written and the descriptor closed.
            assertThat(new String(ready.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("READY=1\n");
        }
        assertThat(err.toString()).contains("dmctl: ready: watching " + name + " in uevent mode");
        Commands.check("dmsetup", "create", name, "--table", "0 8 zero");
        Commands.check("dmsetup", "remove", name);
        assertThat(events.get(60, TimeUnit.SECONDS)).as(err.toString()).isZero();
        assertThat(out.toString().lines().toList()).satisfiesExactly(
                created -> assertThat(created).contains("\"kind\":\"CREATED\"", "\"mode\":\"UEVENT\"",
                        "\"name\":\"" + name + "\""),
                removed -> assertThat(removed).contains("\"kind\":\"REMOVED\"").containsPattern("\"seqnum\":\\d+"));
        Run notOpen = dmctl("events", "--ready-fd", "987", "--timeout", "1");
        assertThat(notOpen.status()).isNotZero();
        assertThat(notOpen.err()).contains("--ready-fd").contains("descriptor 987 is not open");
        assertThat(dmctl("events", "--ready-fd", "1", "--timeout", "1").err()).contains("3 or more");
    }

    @Test
    void lifecycleCommandsChangeWhatInfoAndTableShow() throws IOException {
        String name = RealKernel.name("life");
        ok("create", name, "--notable");
        try {
            // Setting the uuid after clearing an inactive table corrupts the slab of Debian's 6.1
            // kernel (dm-ima double free at the remove; dmsetup alone triggers it too): so first.
            ok("rename", name, "--setuuid", RealKernel.name("life-uuid"));
            assertThat(ok("info", name, "--json").out()).contains("\"uuid\":\"" + RealKernel.name("life-uuid") + "\"");
            assertThat(ok("info", name).out()).contains("Tables present:    None\n");
            ok("load", name, "--table", "0 2048 zero");
            assertThat(ok("table", "--inactive", name).out()).isEqualTo("0 2048 zero \n");
            ok("resume", name);
            assertThat(ok("table", name).out()).isEqualTo("0 2048 zero \n");
            ok("suspend", "--noflush", "--nolockfs", name);
            assertThat(ok("info", name).out()).contains("State:             SUSPENDED\n");
            ok("resume", name);
            assertThat(dmctlWithInput("0 4096 error\n", "load", name).status()).isZero();
            assertThat(ok("info", name).out()).contains("Tables present:    LIVE & INACTIVE\n");
            ok("clear", name);
            assertThat(ok("info", name).out()).contains("Tables present:    LIVE\n");
            assertThat(dmctl("rename", name).status()).isEqualTo(2);
        } finally {
            ok("remove", name);
        }
    }

    @Test
    void removeAllRemovesEveryDeviceThatIsNotOpen() {
        // It removes devices that are not this test's: only where every device is ours.
        Assumptions.assumeTrue(RealKernel.inThrowawayGuest(), "remove-all runs only in a throwaway guest");
        List<String> names = List.of(RealKernel.name("all-1"), RealKernel.name("all-2"));
        for (String n : names) {
            ok("create", n, "--table", "0 8 zero");
        }
        ok("remove-all");
        assertThat(ok("ls").out()).isEqualTo("No devices found\n");
    }

    @Test
    void mknodesWithoutANameMakesEveryNodeAndSweepsStaleOnes() throws IOException {
        // The sweep drops /dev/mapper nodes that are not this test's: only in a throwaway guest.
        Assumptions.assumeTrue(RealKernel.inThrowawayGuest(), "mknodes sweeps all of /dev/mapper: throwaway guest only");
        String name = RealKernel.name("nodes");
        Path node = Path.of("/dev/mapper", name);
        Path stale = Path.of("/dev/mapper", RealKernel.name("stale"));
        ok("create", name, "--table", "0 8 zero");
        try {
            java.nio.file.Files.delete(node);
            Commands.check("mknod", stale.toString(), "b", "7", "250");
            ok("mknodes");
            assertThat(node).as("node of a listed device, made again").exists();
            assertThat(stale).as("node of no device, swept").doesNotExist();
        } finally {
            java.nio.file.Files.deleteIfExists(stale);
            ok("remove", name);
        }
    }

    @Test
    void demoRunsAndLeavesNothingBehind() {
        Run r = dmctl("demo", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out().lines()).last().asString().contains("\"event\":\"done\"");
        // RealKernel checks after the class that no device-mapper or loop device was left.
    }
}
