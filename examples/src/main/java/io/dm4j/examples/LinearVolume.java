package io.dm4j.examples;

import io.dm4j.target.LinearTarget;
import io.dm4j.target.Sectors;
import io.dm4j.target.Table;
import io.dm4j.testkit.ScratchDisk;
import java.util.Arrays;

/**
 * The simplest mapping: a 16 MiB device whose sector 0 is sector 2048 (1 MiB in) of a disk.
 * Writes through the device land exactly there on the disk.
 */
public final class LinearVolume {
    private LinearVolume() {}

    /** What happened: whether the data read back from the disk, 1 MiB in, is what was written. */
    public record Result(String device, String table, boolean landedWhereMapped) {}

    public static Result run(java.io.PrintStream out) throws Exception {
        try (Workspace ws = Workspace.open("linear", out)) {
            ScratchDisk disk = ws.disk("disk", 32);
            Table table = Table.builder()
                    .append(Sectors.ofBytes(16 << 20), new LinearTarget(disk.number(), Sectors.ofBytes(1 << 20)))
                    .build();
            String volume = ws.create("volume", table);
            ws.say("created " + volume + ": " + table.format().strip());

            byte[] data = Workspace.pattern(1, 64 * 1024);
            ws.write(volume, 0, data);
            boolean landed = Arrays.equals(ws.read(disk, 1 << 20, data.length), data);
            ws.say("wrote 64 KiB at the start of " + volume + "; read from " + disk.path() + " at 1 MiB: "
                    + (landed ? "the same bytes" : "DIFFERENT bytes"));
            return new Result(volume, table.format().strip(), landed);
        }
    }

    public static void main(String[] args) throws Exception {
        Result r = run(System.out);
        System.exit(r.landedWhereMapped() ? 0 : 1);
    }
}
