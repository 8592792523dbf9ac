package io.dm4j.examples;

import io.dm4j.SuspendOption;
import io.dm4j.event.DeviceEvent;
import io.dm4j.event.EventMonitor;
import io.dm4j.message.ThinPoolMessage;
import io.dm4j.status.StatusReport;
import io.dm4j.status.ThinPoolStatus;
import io.dm4j.target.LinearTarget;
import io.dm4j.target.Sectors;
import io.dm4j.target.Table;
import io.dm4j.target.ThinPoolTarget;
import io.dm4j.target.ThinTarget;
import io.dm4j.testkit.ScratchDisk;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thin provisioning that grows its pool by itself: a 256 MiB thin volume over a pool that starts
 * with 8 MiB of data space. When fewer free blocks than the pool's low-water mark remain, the
 * kernel raises an event; the example hears it through an {@link EventMonitor}, reads the pool's
 * status and gives it 8 MiB more (growing the data device beneath, then the pool), as LVM's
 * autoextend does. A writer fills 24 MiB of the volume meanwhile and reads it all back.
 */
public final class ThinAutoGrow {
    private ThinAutoGrow() {}

    private static final Sectors BLOCK = Sectors.ofBytes(64 * 1024);
    private static final long LOW_WATER_BLOCKS = 32;
    private static final int STEP_MIB = 8;
    private static final int WRITE_MIB = 24;

    /** How often the pool grew, how big its data space ended, and whether every byte read back. */
    public record Result(int growths, long finalDataMiB, boolean dataIntact) {}

    public static Result run(java.io.PrintStream out) throws Exception {
        try (Workspace ws = Workspace.open("thingrow", out); EventMonitor monitor = EventMonitor.start()) {
            ScratchDisk meta = ws.disk("meta", 8);
            ScratchDisk dataDisk = ws.disk("data", 64);
            String data = ws.create("data", linear(dataDisk, STEP_MIB));
            String pool = ws.create("pool", poolTable(ws, meta, data, STEP_MIB));
            ThinPoolMessage.createThin(0).send(ws.dm(), pool);
            String thin = ws.create("thin", Table.builder()
                    .append(Sectors.ofBytes(256 << 20), new ThinTarget(ws.number(pool), 0)).build());
            ws.say("pool " + pool + ": " + STEP_MIB + " MiB of data space, event below " + LOW_WATER_BLOCKS
                    + " free blocks; thin volume " + thin + ": 256 MiB");

            LinkedBlockingQueue<DeviceEvent> events = new LinkedBlockingQueue<>();
            AtomicInteger growths = new AtomicInteger();
            int[] dataMiB = {STEP_MIB};
            Thread grower = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        events.take();
                        if (StatusReport.parse(ws.dm().status(pool).get(0)) instanceof ThinPoolStatus.Working w
                                && w.totalDataBlocks() - w.usedDataBlocks() <= LOW_WATER_BLOCKS) {
                            dataMiB[0] += STEP_MIB;
                            grow(ws, meta, dataDisk, data, pool, dataMiB[0]);
                            growths.incrementAndGet();
                            ws.say("  low-water event: " + w.usedDataBlocks() + "/" + w.totalDataBlocks()
                                    + " blocks used; grew the pool to " + dataMiB[0] + " MiB");
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    ws.say("  growing failed: " + e.getMessage());
                }
            }, "thin-grower");
            try (AutoCloseable subscription = monitor.subscribe(pool, events::add)) {
                grower.start();
                byte[][] written = new byte[WRITE_MIB][];
                for (int i = 0; i < WRITE_MIB; i++) {
                    written[i] = Workspace.pattern(100 + i, 1 << 20);
                    ws.write(thin, (long) i << 20, written[i]);
                }
                ws.say("wrote " + WRITE_MIB + " MiB to " + thin);
                boolean intact = true;
                for (int i = 0; i < WRITE_MIB; i++) {
                    intact &= Arrays.equals(ws.read(thin, (long) i << 20, 1 << 20), written[i]);
                }
                ws.say("read it back: " + (intact ? "every byte as written" : "DIFFERENT DATA") + "; pool status: "
                        + ws.dm().status(pool).get(0).status());
                return new Result(growths.get(), dataMiB[0], intact);
            } finally {
                grower.interrupt();
                grower.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
    }

    private static Table linear(ScratchDisk disk, int mib) {
        return Table.builder().append(Sectors.ofBytes((long) mib << 20), new LinearTarget(disk.number(), Sectors.ZERO))
                .build();
    }

    private static Table poolTable(Workspace ws, ScratchDisk meta, String data, int mib) throws IOException {
        return Table.builder().append(Sectors.ofBytes((long) mib << 20),
                new ThinPoolTarget(meta.number(), ws.number(data), BLOCK, LOW_WATER_BLOCKS)).build();
    }

    /**
     * LVM's order: suspend the pool without flushing (writes may be queued waiting for space),
     * grow the data device beneath it, then load and resume the pool with its new size.
     */
    private static void grow(Workspace ws, ScratchDisk meta, ScratchDisk dataDisk, String data, String pool, int mib)
            throws IOException {
        ws.dm().suspend(pool, SuspendOption.NO_FLUSH);
        ws.registry().load(data, linear(dataDisk, mib));
        ws.registry().resume(data);
        ws.registry().load(pool, poolTable(ws, meta, data, mib));
        ws.registry().resume(pool);
    }

    public static void main(String[] args) throws Exception {
        Result r = run(System.out);
        System.exit(r.growths() > 0 && r.dataIntact() ? 0 : 1);
    }
}
