package io.dm4j.internal.udev;

import io.dm4j.DeviceMapper;
import io.dm4j.NodePolicy;
import io.dm4j.UdevSync;
import io.dm4j.Visibility;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * LVM2's udev cookie (libdm-common.c): a one-semaphore SysV set under the key
 * {@code 0x0D4D << 16 | base} with a random non-zero 16-bit base. The kernel puts the cookie (the
 * low 16 bits of {@code event_nr}, with the udev flags above them) into the uevent as
 * {@code DM_COOKIE}; udev's {@code 95-dm-notify.rules} runs {@code dmsetup udevcomplete}, which
 * decrements the semaphore when udev has finished with the event.
 *
 * <p>The semaphore starts at 1 and goes to 2 before the ioctl. Waiting takes the initial 1 away
 * and waits for zero, which udev's decrement brings. Unlike libdevmapper's wait this one ends at a
 * deadline, and {@link #close} always removes the set.
 *
 * <p>Internal to dm4j, not API: public only for dm4j's own packages; it may change in any release.
 */
public final class UdevCookie implements AutoCloseable {
    /** The upper 16 bits of every cookie's semaphore key: libdevmapper's {@code DM_COOKIE_MAGIC}. */
    public static final int MAGIC = 0x0D4D;
    static final int FLAGS_SHIFT = 16;

    // The udev flags (libdevmapper.h), read by 10-dm.rules through 'dmsetup udevflags'.
    static final int DISABLE_DM_RULES = 0x0001;
    static final int DISABLE_SUBSYSTEM_RULES = 0x0002;
    static final int DISABLE_DISK_RULES = 0x0004;
    static final int DISABLE_OTHER_RULES = 0x0008;
    /** Marks an event as caused by a real activation, not by a trigger or a watch. */
    static final int PRIMARY_SOURCE = 0x0040;

    // Under DeviceMapper's name: that is the logger programs configure for dm4j's client.
    private static final System.Logger LOG = System.getLogger(DeviceMapper.class.getName());
    /** Keys are 16 bits wide: this many collisions in a row means the key space is used up. */
    private static final int MAX_TRIES = 1000;
    /** The wait sleeps in slices this long, so that an interrupt is noticed. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Syscalls sys;
    private final int semid;
    private final int base;

    private UdevCookie(Syscalls sys, int semid, int base) {
        this.sys = sys;
        this.semid = semid;
        this.base = base;
    }

    /**
     * The udev flags for a resume, remove, rename or uuid change. Under {@link NodePolicy#LIBRARY}
     * they keep a udev that does run away from {@code /dev/mapper}, as libdevmapper does when it
     * makes the nodes itself, so that the two do not race.
     *
     * @param policy the node policy in force, {@link NodePolicy#AUTO} resolved
     */
    public static int udevFlags(NodePolicy policy, Visibility visibility) {
        int flags = PRIMARY_SOURCE | switch (visibility) {
            case PUBLIC -> 0;
            case PRIVATE -> DISABLE_SUBSYSTEM_RULES | DISABLE_DISK_RULES | DISABLE_OTHER_RULES;
        };
        return policy == NodePolicy.LIBRARY ? flags | DISABLE_DM_RULES | DISABLE_SUBSYSTEM_RULES : flags;
    }

    /**
     * The {@code event_nr} of a command without a cookie: only the flags, base 0, which
     * {@code dmsetup udevcomplete} accepts without a semaphore.
     */
    public static int flagsOnly(int udevFlags) {
        return udevFlags << FLAGS_SHIFT;
    }

    /**
     * Makes a cookie ready for one ioctl: a fresh semaphore set, at 2.
     *
     * @param randomBase source of candidate bases; only the low 16 bits are used, 0 is skipped
     */
    public static UdevCookie create(Syscalls sys, IntSupplier randomBase) throws ErrnoException {
        for (int tries = 1;; tries++) {
            int base = randomBase.getAsInt() & 0xffff;
            if (base == 0) {
                continue;
            }
            int semid;
            try {
                semid = sys.semget(MAGIC << FLAGS_SHIFT | base, 1, 0600 | Syscalls.IPC_CREAT | Syscalls.IPC_EXCL);
            } catch (ErrnoException e) {
                if (e.is(Errno.EEXIST) && tries < MAX_TRIES) {
                    continue; // another waiter's cookie
                }
                throw e;
            }
            UdevCookie cookie = new UdevCookie(sys, semid, base);
            try {
                sys.semctl(semid, 0, Syscalls.SETVAL, 1);
                sys.semop(semid, 0, 1, (short) 0, -1);
            } catch (ErrnoException e) {
                cookie.close();
                throw e;
            }
            return cookie;
        }
    }

    /** The cookie as udev sees it: {@code 0x0D4D << 16 | base}. */
    public int value() {
        return MAGIC << FLAGS_SHIFT | base;
    }

    /** The {@code event_nr} to send: the udev flags above the base. */
    public int eventNr(int udevFlags) {
        return udevFlags << FLAGS_SHIFT | base;
    }

    /**
     * Waits until udev has completed the event, at most {@code timeoutNanos}. Only after the
     * kernel reported {@code DM_UEVENT_GENERATED_FLAG}: without a uevent nobody would decrement.
     */
    public UdevSync.Outcome await(long timeoutNanos) throws ErrnoException {
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            sys.semop(semid, 0, -1, Syscalls.IPC_NOWAIT, -1);
        } catch (ErrnoException e) {
            if (!e.is(Errno.EAGAIN)) {
                throw e;
            }
            // Already 0: decremented once too often (a late 'udevcomplete' of an earlier cookie
            // with this key). Nothing tells the two apart; the wait for zero returns at once.
        }
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return UdevSync.Outcome.TIMED_OUT;
            }
            if (Thread.currentThread().isInterrupted()) {
                return UdevSync.Outcome.INTERRUPTED;
            }
            try {
                sys.semop(semid, 0, 0, (short) 0, Math.min(left, SLICE_NANOS));
                return UdevSync.Outcome.COMPLETED;
            } catch (ErrnoException e) {
                if (e.is(Errno.EIDRM) || e.is(Errno.EINVAL)) {
                    // Removed under us ('dmsetup udevcomplete_all'): whoever did it released us.
                    return UdevSync.Outcome.COMPLETED;
                }
                if (!e.is(Errno.EAGAIN) && !e.is(Errno.EINTR)) {
                    throw e;
                }
            }
        }
    }

    /** Removes the semaphore set; a late {@code udevcomplete} then finds nothing, which is harmless. */
    @Override
    public void close() {
        try {
            sys.semctl(semid, 0, Syscalls.IPC_RMID, 0);
        } catch (ErrnoException e) {
            if (!e.is(Errno.EINVAL) && !e.is(Errno.EIDRM)) {
                LOG.log(System.Logger.Level.WARNING, "dm4j: could not remove the udev cookie semaphore 0x{0}: {1}",
                        Integer.toHexString(value()), e.getMessage());
            }
        }
    }
}
