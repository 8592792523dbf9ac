package io.dm4j.registry;

import io.dm4j.DeviceBusyException;
import io.dm4j.DeviceFlag;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.OperationInterruptedException;
import io.dm4j.RemoveOutcome;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A managed device's remove, from refusing new references to the device being gone: waits for
 * holders, then the kernel's remove, retried with back-off while another process keeps the device
 * open ({@code EBUSY}) and deferred at the deadline if the policy says so, then waits until it is
 * gone, and destroys its tables. Until the kernel accepts the remove nothing has changed, so an
 * interrupt, a timeout or a close before that restores the device; after it, the device is
 * forgotten and the failure says so. Also takes back a create that failed half-way.
 */
final class Remover {
    /** How the kernel accepted the remove. */
    record KernelRemoval(int busyRetries, boolean deferred) {}

    private final Kernel kernel;
    private final Directory directory;
    private final Reaper reaper;
    private final GoneProbe probe;
    private final Reconciler reconciler;
    private final Duration destroyTimeout;
    private final BooleanSupplier closing;

    Remover(Kernel kernel, Directory directory, Reaper reaper, Reconciler reconciler, Duration destroyTimeout) {
        this.kernel = kernel;
        this.directory = directory;
        this.reaper = reaper;
        this.probe = new GoneProbe(kernel);
        this.reconciler = reconciler;
        this.destroyTimeout = destroyTimeout;
        this.closing = directory::isClosed;
    }

    /**
     * A create that failed after the kernel device was made and published: the device leaves the
     * registry and the kernel. Its tables are destroyed once any holder that found them (an
     * acquire of the inactive table, say) closes. If the kernel will not remove it, it stays
     * managed as the kernel has it, and the failure says so.
     */
    void rollBackCreate(ManagedDevice d, Throwable failure) {
        d.startRemoving(); // (or closed meanwhile: the kernel device goes all the same)
        List<Table> tables = d.slotted();
        tables.addAll(reaper.retiredOf(d));
        try {
            for (Table t : tables) {
                t.holders.close();
            }
            d.channels.close();
            // Whoever found the new table meanwhile may keep it a moment; the remove goes on after
            // the wait either way, and a table still held is destroyed when its holder closes.
            awaitHolders(d, tables, Reaper.deadline(destroyTimeout));
        } catch (IOException | RuntimeException | Error e) {
            failure.addSuppressed(e);
        }
        try {
            kernelRemove(d, RemovePolicy.defaults());
        } catch (IOException | RuntimeException | Error e) {
            failure.addSuppressed(e);
            if (reconciler.removed(d, probe, e)) {
                reconciler.forget(d); // removed all the same (a udev wait failed after the ioctl)
                return;
            }
            restore(d);
            try {
                reconciler.reloaded(d);
            } catch (IOException | RuntimeException | Error again) {
                failure.addSuppressed(again);
            }
            failure.addSuppressed(new RegistryException(d.name,
                    "could not be removed again after the failed create: it stays managed as the kernel has it"));
            return;
        }
        reconciler.forget(d);
    }

    /** The kernel made a device the registry will not manage: remove it again. */
    void removeStray(ManagedDevice stray, Throwable failure) {
        try {
            kernelRemove(stray, RemovePolicy.defaults());
        } catch (IOException | RuntimeException | Error e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Removes the device (its lock held). However it ends, the device is left ACTIVE (nothing
     * changed) or GONE (forgotten), never REMOVING.
     */
    RemoveResult remove(ManagedDevice d, RemovePolicy policy) throws IOException {
        reaper.reap(); // a fixed point: tables retired by others may have drained, releasing this device
        try {
            return removeUnderWay(d, policy);
        } finally {
            if (d.state == ManagedDevice.State.REMOVING) {
                restore(d); // a path that neither restored nor finished: an Error from below, say
            }
        }
    }

    private RemoveResult removeUnderWay(ManagedDevice d, RemovePolicy policy) throws IOException {
        long start = System.nanoTime();
        // 1. From here on every acquire fails and stacked loads wait; then no table may use it.
        if (!d.startRemoving()) {
            throw new RegistryClosedException(d.name, false); // the only other move under our lock
        }
        List<Table> tables = d.slotted();
        try {
            StackGraph.checkUnused(d);
            tables.addAll(reaper.retiredOf(d));
            for (Table t : tables) {
                t.holders.close();
            }
            d.channels.close();
            awaitHolders(d, tables, Reaper.deadline(policy.holderTimeout()));
        } catch (IOException | RuntimeException | Error e) {
            restore(d);
            throw e;
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        // 2. The kernel's remove, retried while something else keeps the device open.
        KernelRemoval removal;
        try {
            removal = kernelRemove(d, policy);
        } catch (IOException | RuntimeException | Error e) {
            if (e instanceof DeviceNotFoundException nf) {
                restore(d);
                throw reconciler.notFound(d, nf);
            }
            if (!reconciler.removed(d, probe, e)) {
                restore(d);
                throw e;
            }
            reconciler.forget(d);
            throw Reconciler.changed(d, "remove", "it is removed; the registry forgot it", e);
        }
        // 3-4. Gone from the kernel's list, and its nodes gone.
        String remains;
        try {
            remains = probe.awaitGone(d, Reaper.deadline(policy.goneTimeout()), closing);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // kept whatever the cancel below throws
            if (removal.deferred() && cancelDeferred(d)) {
                throw new OperationInterruptedException("remove", d.name, false,
                        "while the deferred remove waited for the device's last opener; it was cancelled");
            }
            reconciler.forget(d);
            throw new OperationInterruptedException("remove", d.name, true,
                    "while waiting for its nodes to go; the registry forgot it");
        } catch (IOException | RuntimeException | Error e) {
            if (removal.deferred() && cancelDeferred(d)) {
                throw e;
            }
            reconciler.forget(d);
            throw Reconciler.changed(d, "remove", "it is removed; the registry forgot it", e);
        }
        if (remains == GoneProbe.CLOSING) {
            if (removal.deferred() && cancelDeferred(d)) {
                throw new RegistryClosedException(d.name, false); // the scheduled remove taken back
            }
            reconciler.forget(d);
            throw new RegistryClosedException(d.name, true);
        }
        if (remains != null) {
            if (removal.deferred() && cancelDeferred(d)) {
                throw new RemoveFailedException(d.name, "still open when the deferred remove's deadline passed;"
                        + " the deferred remove was cancelled", kernel.openers(d.number), false, null);
            }
            // The kernel did remove it; only a node or sysfs entry lingers. The device is no
            // longer ours to manage: finish the Java side, then report what lingers.
            reconciler.forget(d);
            throw new RemoveFailedException(d.name, "the kernel removed it but " + remains, List.of(), true, null);
        }
        // 5. Destructors: release the managed devices the tables used.
        reconciler.forget(d);
        return new RemoveResult(d.name, d.number, waited, removal.busyRetries(), removal.deferred());
    }

    /** Waits for the device's holders and channels; a timeout, interrupt or close changes nothing. */
    private void awaitHolders(ManagedDevice d, List<Table> tables, long deadline) throws IOException {
        try {
            for (Table t : tables) {
                if (!reaper.awaitDrained(t.holders, t.tracked, deadline)) {
                    throw drainFailed(d, t.holders, t.tracked);
                }
            }
            if (!reaper.awaitDrained(d.channels, d.trackedChannels, deadline)) {
                throw drainFailed(d, d.channels, d.trackedChannels);
            }
        } catch (InterruptedException e) {
            throw new OperationInterruptedException("remove", d.name, false, "while waiting for holders to close");
        }
    }

    private RegistryException drainFailed(ManagedDevice d, Holders holders, HoldSet tracked) {
        return closing.getAsBoolean() ? new RegistryClosedException(d.name, false)
                : Reaper.timeout(d.name, "remove", holders, tracked, false);
    }

    /**
     * Takes a scheduled deferred remove back. True if it was taken back (the device stays, and
     * the registry restored it); false if the device went meanwhile.
     */
    private boolean cancelDeferred(ManagedDevice d) throws IOException {
        try {
            kernel.cancelDeferredRemove(d.name);
        } catch (DeviceNotFoundException e) {
            if (!reconciler.removed(d, probe, e)) {
                throw stillScheduled(d, e);
            }
            try {
                kernel.mknodes(d.name);
            } catch (IOException | RuntimeException nodeLingers) {
                e.addSuppressed(nodeLingers); // the node check that follows reports it
            }
            return false;
        } catch (IOException | RuntimeException | Error e) {
            throw stillScheduled(d, e);
        }
        restore(d);
        return true;
    }

    /**
     * A deferred remove that could not be taken back: the device stays managed, as the kernel
     * still has it, until it goes (then the next touch or {@link TableRegistry#reconcile()} forgets it).
     */
    private IOException stillScheduled(ManagedDevice d, Throwable failure) {
        restore(d);
        return Reconciler.changed(d, "remove", "a deferred remove is still scheduled: the kernel removes the device when"
                + " its last opener closes", failure);
    }

    /** A remove that did not happen: references can be taken again. */
    static void restore(ManagedDevice d) {
        for (Table t : d.slotted()) {
            t.holders.reopen();
        }
        d.channels.reopen();
        d.restore();
    }

    /** The kernel's part: until it accepts, nothing has changed. */
    private KernelRemoval kernelRemove(ManagedDevice d, RemovePolicy policy) throws IOException {
        long deadline = Reaper.deadline(policy.busyTimeout());
        long backoffMillis = 10;
        int retries = 0;
        while (true) {
            try {
                kernel.remove(d.name);
                return new KernelRemoval(retries, false);
            } catch (DeviceBusyException busy) {
                if (System.nanoTime() - deadline >= 0) {
                    // The kernel removes at once a device that closed meanwhile: that is a plain remove.
                    if (policy.deferOnBusy()) {
                        return new KernelRemoval(retries, deferred(d));
                    }
                    throw new RemoveFailedException(d.name, "still busy after " + retries + " retries ("
                            + policy.busyTimeout().toMillis() + " ms)", kernel.openers(d.number), false, busy);
                }
                retries++;
                pause(d, backoffMillis, "while the kernel answered EBUSY (the device is open)");
                backoffMillis = Math.min(200, backoffMillis * 2);
            }
        }
    }

    /**
     * Asks for a deferred remove. If that fails after the kernel scheduled it (the udev wait, the
     * node), it is taken back, so that a failed remove leaves nothing scheduled.
     */
    private boolean deferred(ManagedDevice d) throws IOException {
        try {
            return kernel.removeDeferred(d.name) == RemoveOutcome.DEFERRED;
        } catch (IOException | RuntimeException | Error e) {
            try {
                if (kernel.info(d.name).flags().contains(DeviceFlag.DEFERRED_REMOVE)) {
                    kernel.cancelDeferredRemove(d.name);
                }
            } catch (DeviceNotFoundException removedAtOnce) {
                // it was not open any more: removed, which the caller finds out
            } catch (IOException | RuntimeException | Error again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    /** Sleeps between retries; an interrupt or a close ends the remove with nothing changed. */
    private void pause(ManagedDevice d, long millis, String what) throws IOException {
        if (closing.getAsBoolean()) {
            throw new RegistryClosedException(d.name, false);
        }
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            throw new OperationInterruptedException("remove", d.name, false, what);
        }
    }
}
