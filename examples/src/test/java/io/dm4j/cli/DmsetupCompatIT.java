package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.LoadOption;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.RealKernel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * dmctl's dmsetup personality against dmsetup itself on the real kernel: each command line of the
 * table runs through {@code dmsetup} and through {@code dmctl --compat dmsetup} against the same
 * devices (made afresh, in the same order, so they get the same numbers), and stdout, stderr,
 * the exit status and the devices' state afterwards must be the same, byte for byte.
 */
@ExtendWith(RealKernel.class)
class DmsetupCompatIT {
    private static final String A = RealKernel.name("ca");
    private static final String B = RealKernel.name("cb");
    private static final String C = RealKernel.name("cc");
    private static final String D = RealKernel.name("cd");
    private static final String E = RealKernel.name("ce");
    private static final String I = RealKernel.name("ci");
    private static final String NEW = RealKernel.name("cnew");
    private static final String MISSING = RealKernel.name("cmissing");
    private static final String UB = RealKernel.name("uuid-b");
    private static final List<String> NAMES = List.of(D, A, B, C, E, I, NEW);

    /** How much of the output must agree: all of it, or (for texts dmctl words itself) the first or last line. */
    enum Compare { EXACT, FIRST_LINE, LAST_LINE }

    /**
     * One command line; {@code busy} holds the first device open while it runs. {@code staleNode}:
     * dmsetup, without udev, cannot unlink the node of a device it removed by uuid or number (it
     * never learns the name), and leaves it; dm4j removes it, so nodes are not compared there.
     */
    record Form(Compare compare, boolean busy, boolean wholeMachine, boolean staleNode, List<String> args) {
        static Form of(String... args) {
            return new Form(Compare.EXACT, false, false, false, List.of(args));
        }

        Form heldOpen() {
            return new Form(compare, true, wholeMachine, staleNode, args);
        }

        Form onWholeMachine() {
            return new Form(compare, busy, true, staleNode, args);
        }

        Form leavesStaleNode() {
            return new Form(compare, busy, wholeMachine, true, args);
        }

        Form compare(Compare how) {
            return new Form(how, busy, wholeMachine, staleNode, args);
        }
    }

    /** What a tool did: its output, status and the devices afterwards. */
    record Outcome(int status, String out, String err, String state) {}

    private static List<Form> forms(Path tableFile) {
        return List.of(
                // reading
                Form.of("info", A), Form.of("info", A, B), Form.of("info", "-c", A), Form.of("-C", "info", A),
                Form.of("--columns", "info", B, A), Form.of("info", "-c", A, "-c"),
                Form.of("info", "--columns", "--noheadings", "-o", "name,blkdevname,attr,major,minor,open,segments,events",
                        "--separator", " ", A),
                Form.of("info", "-c", "-o", "attr", A), Form.of("info", "-c", "--noheadings", "-o", "events", A),
                Form.of("info", "-C", "-o", "suspended", A), Form.of("info", "-c", "--nameprefixes", B),
                Form.of("info", "-c", "--nameprefixes", "--unquoted", "--noheadings", A, B),
                Form.of("info", "-c", "--rows", "--separator", ",", A, B), Form.of("info", "-c", "--noheadings", A, B, C, I),
                Form.of("info", "-c", "--sort", "-name", "-o", "name,minor", A, B, C),
                Form.of("info", "-c", "-O", "+segments,name", "-o", "name,segments", D, A, B, E),
                Form.of("info", "-c", "-o", "name,device_count,devnos_used,blkdevs_used", D, E),
                Form.of("deps", "-o", "blkdevname", D), Form.of("deps", "-o", "devname", D),
                Form.of("info", "-c", "-o", "+devno", A),
                Form.of("info", "-c", "-o", "name,blkdevname,attr,tables_loaded,suspended,readonly,devno", A, B, C, I),
                Form.of("info", "-c", "-o", "NAME,Blk_Dev_Name,readAhead", A), Form.of("info", "-c", "-o", "info_all", A),
                Form.of("info", "-c", "-o", "name,subsystem,uuid", B),
                Form.of("info", "-c", "-o", "name,device_count,devnos_used,blkdevs_used", D),
                Form.of("info", "-c", "-o", "name,,major", A),
                Form.of("info", "/dev/mapper/" + A), Form.of("info", "-c", "mapper/" + A), Form.of("info", "-u", UB),
                Form.of("info", "-c", "-u", UB, A), Form.of("info", "{devpath:" + A + "}"),
                Form.of("info", "-j", "{major:" + B + "}", "-m", "{minor:" + B + "}"),
                Form.of("table", A), Form.of("table", A, D), Form.of("table", "--target", "zero", D),
                Form.of("table", "--target", "error", A), Form.of("table", "-u", UB), Form.of("table", "--inactive", I),
                Form.of("status", A), Form.of("status", A, C), Form.of("status", "--target", "linear", D), Form.of("deps", D),
                Form.of("measure", D), Form.of("measure", A, D), Form.of("measure", "--target", "linear", D),
                Form.of("measure", "--inactive", I),
                Form.of("targets"), Form.of("target-version", "zero", "linear"),
                Form.of("splitname", "vg--x-lv--y-layer"), Form.of("splitname", "--noheadings", "vg-lv"),
                Form.of("splitname", "-o", "subsystem,vg_name,lv_name,lv_layer", "vg-lv"),
                Form.of("splitname", "vg-lv", "FOO"), Form.of("udevflags", "0x0D4D0000"), Form.of("udevcomplete", "0x10000"),
                // the whole machine: comparable where every device is this test's (the throwaway guest)
                Form.of("ls").onWholeMachine(), Form.of("ls", "--target", "zero").onWholeMachine(),
                Form.of("ls", "-o", "blkdevname").onWholeMachine(), Form.of("ls", "--tree", "-o", "ascii").onWholeMachine(),
                Form.of("info", "-c").onWholeMachine(), Form.of("table").onWholeMachine(), Form.of("status").onWholeMachine(),
                Form.of("info").onWholeMachine(),
                // changing
                Form.of("create", NEW, "--table", "0 8 zero"), Form.of("create", NEW, "-u", RealKernel.name("unew"),
                        "--table", "0 8 zero\n8 8 error"),
                Form.of("create", NEW, "--notable"), Form.of("create", NEW, "-r", "--table", "0 8 zero"),
                Form.of("create", NEW, tableFile.toString()),
                Form.of("reload", A, "--table", "0 16 zero"), Form.of("load", A, tableFile.toString()),
                Form.of("suspend", A), Form.of("suspend", "--noflush", A, B), Form.of("resume", A),
                Form.of("clear", I), Form.of("rename", A, NEW), Form.of("rename", C, "--setuuid", RealKernel.name("uc")),
                Form.of("remove", A), Form.of("remove", "/dev/mapper/" + A), Form.of("remove", "-u", UB).leavesStaleNode(),
                Form.of("remove", "-j", "{major:" + C + "}", "-m", "{minor:" + C + "}").leavesStaleNode(), Form.of("remove", A, C),
                Form.of("remove", "--force", A), Form.of("remove", "--deferred", A), Form.of("remove", "--retry", A),
                Form.of("wipe_table", A), Form.of("setgeometry", A, "100", "4", "32", "0"),
                Form.of("--noudevsync", "remove", A), Form.of("mknodes", A),
                // failing
                Form.of("info", MISSING), Form.of("info", A, MISSING, B), Form.of("info", "-c", A, MISSING, B),
                Form.of("table", MISSING), Form.of("status", MISSING), Form.of("measure", MISSING), Form.of("deps", MISSING), Form.of("remove", MISSING),
                Form.of("suspend", MISSING), Form.of("resume", MISSING), Form.of("rename", MISSING, NEW),
                Form.of("clear", MISSING), Form.of("load", MISSING, "--table", "0 8 zero"),
                Form.of("message", MISSING, "0", "hello"), Form.of("remove", A, MISSING, B),
                Form.of("create", A, "--table", "0 8 zero"), Form.of("create", NEW, "-u", UB, "--table", "0 8 zero"),
                Form.of("create", NEW, "--table", "0 8 dm4jnosuch"),
                Form.of("reload", A, "--table", "0 8 dm4jnosuch"), Form.of("rename", A, B),
                Form.of("rename", B, "--setuuid", RealKernel.name("other")),
                Form.of("message", A, "0", "hello", "world"), Form.of("message", A, "x", "hello"),
                Form.of("remove", A).heldOpen(), Form.of("remove", "--retry", A).heldOpen(),
                Form.of("remove", "--force", A).heldOpen(), Form.of("info", "-u", RealKernel.name("nouuid")),
                Form.of("remove", "-u", RealKernel.name("nouuid")), Form.of("table", "-j", "{major:" + A + "}", "-m", "250"),
                Form.of("info", "-c", "/dev/null"), Form.of("info", "./" + A), Form.of("info", "/nonexistent/x"),
                Form.of("ls", "-o", "bogus"), Form.of("udevflags", "zz"), Form.of("info", "--separator"),
                Form.of("--bogus-option", "info"), Form.of("info", "-c", "-o", "bogus", A).compare(Compare.LAST_LINE),
                Form.of("bogus-command").compare(Compare.FIRST_LINE), Form.of("ls", A).compare(Compare.FIRST_LINE),
                Form.of("help").compare(Compare.FIRST_LINE));
    }

    @Test
    void dmsetupCommandLinesGiveDmsetupsOutputStatusAndResult() throws IOException {
        Path tableFile = Files.createTempFile("dm4j-compat", ".table");
        Files.writeString(tableFile, "0 32 zero\n");
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        try {
            for (Form f : forms(tableFile)) {
                if (f.wholeMachine() && !RealKernel.inThrowawayGuest()) {
                    continue;
                }
                Outcome reference;
                Outcome ours;
                Map<String, String> values = setUp();
                try {
                    String fresh = state(!f.staleNode());
                    reference = run(f, true, values);
                    // A form that changed nothing left the devices as fresh as dmctl must find them.
                    if (!reference.state().equals(fresh)) {
                        cleanUp();
                        values = setUp();
                    }
                    ours = run(f, false, values);
                } finally {
                    cleanUp();
                }
                compared++;
                if (!same(f.compare(), reference, ours)) {
                    mismatches.add(String.join(" ", f.args()) + "\n  dmsetup: " + reference + "\n  dmctl:   " + ours);
                }
            }
        } finally {
            Files.deleteIfExists(tableFile);
            cleanUp();
        }
        System.out.println("DmsetupCompatIT: " + compared + " dmsetup command lines compared, " + mismatches.size()
                + " differ");
        assertThat(mismatches).as("command lines whose dmctl --compat dmsetup run differs from dmsetup's").isEmpty();
        assertThat(compared).isGreaterThanOrEqualTo(RealKernel.inThrowawayGuest() ? 100 : 90);
    }

    /**
     * The installed image under the name {@code dmsetup} (a symlink to its launcher, as an
     * administrator would make one): a separate process, the personality chosen by its name alone.
     */
    @Test
    void theInstalledLauncherLinkedAsDmsetupAnswersAsDmsetup(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path launcher = null;
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null && launcher == null;
                d = d.getParent()) {
            for (Path candidate : List.of(d.resolve("target/dmctl/bin/dmctl"), d.resolve("examples/target/dmctl/bin/dmctl"))) {
                if (Files.isExecutable(candidate)) {
                    launcher = candidate;
                    break;
                }
            }
        }
        assertThat(launcher).as("the image ./mvnw package makes (examples/target/dmctl), from %s",
                System.getProperty("user.dir")).isNotNull();
        Path link = Files.createSymbolicLink(dir.resolve("dmsetup"), launcher);
        setUp();
        try {
            // each is a JVM start under emulation: one success and one failure show the name is enough
            for (List<String> args : List.of(List.of("--columns", "--noheadings", "-o", "name,attr", "info", A, B),
                    List.of("remove", MISSING))) {
                Commands.Result reference = Commands.run(concat("dmsetup", args));
                List<String> cmd = new ArrayList<>(List.of(link.toString()));
                cmd.addAll(args);
                ProcessBuilder pb = new ProcessBuilder(cmd);
                pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
                Process p = pb.start();
                p.getOutputStream().close();
                java.util.concurrent.CompletableFuture<String> err = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> read(p.getErrorStream()), r -> new Thread(r, "stderr").start());
                String out = read(p.getInputStream());
                assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(new Outcome(p.exitValue(), out, err.get(), "")).as("%s", args)
                        .isEqualTo(new Outcome(reference.exitCode(), reference.stdout(), reference.stderr(), ""));
            }
        } finally {
            cleanUp();
            Files.delete(link); // a link out of the temporary folder, which JUnit would warn about
        }
    }

    private static String[] concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all.toArray(String[]::new);
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean same(Compare how, Outcome a, Outcome b) {
        if (a.status() != b.status() || !a.state().equals(b.state()) || !a.out().equals(b.out())) {
            return false;
        }
        return switch (how) {
            case EXACT -> a.err().equals(b.err());
            case FIRST_LINE -> firstLine(a.err()).equals(firstLine(b.err()));
            case LAST_LINE -> lastLine(a.err()).equals(lastLine(b.err()));
        };
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse("");
    }

    private static String lastLine(String s) {
        List<String> l = s.lines().toList();
        return l.isEmpty() ? "" : l.get(l.size() - 1);
    }

    /** Makes the devices, runs the form with one tool, notes the devices' state, and removes them. */
    /** Runs the form with one tool on the devices {@link #setUp()} made, and notes their state after. */
    private static Outcome run(Form form, boolean dmsetup, Map<String, String> values) throws IOException {
        {
            List<String> args = new ArrayList<>();
            for (String a : form.args()) {
                args.add(expand(a, values));
            }
            FileChannel held = form.busy() ? FileChannel.open(Path.of("/dev/mapper/" + A), StandardOpenOption.READ) : null;
            try {
                Outcome o;
                if (dmsetup) {
                    List<String> cmd = new ArrayList<>(List.of("dmsetup"));
                    cmd.addAll(args);
                    Commands.Result r = Commands.run(cmd.toArray(String[]::new));
                    o = new Outcome(r.exitCode(), r.stdout(), r.stderr(), "");
                } else {
                    List<String> cmd = new ArrayList<>(List.of("--compat", "dmsetup"));
                    cmd.addAll(args);
                    StringWriter out = new StringWriter();
                    StringWriter err = new StringWriter();
                    int status = Dmctl.run(cmd.toArray(String[]::new), new ByteArrayInputStream(new byte[0]),
                            new PrintWriter(out, true), new PrintWriter(err, true));
                    o = new Outcome(status, out.toString(), err.toString(), "");
                }
                return new Outcome(o.status(), o.out(), o.err(), state(!form.staleNode()));
            } finally {
                if (held != null) {
                    held.close();
                }
            }
        }
    }

    private static String expand(String arg, Map<String, String> values) {
        String out = arg;
        for (Map.Entry<String, String> v : values.entrySet()) {
            out = out.replace("{" + v.getKey() + "}", v.getValue());
        }
        return out;
    }

    /** The devices every form starts from; their numbers for the forms that name devices by number. */
    private static Map<String, String> setUp() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        try (DeviceMapper dm = DeviceMapper.open()) {
            make(dm, A, null, "0 8 zero", false);
            make(dm, B, UB, "0 16 zero", false);
            make(dm, C, null, "0 8 error", true);
            DeviceInfo e = make(dm, E, null, "0 8 zero", false);
            make(dm, D, null, "0 8 linear " + e.device() + " 0\n8 8 zero", false);
            dm.create(I);
            dm.load(I, List.of(new TargetLine(0, 8, "zero", "")));
            for (String n : List.of(A, B, C, D, E, I)) {
                DeviceInfo info = dm.info(n);
                values.put("major:" + n, Integer.toString(info.device().major()));
                values.put("minor:" + n, Integer.toString(info.device().minor()));
                values.put("devpath:" + n, "/dev/dm-" + info.device().minor());
            }
        }
        return values;
    }

    private static DeviceInfo make(DeviceMapper dm, String name, String uuid, String table, boolean readOnly)
            throws IOException {
        dm.create(name, uuid == null ? CreateOptions.defaults() : CreateOptions.defaults().uuid(uuid));
        dm.load(name, io.dm4j.target.Table.parse(table), readOnly ? new LoadOption[] {LoadOption.READ_ONLY}
                : new LoadOption[0]);
        return dm.resume(name);
    }

    /** What the devices are now: every field dmsetup can change, and both tables. */
    private static String state(boolean nodes) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (DeviceMapper dm = DeviceMapper.open()) {
            for (String n : NAMES) {
                try {
                    DeviceInfo i = dm.info(n);
                    sb.append(n).append(' ').append(i.uuid().orElse("-")).append(' ').append(i.device()).append(' ')
                            .append(new java.util.TreeSet<>(i.flags())).append(" open ").append(i.openCount())
                            .append(" targets ").append(i.targetCount()).append(" event ").append(i.eventNr())
                            .append(" live ").append(i.hasLiveTable() ? dm.table(n) : "-")
                            .append(" inactive ").append(i.hasInactiveTable() ? dm.table(n, TableSlot.INACTIVE) : "-")
                            .append(" node ").append(nodes && Files.exists(Path.of("/dev/mapper/" + n))).append('\n');
                } catch (DeviceNotFoundException gone) {
                    sb.append(n).append(" absent, node ").append(nodes && Files.exists(Path.of("/dev/mapper/" + n)))
                            .append('\n');
                }
            }
        }
        return sb.toString();
    }

    /**
     * Removes what a form left: the stacked device first, then the others side by side (each remove
     * waits for RCU grace periods, which overlap); suspended devices are resumed so nothing waits.
     */
    private static void cleanUp() throws IOException {
        try (DeviceMapper dm = DeviceMapper.open()) {
            remove(dm, D);
            List<java.util.concurrent.CompletableFuture<Void>> removals = new ArrayList<>();
            for (String n : NAMES.subList(1, NAMES.size())) {
                removals.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        remove(dm, n);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, r -> new Thread(r, "cleanup " + n).start()));
            }
            java.util.concurrent.CompletableFuture.allOf(removals.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .join();
        }
    }

    private static void remove(DeviceMapper dm, String n) throws IOException {
        try {
            DeviceInfo i = dm.info(n);
            if (i.suspended()) {
                dm.resume(n);
            }
            dm.remove(n);
        } catch (DeviceNotFoundException gone) {
            // nothing to remove; a node dmsetup left behind goes
            dm.mknodes(n);
        }
    }
}
