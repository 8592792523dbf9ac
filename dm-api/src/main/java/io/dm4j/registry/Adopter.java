package io.dm4j.registry;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Takes over kernel devices: reads each one's state and tables, builds the whole managed device
 * (tables included, stacked references among the adopted resolved) and only then publishes it, so
 * no operation ever sees a half-adopted device.
 */
final class Adopter {
    private final Kernel kernel;
    private final Directory directory;
    private final StackGraph graph;
    private final Ledger ledger;
    private final boolean track;

    Adopter(Kernel kernel, Directory directory, StackGraph graph, Ledger ledger, boolean track) {
        this.kernel = kernel;
        this.directory = directory;
        this.graph = graph;
        this.ledger = ledger;
        this.track = track;
    }

    private record Found(ManagedDevice device, List<TargetLine> live, List<TargetLine> inactive) {}

    List<String> adopt(String uuidPrefix) throws IOException {
        List<Found> found = new ArrayList<>();
        for (DeviceListEntry e : kernel.list(uuidPrefix)) {
            if (directory.contains(e.name())) {
                continue;
            }
            try {
                DeviceInfo info = kernel.info(e.name());
                found.add(new Found(new ManagedDevice(ledger, e.name(), info.device(), info.uuid(),
                        kernel.recordedVisibility(info.device()), track),
                        info.hasLiveTable() ? kernel.table(e.name(), TableSlot.LIVE) : null,
                        info.hasInactiveTable() ? kernel.table(e.name(), TableSlot.INACTIVE) : null));
            } catch (DeviceNotFoundException gone) {
                // removed meanwhile
            }
        }
        // Tables after all devices, so that stacked references among them resolve.
        List<ManagedDevice> candidates = new ArrayList<>(directory.all());
        found.forEach(f -> candidates.add(f.device()));
        try {
            for (Found f : found) {
                ManagedDevice d = f.device();
                d.live = table(d, f.live(), candidates);
                d.inactive = table(d, f.inactive(), candidates);
            }
        } catch (IOException | RuntimeException | Error e) {
            found.forEach(f -> drop(f.device()));
            throw e;
        }
        List<String> adopted = new ArrayList<>();
        RegistryClosedException closed = null;
        for (Found f : found) {
            ManagedDevice d = f.device();
            try {
                directory.publish(d);
            } catch (RegistryException takenOrClosed) {
                drop(d);
                if (takenOrClosed instanceof RegistryClosedException c) {
                    closed = c;
                }
                continue;
            }
            adopted.add(d.name);
        }
        if (closed != null) {
            throw closed;
        }
        for (String name : adopted) {
            kernel.mknodes(name);
        }
        return adopted;
    }

    /** A device that will not be published: its tables are destroyed, never having been reachable. */
    private static void drop(ManagedDevice d) {
        d.state = ManagedDevice.State.GONE;
        for (Table t : d.slotted()) {
            if (!t.isDestroyed()) {
                t.destroy();
            }
        }
    }

    private Table table(ManagedDevice d, List<TargetLine> lines, Collection<ManagedDevice> candidates)
            throws IOException {
        return lines == null ? null : graph.newTable(d, lines, candidates);
    }
}
