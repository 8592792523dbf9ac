package io.dm4j.examples;

import io.dm4j.target.DeviceOffset;
import io.dm4j.target.Sectors;
import io.dm4j.target.StripedTarget;
import io.dm4j.target.Table;
import io.dm4j.testkit.ScratchDisk;
import java.util.Arrays;
import java.util.List;

/**
 * A volume striped over two disks in 64 KiB chunks: chunk 0 on the first disk, chunk 1 on the
 * second, chunk 2 on the first again, and so on. The example writes 8 chunks through the volume
 * and finds each one on the disk and at the offset the striping says.
 */
public final class StripedVolume {
    private StripedVolume() {}

    private static final int CHUNK = 64 * 1024;

    /** How many of the written chunks were found where the striping puts them. */
    public record Result(int chunksWritten, int chunksWhereExpected) {}

    public static Result run(java.io.PrintStream out) throws Exception {
        try (Workspace ws = Workspace.open("striped", out)) {
            List<ScratchDisk> disks = List.of(ws.disk("a", 16), ws.disk("b", 16));
            Table table = Table.builder().append(Sectors.ofBytes(16 << 20), new StripedTarget(Sectors.ofBytes(CHUNK),
                    disks.stream().map(d -> new DeviceOffset(d.number(), Sectors.ZERO)).toList())).build();
            String volume = ws.create("volume", table);
            ws.say("created " + volume + ": " + table.format().strip());

            int chunks = 8;
            byte[] data = Workspace.pattern(2, chunks * CHUNK);
            ws.write(volume, 0, data);
            int found = 0;
            for (int i = 0; i < chunks; i++) {
                ScratchDisk disk = disks.get(i % disks.size());
                long offset = (long) (i / disks.size()) * CHUNK;
                byte[] expected = Arrays.copyOfRange(data, i * CHUNK, (i + 1) * CHUNK);
                boolean there = Arrays.equals(ws.read(disk, offset, CHUNK), expected);
                found += there ? 1 : 0;
                ws.say("chunk " + i + " -> " + disk.path() + " at " + offset / 1024 + " KiB: " + (there ? "found" : "MISSING"));
            }
            return new Result(chunks, found);
        }
    }

    public static void main(String[] args) throws Exception {
        Result r = run(System.out);
        System.exit(r.chunksWhereExpected() == r.chunksWritten() ? 0 : 1);
    }
}
