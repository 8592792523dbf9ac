package io.dm4j.bench;

import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One cheap, real ioctl through each backend: {@code FIONREAD} on a regular file, which the kernel
 * answers from the inode (size minus file position) without touching the disk. The same call is
 * timed in C by {@code benchmarks/native/ioctl_bench.c}; {@code benchmarks/run} runs both and
 * prints the ratio.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class IoctlBench {

    /** {@code FIONREAD} on Linux (same number as {@code TIOCINQ}): writes the bytes left to read as an {@code int}. */
    static final long FIONREAD = 0x541B;
    /** Size of the file the ioctl is asked about; also what the setup checks the answer against. */
    static final int FILE_SIZE = 4096;

    /**
     * A backend, or {@code ffm-nonblocking}: FFM through {@link Syscalls#ioctlNonBlocking}, the
     * path without the thread-state transition that dm4j takes for requests that cannot sleep.
     */
    @Param({"ffm", "ffm-nonblocking", "jnr", "jna"})
    public String backend;

    private boolean nonBlocking;
    private Syscalls sys;
    private int fd = -1;
    private ByteBuffer buf;
    private Path dir;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("dm4j-bench");
        Path file = dir.resolve("fionread.dat");
        Files.write(file, new byte[FILE_SIZE]);
        nonBlocking = backend.endsWith("-nonblocking");
        sys = Syscalls.get(backend.replace("-nonblocking", ""));
        fd = sys.open(file.toString(), Syscalls.O_RDONLY);
        buf = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        int r = ioctl();
        if (r != 0 || buf.getInt(0) != FILE_SIZE) {
            throw new IllegalStateException(backend + ": FIONREAD returned " + r + " and " + buf.getInt(0)
                    + " bytes, expected 0 and " + FILE_SIZE);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (fd >= 0) {
            sys.close(fd);
            fd = -1;
        }
        if (dir != null) {
            Files.deleteIfExists(dir.resolve("fionread.dat"));
            Files.deleteIfExists(dir);
        }
    }

    /** {@code ioctl(fd, FIONREAD, buf)}; the result is returned so that JMH consumes it. */
    @Benchmark
    public int ioctl() throws ErrnoException {
        return nonBlocking ? sys.ioctlNonBlocking(fd, FIONREAD, buf) : sys.ioctl(fd, FIONREAD, buf);
    }
}
