package io.dm4j.registry;

import io.dm4j.DeviceBusyException;
import io.dm4j.DeviceFlag;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.OperationInterruptedException;
import io.dm4j.RemoveOutcome;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The kernel's remove, retried with back-off while another process keeps the device open
 * ({@code EBUSY}), and deferred at the deadline if the policy says so. Until the kernel accepts
 * it nothing has changed, so an interrupt or a close during the back-off just stops.
 */
final class Remover {
    /** How the kernel accepted the remove. */
    record KernelRemoval(int busyRetries, boolean deferred) {}

    private final Kernel kernel;
    private final BooleanSupplier closing;

    Remover(Kernel kernel, BooleanSupplier closing) {
        this.kernel = kernel;
        this.closing = closing;
    }

    KernelRemoval remove(ManagedDevice d, RemovePolicy policy) throws IOException {
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
