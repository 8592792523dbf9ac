package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.internal.ioctl.DmIoctl;
import io.dm4j.registry.TableRegistry;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import io.dm4j.testing.BadInputCorpus;
import io.dm4j.testing.ReliabilityLog;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The API cases of the bad-input corpus that dm4j must refuse by itself, against a fake kernel
 * that answers only {@code DM_VERSION}: each raises its typed error and issues no ioctl.
 * {@link BadInputCorpusIT} runs every case, the kernel's included, on the real kernel.
 */
class BadInputCorpusTest {

    /** A control node that answers DM_VERSION (interface 4.47.0) and fails every other ioctl. */
    static Syscalls versionOnlyKernel() {
        return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "backend" -> "fake";
                    case "open" -> 1000;
                    case "close" -> null;
                    case "ioctl", "ioctlNonBlocking" -> {
                        if ((Long) args[1] != DmIoctl.request(DmCommand.DM_VERSION)) {
                            throw new ErrnoException("ioctl", "fake control node", Errno.ENOTTY.number());
                        }
                        DmIoctl.putHeader((ByteBuffer) args[2], new DmVersion(4, 47, 0), DmIoctl.SIZE, 0, null, null);
                        yield 0;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void everyLocallyCheckableCaseIsRefusedWithItsTypedErrorAndNoIoctl() throws Exception {
        List<BadInputCorpus.Case> local = BadInputCorpus.load("api").stream().filter(BadInputCorpus.Case::local)
                .toList();
        assertThat(local).hasSizeGreaterThan(200);
        try (DeviceMapper dm = DeviceMapper.open(Path.of("/nonexistent/control"), versionOnlyKernel(),
                NodePolicy.NONE); TableRegistry registry = TableRegistry.open(dm)) {
            BadInputRunner runner = new BadInputRunner(dm, registry, Map.of("dev", "corpus-dev", "devuuid",
                    "corpus-uuid", "missing", "corpus-missing", "missing2", "corpus-missing2", "loop", "7:0"));
            long before = dm.ioctlCount();
            List<String> mismatches = local.stream().map(runner::run).map(BadInputRunner.Outcome::mismatch)
                    .filter(Objects::nonNull).toList();
            assertThat(mismatches).isEmpty();
            assertThat(dm.ioctlCount()).as("ioctls over the whole corpus").isEqualTo(before);
            ReliabilityLog.of("bad-input-unit").put("cases", local.size()).put("mismatches", mismatches.size())
                    .put("ioctls", dm.ioctlCount() - before).write();
        }
    }
}
