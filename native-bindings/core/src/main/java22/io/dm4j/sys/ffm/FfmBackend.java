package io.dm4j.sys.ffm;

import io.dm4j.sys.spi.NativeBackend;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;

/**
 * The Foreign Function and Memory API binding (JDK 22+). errno is captured by the linker as part
 * of each call, into a per-thread segment, so nothing in between can overwrite it. A successful
 * call allocates nothing.
 */
final class FfmBackend extends NativeBackend {

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(PathElement.groupElement("errno"));

    private final MethodHandle open;
    private final MethodHandle close;
    private final MethodHandle mknod;
    private final MethodHandle ioctl;
    private final MethodHandle ioctlCritical;
    private final MethodHandle poll;
    private final MethodHandle eventfd;
    private final MethodHandle read;
    private final MethodHandle write;
    private final MethodHandle semget;
    private final MethodHandle semctl;
    private final MethodHandle semtimedop;
    private final MethodHandle socket;
    private final MethodHandle bind;
    private final MethodHandle setsockopt;
    private final ThreadLocal<MemorySegment> captureState =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    FfmBackend() {
        Module module = FfmBackend.class.getModule();
        if (!module.isNativeAccessEnabled()) {
            // Checked first: creating a downcall without it prints a multi-line JDK warning.
            throw new IllegalStateException("native access is not enabled: run java with --enable-native-access="
                    + (module.isNamed() ? module.getName() : "ALL-UNNAMED"));
        }
        Linker linker = Linker.nativeLinker();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        // open and ioctl are variadic in C: the third argument is the first variadic one.
        open = downcall(linker, "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                errno, Linker.Option.firstVariadicArg(2));
        close = downcall(linker, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
        mknod = downcall(linker, "mknod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG), errno);
        // Buffer arguments travel as plain 64-bit addresses: a MemorySegment passed to the call
        // escapes and costs an allocation per call, its address does not (Linux LP64 ABIs pass
        // both in the same integer register). The callers keep the buffers reachable.
        ioctl = downcall(linker, "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
                errno, Linker.Option.firstVariadicArg(2));
        // The same call without the thread-state transition, only for requests that cannot sleep
        // for long (ioctlNonBlocking): while it runs, a safepoint waits for it. No heap access:
        // the buffers are native.
        ioctlCritical = downcall(linker, "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
                errno, Linker.Option.firstVariadicArg(2), Linker.Option.critical(false));
        poll = downcall(linker, "poll", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), errno);
        eventfd = downcall(linker, "eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
        read = downcall(linker, "read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), errno);
        write = downcall(linker, "write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), errno);
        semget = downcall(linker, "semget", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno);
        // semctl is variadic: the fourth argument is a union semun, passed here as its int member.
        semctl = downcall(linker, "semctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno,
                Linker.Option.firstVariadicArg(3));
        semtimedop = downcall(linker, "semtimedop",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), errno);
        socket = downcall(linker, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno);
        // socklen_t is a 32-bit unsigned int: JAVA_INT.
        bind = downcall(linker, "bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT), errno);
        setsockopt = downcall(linker, "setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT), errno);
    }

    private static MethodHandle downcall(Linker linker, String name, FunctionDescriptor descriptor,
            Linker.Option... options) {
        MemorySegment symbol = linker.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no symbol " + name));
        return linker.downcallHandle(symbol, descriptor, options);
    }

    @Override
    public String backend() {
        return "ffm";
    }

    /** The native address of a direct buffer's position. */
    private static long address(ByteBuffer buffer) {
        return MemorySegment.ofBuffer(buffer).address();
    }

    private int result(int r, MemorySegment state) {
        return r < 0 ? -(int) ERRNO.get(state, 0L) : r;
    }

    @Override
    protected int rawOpen(byte[] path, int flags) {
        MemorySegment state = captureState.get();
        try (Arena arena = Arena.ofConfined()) {
            return result((int) open.invokeExact(state, arena.allocateFrom(JAVA_BYTE, path), flags, 0), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected int rawMknod(byte[] path, int mode, long dev) {
        MemorySegment state = captureState.get();
        try (Arena arena = Arena.ofConfined()) {
            return result((int) mknod.invokeExact(state, arena.allocateFrom(JAVA_BYTE, path), mode, dev), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected int rawClose(int fd) {
        MemorySegment state = captureState.get();
        try {
            return result((int) close.invokeExact(state, fd), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected int rawIoctl(int fd, long request, ByteBuffer argument) {
        return ioctlThrough(ioctl, fd, request, argument);
    }

    @Override
    protected int rawIoctlNonBlocking(int fd, long request, ByteBuffer argument) {
        return ioctlThrough(ioctlCritical, fd, request, argument);
    }

    private int ioctlThrough(MethodHandle call, int fd, long request, ByteBuffer argument) {
        MemorySegment state = captureState.get();
        try {
            return result((int) call.invokeExact(state, fd, request, address(argument)), state);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(argument);
        }
    }

    @Override
    protected int rawPoll(ByteBuffer pollfds, int count, int timeoutMillis) {
        MemorySegment state = captureState.get();
        try {
            return result((int) poll.invokeExact(state, address(pollfds), (long) count, timeoutMillis), state);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(pollfds);
        }
    }

    @Override
    protected int rawEventfd(int initialValue, int flags) {
        MemorySegment state = captureState.get();
        try {
            return result((int) eventfd.invokeExact(state, initialValue, flags), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected long rawRead(int fd, ByteBuffer buffer) {
        return transfer(read, fd, buffer);
    }

    @Override
    protected long rawWrite(int fd, ByteBuffer buffer) {
        return transfer(write, fd, buffer);
    }

    /** {@code read} and {@code write} share a signature: (fd, address, count) -> ssize_t. */
    private long transfer(MethodHandle call, int fd, ByteBuffer buffer) {
        MemorySegment state = captureState.get();
        try {
            long r = (long) call.invokeExact(state, fd, address(buffer), (long) buffer.remaining());
            return r < 0 ? -(int) ERRNO.get(state, 0L) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(buffer);
        }
    }

    @Override
    protected int rawSemget(int key, int count, int flags) {
        MemorySegment state = captureState.get();
        try {
            return result((int) semget.invokeExact(state, key, count, flags), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected int rawSemctl(int semid, int semaphore, int command, int argument) {
        MemorySegment state = captureState.get();
        try {
            return result((int) semctl.invokeExact(state, semid, semaphore, command, argument), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected int rawSemtimedop(int semid, ByteBuffer sembufAndTimeout, boolean withTimeout) {
        MemorySegment state = captureState.get();
        long base = address(sembufAndTimeout);
        try {
            return result((int) semtimedop.invokeExact(state, semid, base, 1L, withTimeout ? base + TIMESPEC_OFFSET : 0L),
                    state);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(sembufAndTimeout);
        }
    }

    @Override
    protected int rawSocket(int domain, int type, int protocol) {
        MemorySegment state = captureState.get();
        try {
            return result((int) socket.invokeExact(state, domain, type, protocol), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected int rawBind(int fd, ByteBuffer address) {
        MemorySegment state = captureState.get();
        try {
            return result((int) bind.invokeExact(state, fd, address(address), address.remaining()), state);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(address);
        }
    }

    @Override
    protected int rawSetsockopt(int fd, int level, int option, ByteBuffer value) {
        MemorySegment state = captureState.get();
        try {
            return result((int) setsockopt.invokeExact(state, fd, level, option, address(value), value.remaining()),
                    state);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(value);
        }
    }

    /** Downcalls throw nothing checked; anything else is a bug in the binding itself. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
