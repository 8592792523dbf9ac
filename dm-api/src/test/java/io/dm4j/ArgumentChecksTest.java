package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The public argument checks are the ones the commands make before their first ioctl: a program
 * (dmctl) that calls them before it opens the control node refuses the same arguments with the
 * same error. The commands run against a fake kernel that answers only {@code DM_VERSION}.
 */
class ArgumentChecksTest {
    private static void sameRefusal(ThrowingCallable check, ThrowingCallable command) {
        Throwable expected = catchThrowable(command);
        assertThat(expected).isInstanceOf(InvalidArgumentException.class);
        assertThat(catchThrowable(check)).isInstanceOf(expected.getClass()).hasMessage(expected.getMessage());
    }

    @Test
    void uuidEventNumberAndMessageChecksRefuseWhatTheCommandsRefuse() throws Exception {
        try (DeviceMapper dm = DeviceMapper.open(Path.of("/nonexistent/control"),
                BadInputCorpusTest.versionOnlyKernel(), NodePolicy.NONE)) {
            for (String uuid : List.of("", "u".repeat(129), "u\tv", "a\0b")) {
                sameRefusal(() -> DeviceMapper.checkUuid(uuid), () -> dm.setUuid("dev", uuid));
            }
            for (long eventNr : List.of(-1L, 1L << 32)) {
                sameRefusal(() -> DeviceMapper.checkEventNr(eventNr),
                        () -> dm.awaitEvent("dev", eventNr, Duration.ZERO));
            }
            sameRefusal(() -> DeviceMapper.checkMessage(-1, "hello"), () -> dm.message("dev", -1, "hello"));
            sameRefusal(() -> DeviceMapper.checkMessage(0, ""), () -> dm.message("dev", 0, ""));
            sameRefusal(() -> DeviceMapper.checkMessage(0, "a\0b"), () -> dm.message("dev", 0, "a\0b"));
        }
        assertThatCode(() -> {
            DeviceMapper.checkUuid("LVM-0123");
            DeviceMapper.checkEventNr(0xffffffffL);
            DeviceMapper.checkMessage(0, "@stats_list");
        }).doesNotThrowAnyException();
    }
}
