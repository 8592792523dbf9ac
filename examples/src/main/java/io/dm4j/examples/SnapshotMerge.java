package io.dm4j.examples;

import io.dm4j.SuspendOption;
import io.dm4j.target.LinearTarget;
import io.dm4j.target.Sectors;
import io.dm4j.target.SnapshotOriginTarget;
import io.dm4j.target.SnapshotTarget;
import io.dm4j.target.Table;
import io.dm4j.status.SnapshotStatus;
import io.dm4j.status.StatusReport;
import io.dm4j.testkit.ScratchDisk;
import java.util.Arrays;

/**
 * A classic (non-thin) snapshot and its merge back into the origin, the way LVM does it: write to
 * the snapshot and see the origin unchanged; then turn the origin into a {@code snapshot-merge}
 * device, wait until the kernel has copied every changed chunk back, and find the snapshot's
 * data in the origin, and on the disk beneath it.
 */
public final class SnapshotMerge {
    private SnapshotMerge() {}

    /** Whether the origin kept its data while the snapshot diverged, and holds the snapshot's after the merge. */
    public record Result(boolean originUnchangedBeforeMerge, boolean mergedIntoOrigin, int statusPolls) {}

    public static Result run(java.io.PrintStream out) throws Exception {
        try (Workspace ws = Workspace.open("snapmerge", out)) {
            ScratchDisk data = ws.disk("data", 16);
            ScratchDisk cow = ws.disk("cow", 8);
            Sectors size = Sectors.ofBytes(16 << 20);
            byte[] before = Workspace.pattern(4, 64 * 1024);
            byte[] after = Workspace.pattern(5, 64 * 1024);

            String plain = ws.create("plain", Table.builder().append(size, new LinearTarget(data.number(), Sectors.ZERO)).build());
            ws.write(plain, 0, before);
            ws.remove(plain);
            ws.say("wrote the original data, then put an origin and a snapshot over the disk");

            String origin = ws.create("origin", Table.builder().append(size, new SnapshotOriginTarget(data.number())).build());
            SnapshotTarget snapshot = new SnapshotTarget(data.number(), cow.number(), Sectors.of(8));
            String snap = ws.create("snap", Table.builder().append(size, snapshot).build());
            ws.write(snap, 0, after);
            boolean originKept = Arrays.equals(ws.read(origin, 0, before.length), before);
            ws.say("wrote new data to " + snap + "; the origin " + (originKept ? "still has" : "LOST") + " the original; "
                    + "snapshot status: " + ws.dm().status(snap).get(0).status());

            // The merge: the snapshot device goes, and the origin's table becomes snapshot-merge.
            ws.dm().suspend(snap);
            ws.dm().suspend(origin);
            ws.remove(snap);
            ws.registry().load(origin, Table.builder().append(size, snapshot.merging()).build());
            ws.registry().resume(origin);
            int polls = 0;
            while (!(StatusReport.parse(ws.dm().status(origin).get(0)) instanceof SnapshotStatus.Working w && w.merged())) {
                if (++polls > 600) {
                    throw new IllegalStateException("the merge did not finish within a minute");
                }
                Thread.sleep(100);
            }
            ws.say("merge finished after " + polls + " status polls: " + ws.dm().status(origin).get(0).status());
            // Done merging: the origin becomes a plain mapping of the disk again.
            ws.dm().suspend(origin, SuspendOption.NO_FLUSH);
            ws.registry().load(origin, Table.builder().append(size, new LinearTarget(data.number(), Sectors.ZERO)).build());
            ws.registry().resume(origin);
            boolean merged = Arrays.equals(ws.read(origin, 0, after.length), after)
                    && Arrays.equals(ws.read(data, 0, after.length), after);
            ws.say("the origin and the disk beneath now hold " + (merged ? "the snapshot's data" : "THE WRONG DATA"));
            return new Result(originKept, merged, polls);
        }
    }

    public static void main(String[] args) throws Exception {
        Result r = run(System.out);
        System.exit(r.originUnchangedBeforeMerge() && r.mergedIntoOrigin() ? 0 : 1);
    }
}
