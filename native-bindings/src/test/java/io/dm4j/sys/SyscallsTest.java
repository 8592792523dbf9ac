package io.dm4j.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The same suite against every backend that this JDK can run. */
class SyscallsTest {
    /** {@code FIONREAD}: bytes readable; on a regular file, size minus offset. */
    private static final long FIONREAD = 0x541BL;
    /** {@code BLKGETSIZE64}: a block-device ioctl, so a regular file answers ENOTTY. */
    private static final long BLKGETSIZE64 = 0x80081272L;

    @TempDir
    Path dir;

    static Stream<Syscalls> backends() {
        return Syscalls.backends().stream().filter(Syscalls.BackendStatus::available)
                .map(s -> Syscalls.get(s.name()));
    }

    @Test
    void everyBackendThisJdkSupportsIsAvailable() {
        int jdk = Runtime.version().feature();
        assertThat(Syscalls.backends()).allSatisfy(s -> {
            boolean expected = !s.name().equals("ffm") || jdk >= 22;
            assertThat(s.available()).as("%s: %s", s.name(), s.unavailableReason()).isEqualTo(expected);
        });
        if (jdk < 22) {
            assertThat(Syscalls.backends().get(0).unavailableReason()).contains("needs JDK 22");
        }
    }

    @Test
    void unknownBackendNamesTheValidChoices() {
        assertThatThrownBy(() -> Syscalls.get("bogus"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bogus")
                .hasMessageContaining("ffm, jnr, jna");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void opensAndClosesARealFile(Syscalls sys) throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "hello");
        int fd = sys.open(file.toString(), Syscalls.O_RDONLY);
        assertThat(fd).isGreaterThan(2);
        sys.close(fd);
        assertThatThrownBy(() -> sys.close(fd))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EBADF");
                    assertThat(e.call()).isEqualTo("close");
                });
    }

    @ParameterizedTest
    @MethodSource("backends")
    void openOfAMissingFileFailsWithEnoent(Syscalls sys) {
        String missing = dir.resolve("missing").toString();
        assertThatThrownBy(() -> sys.open(missing, Syscalls.O_RDONLY))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                    assertThat(e.is(Errno.ENOENT)).isTrue();
                    assertThat(e.subject()).isEqualTo(missing);
                    assertThat(e.getMessage()).contains("open(" + missing + "): ENOENT (No such file or directory)");
                });
    }

    @ParameterizedTest
    @MethodSource("backends")
    void ioctlWritesAtTheBufferPosition(Syscalls sys) throws IOException {
        Path file = Files.write(dir.resolve("data"), new byte[12345]);
        int fd = sys.open(file.toString(), Syscalls.O_RDONLY);
        try {
            ByteBuffer buf = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
            buf.position(8);
            assertThat(sys.ioctl(fd, FIONREAD, buf)).isZero();
            assertThat(buf.getInt(8)).isEqualTo(12345);
            assertThat(buf.getInt(0)).isZero();
        } finally {
            sys.close(fd);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void blockIoctlOnARegularFileFailsWithEnotty(Syscalls sys) throws IOException {
        Path file = Files.write(dir.resolve("data"), new byte[512]);
        int fd = sys.open(file.toString(), Syscalls.O_RDONLY);
        try {
            ByteBuffer buf = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            assertThatThrownBy(() -> sys.ioctl(fd, BLKGETSIZE64, buf))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errnoName()).isEqualTo("ENOTTY"));
        } finally {
            sys.close(fd);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void heapBuffersAndNulBytesAreRejectedBeforeAnyCall(Syscalls sys) {
        assertThatThrownBy(() -> sys.ioctl(0, FIONREAD, ByteBuffer.allocate(8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("direct");
        assertThatThrownBy(() -> sys.open("/tmp/a\0b", Syscalls.O_RDONLY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
    }
}
