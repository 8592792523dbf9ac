package io.dm4j.reliability;

import static java.nio.file.StandardOpenOption.READ;
import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.TargetLine;
import io.dm4j.registry.DeviceChannel;
import io.dm4j.registry.DeviceInUseException;
import io.dm4j.registry.TableRegistry;
import io.dm4j.testing.ChildJvm;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.RealKernel;
import io.dm4j.testing.ReliabilityLog;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety: a child JVM runs lifecycle work through a registry (create, load, resume, a
 * device stacked on another, a pending load, rename, suspend, remove), all with uuids under one
 * prefix, and is killed with SIGKILL at a random moment. Then, as a restarted program would, a new
 * registry sweeps {@code /dev/mapper}, adopts by the uuid prefix, and completes (a pending table
 * resumed, a suspended device resumed) or rolls back (a device that never got a table is removed)
 * every device, reads each completed one, and removes them all: nothing may be left, no device,
 * no node, no holder on the loop device.
 *
 * <p>Runs: 5; 50 with {@code -Ddm4j.reliability=full}; {@code -Ddm4j.reliability.crashRuns=N}
 * sets the number (CI's full run shares its 50 between the FFM and the jnr-ffi runs). One child
 * start serves one kill: the child repeats its cycle, so that the kill lands anywhere in it rather
 * than in the JVM's start.
 */
@ExtendWith(RealKernel.class)
class CrashSafetyIT {
    private static final int RUNS = Integer.getInteger("dm4j.reliability.crashRuns",
            "full".equals(System.getProperty("dm4j.reliability")) ? 50 : 5);
    /** Kills fall uniformly in this window after the child said it was ready: a few of its cycles. */
    private static final int KILL_WINDOW_MILLIS = 1500;

    @TempDir
    Path dir;

    @Test
    void killedAnywhereThenAdoptedCompletedOrRolledBackAndNothingLeaks() throws Exception {
        Random random = new Random();
        Map<String, Integer> killPoints = new TreeMap<>();
        int adopted = 0;
        int completed = 0;
        int rolledBack = 0;
        int staleNodes = 0;
        long childMillis = 0;
        try (LoopDevice loop = LoopDevice.create(dir, 8L << 20)) {
            warmUp(loop);
            for (int run = 0; run < RUNS; run++) {
                String prefix = RealKernel.name("crash" + run + "-");
                String uuidPrefix = prefix + "uuid-";
                Path markers = dir.resolve("markers-" + run);
                long start = System.nanoTime();
                Process child = child(prefix, uuidPrefix, loop, markers, false);
                String ready = new String(child.getInputStream().readNBytes(6), StandardCharsets.US_ASCII);
                assertThat(ready).as("child output").isEqualTo("ready\n");
                Thread.sleep(random.nextInt(KILL_WINDOW_MILLIS));
                child.destroyForcibly(); // SIGKILL
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                childMillis += TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                killPoints.merge(killPoint(markers), 1, Integer::sum);

                try (DeviceMapper dm = DeviceMapper.open(); TableRegistry registry = TableRegistry.open(dm)) {
                    staleNodes += nodes(prefix).size();
                    dm.mknodes();
                    Set<String> left = new HashSet<>();
                    for (DeviceListEntry e : dm.list("", uuidPrefix)) {
                        left.add(e.name());
                    }
                    List<String> names = registry.adopt(uuidPrefix);
                    assertThat(names).as("adopted").containsExactlyInAnyOrderElementsOf(left);
                    adopted += names.size();
                    for (String name : names) {
                        DeviceInfo info = dm.info(name);
                        assertThat(Path.of("/dev/mapper", name)).as("node of an adopted device").exists();
                        if (!info.hasLiveTable()) {
                            rolledBack++; // removed below with the rest
                            continue;
                        }
                        if (info.hasInactiveTable() || info.suspended()) {
                            registry.resume(name); // completes a pending load, ends a suspension
                        }
                        try (DeviceChannel ch = registry.openChannel(name, READ)) {
                            assertThat(ch.read(ByteBuffer.allocate(4096), 0)).isEqualTo(4096);
                        }
                        completed++;
                    }
                    removeAll(registry);
                    assertThat(dm.list("", uuidPrefix)).as("devices left after run %d", run).isEmpty();
                    assertThat(dm.list(prefix, "")).isEmpty();
                    assertThat(nodes(prefix)).as("/dev/mapper nodes left after run %d", run).isEmpty();
                    assertThat(holders(loop)).as("holders of the loop device after run %d", run).isEmpty();
                }
            }
        }
        ReliabilityLog log = ReliabilityLog.of("crash-safety").put("runs", RUNS).put("kills", RUNS)
                .put("child-millis-per-run", childMillis / RUNS).put("devices-adopted", adopted)
                .put("devices-completed", completed).put("devices-rolled-back", rolledBack)
                .put("stale-nodes-swept", staleNodes).put("devices-left", 0).put("loop-holders-left", 0);
        killPoints.forEach((point, n) -> log.put("killed-in." + point, n));
        log.write();
    }

    /** Removes every managed device, stacks top-down. */
    private static void removeAll(TableRegistry registry) throws IOException {
        List<String> names = new ArrayList<>(registry.devices());
        while (!names.isEmpty()) {
            for (String name : List.copyOf(names)) {
                try {
                    registry.remove(name);
                    names.remove(name);
                } catch (DeviceInUseException stackedOn) {
                    // its user goes first, in this round or the next
                }
            }
        }
    }

    /**
     * A first child runs one cycle and exits normally, so that later children start from its
     * class-data archive (killed ones never write one).
     */
    private void warmUp(LoopDevice loop) throws Exception {
        Process child = child(RealKernel.name("crashw-"), RealKernel.name("crashw-uuid-"), loop, dir.resolve("warm"),
                true);
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as("warm-up child: %s", out).isZero();
    }

    private Process child(String prefix, String uuidPrefix, LoopDevice loop, Path markers, boolean once)
            throws IOException {
        String java = ChildJvm.java();
        // The warm-up run records an ahead-of-time cache (classes loaded and linked, method
        // handles; JDK 25+); the killed children start from it. It needs jars on the class path.
        Path aot = dir.resolve("child.aot");
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(ChildJvm.nativeOptions());
        if (Runtime.version().feature() >= 25) {
            command.addAll(List.of((once ? "-XX:AOTCacheOutput=" : "-XX:AOTCache=") + aot, "-Xlog:aot=off",
                    "-Xlog:cds=off"));
        }
        command.addAll(List.of("-cp", jarredClassPath(), Child.class.getName(), prefix, uuidPrefix,
                loop.number().toString(), markers.toString(), Boolean.toString(once)));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private String classPath;

    private String jarredClassPath() throws IOException {
        if (classPath == null) {
            classPath = ChildJvm.classPath(Files.createDirectory(dir.resolve("cp")));
        }
        return classPath;
    }

    /** Where the child was when it died: the last step it began, and whether it had ended it. */
    private static String killPoint(Path markers) throws IOException {
        if (!Files.exists(markers)) {
            return "before-first-step";
        }
        List<String> lines = Files.readAllLines(markers);
        if (lines.isEmpty()) {
            return "before-first-step";
        }
        String[] last = lines.get(lines.size() - 1).split(" ");
        return last[1] + (last[2].equals("begin") ? "" : "-done");
    }

    private static List<String> nodes(String prefix) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/dev/mapper"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
        }
    }

    private static List<String> holders(LoopDevice loop) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/sys/class/block", Path.of(loop.path()).getFileName().toString(),
                "holders"))) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /**
     * The program that is killed: cycles through lifecycle work on two devices, writing a marker
     * (one unbuffered write each, so a kill loses none) before and after each step.
     */
    public static final class Child {
        private final DeviceMapper dm;
        private final TableRegistry registry;
        private final OutputStream markers;
        private int cycle;

        private Child(DeviceMapper dm, TableRegistry registry, OutputStream markers) {
            this.dm = dm;
            this.registry = registry;
            this.markers = markers;
        }

        public static void main(String[] args) throws Exception {
            String prefix = args[0];
            String uuid = args[1];
            String loop = args[2];
            boolean once = Boolean.parseBoolean(args[4]);
            try (DeviceMapper dm = DeviceMapper.open(); TableRegistry registry = TableRegistry.open(dm);
                    OutputStream markers = new FileOutputStream(args[3], true)) {
                Child c = new Child(dm, registry, markers);
                System.out.print("ready\n");
                System.out.flush();
                do {
                    c.cycle(prefix, uuid, loop);
                } while (!once);
            }
        }

        private void cycle(String prefix, String uuid, String loop) throws IOException {
            int n = cycle++;
            String lower = prefix + n + "-lower";
            String upper = prefix + n + "-upper";
            String renamed = lower + "-r";
            List<TargetLine> whole = List.of(new TargetLine(0, 8192, "linear", loop + " 0"));
            List<TargetLine> half = List.of(new TargetLine(0, 4096, "linear", loop + " 4096"),
                    new TargetLine(4096, 4096, "linear", loop + " 0"));
            step("create", () -> registry.create(lower, CreateOptions.defaults().uuid(uuid + n + "-lower")));
            step("load", () -> registry.load(lower, whole));
            step("resume", () -> registry.resume(lower));
            DeviceInfo[] info = new DeviceInfo[1];
            step("info", () -> info[0] = dm.info(lower));
            step("create-stacked", () -> registry.create(upper, CreateOptions.defaults().uuid(uuid + n + "-upper"),
                    List.of(new TargetLine(0, 4096, "linear", info[0].device() + " 0"))));
            step("load-pending", () -> registry.load(lower, half));
            step("rename", () -> registry.rename(lower, renamed));
            step("suspend", () -> dm.suspend(upper));
            step("resume-stacked", () -> registry.resume(upper));
            step("resume-pending", () -> registry.resume(renamed));
            step("remove-stack", () -> registry.removeStack(upper));
        }

        @FunctionalInterface
        private interface Step {
            void run() throws IOException;
        }

        private void step(String name, Step step) throws IOException {
            markers.write((cycle + " " + name + " begin\n").getBytes(StandardCharsets.US_ASCII));
            step.run();
            markers.write((cycle + " " + name + " end\n").getBytes(StandardCharsets.US_ASCII));
        }
    }
}
