package io.dm4j.examples;

import io.dm4j.DeviceNumber;
import io.dm4j.registry.RemoveResult;
import io.dm4j.registry.TableRef;
import io.dm4j.target.LinearTarget;
import io.dm4j.target.Sectors;
import io.dm4j.target.Table;
import io.dm4j.testkit.ScratchDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The scenario behind the kernel's table reference-counting rework (commit d5816876): a stale
 * reference to a table keeps it alive after "dmsetup remove" returned, so the disk beneath stays
 * open and the device's minor number cannot be reused. With dm4j's registry a remove waits for the
 * holder, and returns only when the device is closed and gone: at that moment the disk beneath is
 * already released and the minor number free.
 */
public final class HolderSafeRemove {
    private HolderSafeRemove() {}

    /**
     * @param removeWaitedMillis how long the remove waited for the holder
     * @param diskReleased no device-mapper device held the disk when the remove returned
     * @param minorReused a new device got the removed device's number right away
     */
    public record Result(long removeWaitedMillis, boolean diskReleased, boolean minorReused) {}

    public static Result run(java.io.PrintStream out) throws Exception {
        try (Workspace ws = Workspace.open("holder", out)) {
            ScratchDisk disk = ws.disk("disk", 16);
            Table table = Table.builder().append(Sectors.ofBytes(8 << 20), new LinearTarget(disk.number(), Sectors.ZERO)).build();
            String volume = ws.create("volume", table);
            DeviceNumber number = ws.number(volume);

            CountDownLatch held = new CountDownLatch(1);
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try (TableRef ref = ws.registry().acquire(volume)) {
                    held.countDown();
                    ws.say("reader: holding the live table of " + volume + " (" + ref.lines().get(0) + ") for 1 s");
                    TimeUnit.SECONDS.sleep(1);
                    ws.say("reader: done, letting go");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            held.await();
            ws.say("removing " + volume + " while the reader holds its table...");
            RemoveResult removed = ws.registry().remove(volume);
            reader.join();
            boolean released = holdersOf(disk) == 0;
            ws.say("remove returned after waiting " + removed.waitedForHolders().toMillis() + " ms: " + disk.path()
                    + " is " + (released ? "released" : "STILL HELD"));
            String again = ws.create("again", table);
            boolean reused = ws.number(again).equals(number);
            ws.say("a new device got " + ws.number(again) + (reused ? ", the number the removed one had" : ""));
            return new Result(removed.waitedForHolders().toMillis(), released, reused);
        }
    }

    /** Block devices stacked on the disk, as sysfs lists them. */
    private static long holdersOf(ScratchDisk disk) throws java.io.IOException {
        try (var s = Files.list(Path.of("/sys/class/block", Path.of(disk.path()).getFileName().toString(), "holders"))) {
            return s.count();
        }
    }

    public static void main(String[] args) throws Exception {
        Result r = run(System.out);
        System.exit(r.removeWaitedMillis() > 0 && r.diskReleased() ? 0 : 1);
    }
}
