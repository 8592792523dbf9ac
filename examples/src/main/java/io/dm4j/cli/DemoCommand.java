package io.dm4j.cli;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceMapper;
import io.dm4j.Dm4j;
import io.dm4j.TargetLine;
import io.dm4j.TargetStatus;
import io.dm4j.TargetVersion;
import io.dm4j.event.DeviceEvent;
import io.dm4j.event.EventMonitor;
import io.dm4j.registry.DeviceChannel;
import io.dm4j.registry.RemoveResult;
import io.dm4j.registry.TableRef;
import io.dm4j.registry.TableRegistry;
import io.dm4j.testkit.ScratchDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/**
 * {@code dmctl demo}: a narrated walk through what dm4j does, on loop devices over sparse files in
 * a temporary folder and device-mapper devices it creates and removes itself. It never touches a
 * device it did not create, and leaves nothing behind.
 */
@Command(name = "demo", description = "Walk through dm4j's main capabilities on devices it creates, then clean up.")
final class DemoCommand extends DeviceCommand {
    private static final long MIB = 1L << 20;
    private static final int THIN_BLOCK_SECTORS = 128;

    private int step;
    private String prefix;
    private final Deque<String> created = new ArrayDeque<>();

    @Override
    int run(DeviceMapper dm) throws IOException {
        prefix = "dm4j-demo-" + ProcessHandle.current().pid() + "-";
        step = 0;
        Path dir = Files.createTempDirectory("dm4j-demo-");
        try (EventMonitor events = EventMonitor.start();
                AutoCloseable ignored = events.subscribe(this::event);
                TableRegistry registry = TableRegistry.open(dm);
                ScratchDisk a = ScratchDisk.create(dir, "a", 32 * MIB);
                ScratchDisk b = ScratchDisk.create(dir, "b", 32 * MIB);
                ScratchDisk meta = ScratchDisk.create(dir, "meta", 16 * MIB);
                ScratchDisk data = ScratchDisk.create(dir, "data", 64 * MIB)) {
            try {
                introduce(dm, a, b, meta, data);
                linearAndStriped(registry, a, b);
                thinPool(dm, registry, meta, data);
                holderKeepsTheTable(registry);
            } finally {
                cleanUp(registry);
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(dir);
        }
        List<String> left = dm.list(prefix, "").stream().map(io.dm4j.DeviceListEntry::name).toList();
        if (!left.isEmpty()) {
            throw new IOException("demo: devices left behind: " + left);
        }
        say("done", "demo complete: every device removed and verified gone, loop devices detached", Map.of());
        return 0;
    }

    private void introduce(DeviceMapper dm, ScratchDisk... disks) throws IOException {
        List<TargetVersion> targets = dm.targetVersions();
        say("connected", "dm4j " + Dm4j.version() + " talks to device-mapper " + dm.driverVersion() + " through the "
                + dm.backend() + " backend; " + targets.size() + " target types loaded ("
                + String.join(", ", targets.stream().map(TargetVersion::name).limit(6).toList()) + ", ...)",
                Map.of("driverVersion", dm.driverVersion().toString(), "nativeBackend", dm.backend(),
                        "targets", targets.stream().map(TargetVersion::name).toList()));
        for (ScratchDisk d : disks) {
            say("disk", "scratch disk " + d.path() + " (" + d.number() + "), " + d.sectors() / 2048
                    + " MiB over a sparse file", Map.of("path", d.path(), "device", d.number().toString()));
        }
    }

    private void linearAndStriped(TableRegistry registry, ScratchDisk a, ScratchDisk b) throws IOException {
        String linear = create(registry, "linear", List.of(new TargetLine(0, 8 * 2048, "linear", a.number() + " 0")));
        byte[] pattern = pattern("dm4j linear ");
        write(registry, linear, pattern, 0);
        say("linear", linear + ": 8 MiB mapped onto " + a.path() + "; wrote and read back "
                + (Arrays.equals(read(registry, linear, pattern.length, 0), pattern) ? "the same" : "DIFFERENT")
                + " 64 KiB", Map.of("name", linear));
        String striped = create(registry, "striped", List.of(new TargetLine(0, 16 * 2048, "striped",
                "2 128 " + a.number() + " 16384 " + b.number() + " 16384")));
        try (TableRef table = registry.acquire(striped)) {
            say("striped", striped + ": 16 MiB striped over both disks in 64 KiB chunks; its live table: "
                    + table.lines().get(0), Map.of("name", striped, "table", table.lines().get(0).toString()));
        }
    }

    private void thinPool(DeviceMapper dm, TableRegistry registry, ScratchDisk meta, ScratchDisk data)
            throws IOException {
        long dataBlocks = data.sectors() / THIN_BLOCK_SECTORS;
        long lowWater = dataBlocks - 16; // fires once 1 MiB is in use
        String pool = create(registry, "pool", List.of(new TargetLine(0, data.sectors(), "thin-pool",
                meta.number() + " " + data.number() + " " + THIN_BLOCK_SECTORS + " " + lowWater + " 1 skip_block_zeroing")));
        say("pool", pool + ": thin pool of " + dataBlocks + " blocks of 64 KiB; the kernel raises an event when fewer than "
                + lowWater + " are free", Map.of("name", pool, "dataBlocks", dataBlocks, "lowWaterMark", lowWater));
        String poolNumber = dm.info(pool).device().toString();
        dm.message(pool, 0, "create_thin 0");
        String thin = create(registry, "thin", List.of(new TargetLine(0, 256 * 2048, "thin", poolNumber + " 0")));
        byte[] original = pattern("thin original ");
        for (int i = 0; i < 32; i++) {
            write(registry, thin, original, i * (long) original.length);
        }
        say("thin", thin + ": a 256 MiB thin volume; 2 MiB written, pool status: " + status(dm, pool),
                Map.of("name", thin));
        dm.suspend(thin);
        dm.message(pool, 0, "create_snap 1 0");
        registry.resume(thin);
        String snap = create(registry, "snap", List.of(new TargetLine(0, 256 * 2048, "thin", poolNumber + " 1")));
        byte[] changed = pattern("snapshot changed ");
        write(registry, snap, changed, 0);
        boolean originKept = Arrays.equals(read(registry, thin, original.length, 0), original);
        boolean snapChanged = Arrays.equals(read(registry, snap, changed.length, 0), changed);
        say("snapshot", snap + ": a snapshot of the thin volume; after writing to it, the origin "
                + (originKept ? "kept" : "LOST") + " its data and the snapshot " + (snapChanged ? "has" : "LACKS")
                + " the new data; pool status: " + status(dm, pool),
                Map.of("name", snap, "originKept", originKept, "snapshotChanged", snapChanged));
        if (!originKept || !snapChanged) {
            throw new IOException("demo: the thin snapshot did not diverge from its origin as it should");
        }
    }

    private void holderKeepsTheTable(TableRegistry registry) throws Exception {
        String name = created.stream().filter(n -> n.endsWith("linear")).findFirst().orElseThrow();
        TableRef holder = registry.acquire(name);
        say("holder", "a holder reference keeps the live table of " + name + " alive; now removing it", Map.of("name", name));
        CompletableFuture<RemoveResult> remove = CompletableFuture.supplyAsync(() -> {
            try {
                return registry.remove(name);
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        TimeUnit.MILLISECONDS.sleep(700);
        say("waiting", "after 0.7 s the remove is " + (remove.isDone() ? "DONE (it should wait!)" : "still waiting")
                + " for the holder; closing the holder", Map.of("removeWaiting", !remove.isDone()));
        holder.close();
        RemoveResult result = remove.get(30, TimeUnit.SECONDS);
        created.remove(name);
        say("removed", name + " removed after waiting " + result.waitedForHolders().toMillis()
                + " ms for its holder; verified closed, gone from the kernel's list and its node gone",
                Map.of("name", name, "waitedMillis", result.waitedForHolders().toMillis()));
    }

    private String create(TableRegistry registry, String role, List<TargetLine> table) throws IOException {
        String name = prefix + role;
        registry.create(name, CreateOptions.defaults(), table);
        created.push(name);
        return name;
    }

    /** Removes what the demo made, the stacked devices first; each remove is verified complete. */
    private void cleanUp(TableRegistry registry) throws IOException {
        while (!created.isEmpty()) {
            String name = created.pop();
            registry.remove(name);
            say("cleanup", "removed " + name, Map.of("name", name));
        }
    }

    private static String status(DeviceMapper dm, String name) throws IOException {
        return dm.status(name).stream().map(TargetStatus::status).reduce("", String::concat);
    }

    private static byte[] pattern(String text) {
        byte[] b = new byte[64 * 1024];
        byte[] t = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < b.length; i++) {
            b[i] = t[i % t.length];
        }
        return b;
    }

    private static void write(TableRegistry registry, String name, byte[] data, long position) throws IOException {
        try (DeviceChannel ch = registry.openChannel(name, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf, position + buf.position());
            }
            ch.force();
        }
    }

    private static byte[] read(TableRegistry registry, String name, int length, long position) throws IOException {
        try (DeviceChannel ch = registry.openChannel(name, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(length);
            while (buf.hasRemaining() && ch.read(buf, position + buf.position()) > 0) {
                // keep reading
            }
            return buf.array();
        }
    }

    private void event(DeviceEvent e) {
        if (e.name().filter(n -> n.startsWith(prefix)).isPresent()) {
            String what = switch (e.kind()) {
                case CREATED -> "created";
                case REMOVED -> "removed";
                case RENAMED -> "renamed from " + e.previousName().orElse("?");
                case TABLE_EVENT -> e.name().get().endsWith("pool")
                        ? "raised an event: fewer free blocks than its low-water mark" : "raised an event";
                case MAYBE_MISSED -> "may have had events the monitor did not see";
            };
            say("event", "  event: " + e.name().get() + " " + what + " (event number " + e.eventNr() + ")",
                    JsonViews.event(e));
        }
    }

    /** Narrates one step (events, which arrive on the monitor's thread, are indented and unnumbered). */
    private synchronized void say(String event, String text, Map<String, ?> fields) {
        if (!event.equals("event")) {
            step++;
        }
        if (common.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("step", event.equals("event") ? null : step);
            json.put("event", event);
            json.put("message", text);
            json.putAll(fields);
            out().println(Json.object(json));
        } else {
            out().println(text.startsWith("  ") ? text : "[" + step + "] " + text);
        }
        out().flush();
    }
}
