package io.dm4j.internal.udev;

import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.DmVersion;
import io.dm4j.internal.ioctl.DmIoctl;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Just enough of a kernel to unit-test the udev cookie logic: it answers device-mapper ioctls
 * with a plausible header (and {@code DM_UEVENT_GENERATED_FLAG} for resume, remove and rename
 * when told to), keeps SysV semaphores, and plays udev by decrementing a cookie's semaphore when
 * someone waits for zero on it. Every call is recorded in order. The real kernel and a real udevd
 * test the same behaviour in {@code UdevSyncIT}.
 */
final class FakeKernel implements Syscalls {
    /** One ioctl as the kernel received it. */
    record Ioctl(int command, int flags, int eventNr) {}

    final List<String> calls = new ArrayList<>();
    final List<Ioctl> ioctls = new ArrayList<>();
    /** Live semaphore sets: key by semid, and each one's value. */
    final Map<Integer, Integer> keys = new HashMap<>();
    final Map<Integer, Integer> values = new HashMap<>();

    /** Whether resume, remove and rename replies say a uevent was sent. */
    boolean uevents = true;
    /** Whether "udev" completes cookies; if not, a wait for zero times out. */
    boolean udevResponds = true;
    /** The errno the next uevent-generating ioctl fails with, or 0. */
    int failUeventIoctl;
    /** The errno semget fails with, or 0. */
    int failSemget;
    private int nextSemid = 100;

    @Override
    public String backend() {
        return "fake";
    }

    @Override
    public int open(String path, int flags) {
        return 3;
    }

    @Override
    public void close(int fd) {}

    @Override
    public synchronized int ioctl(int fd, long request, ByteBuffer b) throws ErrnoException {
        int command = (int) (request & 0xff);
        DmIoctl.Header asked = DmIoctl.readHeader(b);
        int flags = asked.flags();
        ioctls.add(new Ioctl(command, flags, asked.eventNr()));
        calls.add("ioctl " + command);
        boolean uevent = command == DmCommand.DM_DEV_SUSPEND.number() || command == DmCommand.DM_DEV_REMOVE.number()
                || command == DmCommand.DM_DEV_RENAME.number();
        if (uevent && failUeventIoctl != 0) {
            int errno = failUeventIoctl;
            failUeventIoctl = 0;
            throw new ErrnoException("ioctl", "fd " + fd, errno);
        }
        DmIoctl.putHeader(b, new DmVersion(4, 47, 0), DmIoctl.SIZE, (flags & ~DmIoctl.SUSPEND_FLAG)
                | DmIoctl.ACTIVE_PRESENT_FLAG | (uevent && uevents ? DmIoctl.UEVENT_GENERATED_FLAG : 0), null, null);
        b.putInt(DmIoctl.EVENT_NR, 0);
        b.putLong(DmIoctl.DEV, new DeviceNumber(253, 7).encode());
        return 0;
    }

    @Override
    public synchronized int semget(int key, int count, int flags) throws ErrnoException {
        calls.add(String.format("semget 0x%08x %o", key, flags));
        if (failSemget != 0) {
            throw new ErrnoException("semget", "key", failSemget);
        }
        if (keys.containsValue(key)) {
            throw new ErrnoException("semget", "key", Errno.EEXIST.number());
        }
        int semid = nextSemid++;
        keys.put(semid, key);
        values.put(semid, 0);
        return semid;
    }

    @Override
    public synchronized int semctl(int semid, int semaphore, int command, int argument) throws ErrnoException {
        calls.add(command == IPC_RMID ? "rmid" : "semctl " + command + " " + argument);
        if (!keys.containsKey(semid)) {
            throw new ErrnoException("semctl", "semid", Errno.EINVAL.number());
        }
        if (command == IPC_RMID) {
            keys.remove(semid);
            values.remove(semid);
        } else if (command == SETVAL) {
            values.put(semid, argument);
        }
        return command == GETVAL ? values.get(semid) : 0;
    }

    @Override
    public void semop(int semid, int semaphore, int operation, short flags, long timeoutNanos)
            throws ErrnoException {
        synchronized (this) {
            calls.add("semop " + operation + ((flags & IPC_NOWAIT) != 0 ? " nowait" : ""));
            Integer value = values.get(semid);
            if (value == null) {
                throw new ErrnoException("semtimedop", "semid", Errno.EINVAL.number());
            }
            if (operation != 0) {
                if (value + operation < 0) {
                    throw new ErrnoException("semtimedop", "semid", Errno.EAGAIN.number());
                }
                values.put(semid, value + operation);
                return;
            }
            if (value > 0 && udevResponds) {
                values.put(semid, --value); // 'dmsetup udevcomplete' ran
            }
            if (value == 0) {
                return;
            }
        }
        try {
            TimeUnit.NANOSECONDS.sleep(Math.min(timeoutNanos, TimeUnit.MILLISECONDS.toNanos(10)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new ErrnoException("semtimedop", "semid", Errno.EAGAIN.number());
    }

    @Override
    public void mknod(String path, int mode, int major, int minor) {
        calls.add("mknod " + path);
    }

    @Override
    public int poll(int[] fds, short[] events, short[] revents, int timeoutMillis) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int eventfd(int initialValue, int flags) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int read(int fd, ByteBuffer destination) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int write(int fd, ByteBuffer source) {
        throw new UnsupportedOperationException();
    }
}
