package io.dm4j.registry;

import io.dm4j.DeviceBusyException;
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
                        return new KernelRemoval(retries, kernel.removeDeferred(d.name) == RemoveOutcome.DEFERRED);
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
