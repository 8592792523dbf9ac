package io.dm4j.registry;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.OperationInterruptedException;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keeps the registry equal to the kernel when the two disagree: when another program removed,
 * renamed or reloaded a managed device, and when one of the registry's own kernel calls failed
 * after the kernel had already made the change. The kernel is asked, never guessed: a device that
 * went from its name is followed as renamed only if the kernel shows the same device (its number,
 * and its uuid, or without one its tables' shape) under another name; otherwise it is forgotten.
 * A difference is acted on only as seen by a device list taken with the device's lock held.
 * Every method but {@link #all()} and {@link #created} runs with the device's lock held.
 */
final class Reconciler {
    private final Kernel kernel;
    private final Directory directory;
    private final Reaper reaper;
    private final StackGraph graph;

    Reconciler(Kernel kernel, Directory directory, Reaper reaper, StackGraph graph) {
        this.kernel = kernel;
        this.directory = directory;
        this.reaper = reaper;
        this.graph = graph;
    }

    /**
     * A kernel call answered "no such device" for a managed device: follows where it went and
     * returns the exception that tells the caller.
     */
    IOException notFound(ManagedDevice d, DeviceNotFoundException cause) {
        try {
            Drift drift = follow(d, kernel.list(""));
            if (drift == null) {
                return cause; // still there by its name: the kernel meant something else
            }
            return drift.kind() == Drift.Kind.RENAMED ? new DeviceRenamedException(drift.device(), d.name, cause)
                    : new DeviceVanishedException(drift.device(), cause);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
            return cause;
        }
    }

    /** {@link TableRegistry#reconcile()}: one device list, then each managed device under its lock. */
    List<Drift> all() throws IOException {
        List<DeviceListEntry> kernelList = kernel.list("");
        List<Drift> drifts = new ArrayList<>();
        for (ManagedDevice d : List.copyOf(directory.all())) {
            try {
                d.lock.lockInterruptibly();
            } catch (InterruptedException e) {
                throw new OperationInterruptedException("reconcile", d.name, false,
                        "while waiting for another operation on the device; " + drifts.size() + " changes followed");
            }
            try {
                if (d.state != ManagedDevice.State.ACTIVE) {
                    continue;
                }
                // The first list is only a hint: a create or rename may have come after it.
                Drift moved = listedAsKnown(d, kernelList) ? null : follow(d, kernel.list(""));
                if (moved != null) {
                    drifts.add(moved);
                }
                if (d.state == ManagedDevice.State.ACTIVE) {
                    Drift reloaded = reloaded(d);
                    if (reloaded != null) {
                        drifts.add(reloaded);
                    }
                }
            } catch (DeviceNotFoundException goneMeanwhile) {
                Drift gone = follow(d, kernel.list(""));
                if (gone != null) {
                    drifts.add(gone);
                }
            } finally {
                d.lock.unlock();
            }
        }
        return drifts;
    }

    private static boolean listedAsKnown(ManagedDevice d, List<DeviceListEntry> kernelList) {
        for (DeviceListEntry e : kernelList) {
            if (e.device().equals(d.number) && e.name().equals(d.name)) {
                return true;
            }
        }
        return false;
    }

    /** Follows one device against a device list; null if it is where the registry thinks. */
    Drift follow(ManagedDevice d, List<DeviceListEntry> kernelList) throws IOException {
        DeviceListEntry byNumber = null;
        for (DeviceListEntry e : kernelList) {
            if (e.device().equals(d.number)) {
                byNumber = e;
            }
        }
        String old = d.name;
        if (byNumber != null && byNumber.name().equals(old)) {
            return null;
        }
        if (byNumber != null && !directory.contains(byNumber.name()) && sameDevice(d, byNumber)
                && directory.renamed(d, old, byNumber.name())) {
            return new Drift(old, Drift.Kind.RENAMED, "now managed as " + byNumber.name());
        }
        forget(d);
        return new Drift(old, Drift.Kind.VANISHED, "forgotten");
    }

    /**
     * The same device under another name: the same uuid, or, without one, tables of the same
     * shape (targets, starts and lengths) in both slots. A device made in its place (the kernel
     * reuses a freed number at once) differs in one or the other.
     */
    private boolean sameDevice(ManagedDevice d, DeviceListEntry e) throws IOException {
        if (d.uuid.isPresent() || e.uuid().isPresent()) {
            return d.uuid.equals(e.uuid());
        }
        if (d.live == null && d.inactive == null) {
            return false; // nothing to tell them apart by
        }
        try {
            DeviceInfo info = kernel.info(e.name());
            return sameShape(d.live, info.hasLiveTable() ? kernel.table(e.name(), TableSlot.LIVE) : null)
                    && sameShape(d.inactive, info.hasInactiveTable() ? kernel.table(e.name(), TableSlot.INACTIVE) : null);
        } catch (DeviceNotFoundException goneToo) {
            return false;
        }
    }

    static boolean sameShape(Table t, List<TargetLine> kernelLines) {
        if (t == null || kernelLines == null) {
            return t == null && kernelLines == null;
        }
        return shape(t.lines).equals(shape(kernelLines));
    }

    private static List<String> shape(List<TargetLine> lines) {
        List<String> s = new ArrayList<>(lines.size());
        for (TargetLine l : lines) {
            s.add(l.start() + " " + l.length() + " " + l.type());
        }
        return s;
    }

    /**
     * The device is gone from the kernel: it leaves the registry, no new reference reaches its
     * tables, and each is destroyed now if unheld, else once its holders close.
     */
    void forget(ManagedDevice d) {
        d.state = ManagedDevice.State.GONE;
        directory.forget(d);
        List<Table> slotted = d.slotted();
        d.live = null;
        d.inactive = null;
        reaper.release(slotted);
    }

    /**
     * Makes the slots hold the kernel's tables where another program loaded, resumed or cleared
     * one. Replaced tables are retired, destroyed once unheld.
     */
    Drift reloaded(ManagedDevice d) throws IOException {
        DeviceInfo info = kernel.info(d.name);
        List<TargetLine> live = info.hasLiveTable() ? kernel.table(d.name, TableSlot.LIVE) : null;
        List<TargetLine> inactive = info.hasInactiveTable() ? kernel.table(d.name, TableSlot.INACTIVE) : null;
        List<String> changed = new ArrayList<>();
        if (inactive == null && d.inactive != null && sameShape(d.inactive, live)) {
            // The inactive table went live (a resume that then failed, or another program's):
            // the same Table, with its lines and the devices it uses, not a copy read back.
            Table old = d.live;
            d.live = d.inactive;
            d.inactive = null;
            reaper.retire(old);
            changed.add("live");
        }
        if (!sameShape(d.live, live)) {
            Table old = d.live;
            d.live = live == null ? null : graph.newTable(d, live, directory.all());
            reaper.retire(old);
            changed.add("live");
        }
        if (!sameShape(d.inactive, inactive)) {
            Table old = d.inactive;
            d.inactive = inactive == null ? null : graph.newTable(d, inactive, directory.all());
            reaper.retire(old);
            changed.add("inactive");
        }
        reaper.reap();
        return changed.isEmpty() ? null
                : new Drift(d.name, Drift.Kind.RELOADED, "the " + String.join(" and ", changed)
                        + " table" + (changed.size() > 1 ? "s" : "") + " now as the kernel has them");
    }

    // -------------------------------------------------- after a failed call: did the kernel change?

    /**
     * The exception for an operation that took effect in the kernel and then failed: an
     * interrupt stays an interrupt, anything else is a {@link KernelChangedException}.
     */
    static IOException changed(ManagedDevice d, String operation, String nowState, Throwable failure) {
        if (failure instanceof java.io.InterruptedIOException) {
            OperationInterruptedException e = new OperationInterruptedException(operation, d.name, true,
                    "after the kernel made the change (" + nowState + ")");
            e.initCause(failure);
            return e;
        }
        KernelChangedException changed = new KernelChangedException(d.name, operation, nowState, failure);
        if (failure instanceof Error error) {
            error.addSuppressed(changed); // an Error stays an Error; what happened goes with it
            throw error;
        }
        return changed;
    }


    /**
     * After a failed call: makes the slots hold the kernel's tables if the call changed them
     * before it failed. Null if nothing changed, or if the kernel cannot be asked (that failure
     * then goes with the original one).
     */
    Drift resync(ManagedDevice d, Throwable failure) {
        Drift[] drift = new Drift[1];
        ask(failure, () -> {
            drift[0] = reloaded(d);
            return true;
        });
        return drift[0];
    }

    /** After a failed rename: the kernel has the device under the new name. */
    boolean renamed(ManagedDevice d, String newName, Throwable failure) {
        return ask(failure, () -> kernel.list("").stream()
                .anyMatch(e -> e.device().equals(d.number) && e.name().equals(newName)));
    }

    /** After a failed remove: the kernel no longer lists the device. */
    boolean removed(ManagedDevice d, GoneProbe probe, Throwable failure) {
        return ask(failure, () -> !probe.listed(d));
    }

    /** After a failed create: the kernel has a device by that name and uuid; its info, else null. */
    DeviceInfo created(String name, java.util.Optional<String> uuid, Throwable failure) {
        DeviceInfo[] found = new DeviceInfo[1];
        ask(failure, () -> {
            DeviceInfo info = kernel.info(name);
            found[0] = Objects.equals(info.uuid(), uuid) ? info : null;
            return true;
        });
        return found[0];
    }

    private interface Question {
        boolean answer() throws IOException;
    }

    /** Asks the kernel; if asking fails too, that goes with the original failure and the answer is no. */
    private static boolean ask(Throwable failure, Question q) {
        try {
            return q.answer();
        } catch (DeviceNotFoundException gone) {
            return false;
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
            return false;
        }
    }
}
