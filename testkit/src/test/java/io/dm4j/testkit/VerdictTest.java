package io.dm4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.testkit.RequiresDeviceMapper.Missing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerdictTest {
    private static final String ROOT_CAPS = "CapEff:\t000001ffffffffff\n";
    private static final String NO_SYS_ADMIN = "CapEff:\t" + Long.toHexString(0x1ffffffffffL & ~(1L << 21)) + "\n";

    @TempDir
    Path dir;

    @Test
    void runsWhereDeviceMapperCanBeUsed() {
        for (Missing m : Missing.values()) {
            assertThat(Verdict.of(m, true, Optional.empty())).isEqualTo(new Verdict.Run());
            assertThat(Verdict.of(m, false, Optional.empty())).isEqualTo(new Verdict.Run());
        }
    }

    @Test
    void skipsOrFailsWithTheReason() {
        Optional<String> why = Optional.of("no /dev/mapper/control: device-mapper is not loaded here");
        assertThat(Verdict.of(Missing.SKIP, false, why))
                .isEqualTo(new Verdict.Skip("device-mapper cannot be used: " + why.get()));
        assertThat(Verdict.of(Missing.FAIL, false, why))
                .isEqualTo(new Verdict.Fail("device-mapper is required (onMissing = FAIL) but cannot be used: " + why.get()));
        assertThat(Verdict.of(Missing.SKIP, true, why)).isEqualTo(new Verdict.Fail(
                "device-mapper is required (dm4j.testkit.required=true) but cannot be used: " + why.get()));
    }

    @Test
    void noControlNodeMeansDeviceMapperIsNotLoaded() throws IOException {
        assertThat(Verdict.missingReason(dir.resolve("control"), status(ROOT_CAPS))).get().asString()
                .startsWith("no " + dir.resolve("control") + ": device-mapper is not loaded here");
    }

    @Test
    void withoutCapSysAdminTheKernelRefusesEveryCommand() throws IOException {
        assertThat(Verdict.missingReason(control(), status(NO_SYS_ADMIN)))
                .contains("needs CAP_SYS_ADMIN: run as root or in a privileged container");
        assertThat(Verdict.missingReason(control(), status(ROOT_CAPS))).isEmpty();
    }

    /** Not procfs as we know it: the kernel's own refusal will say what is wrong. */
    @Test
    void anUnreadableCapabilitySetDoesNotSkip() throws IOException {
        assertThat(Verdict.missingReason(control(), status("Name:\tjava\n"))).isEmpty();
        assertThat(Verdict.missingReason(control(), dir.resolve("absent"))).isEmpty();
    }

    private Path control() throws IOException {
        return Files.writeString(dir.resolve("control"), "");
    }

    private Path status(String content) throws IOException {
        return Files.writeString(dir.resolve("status"), "Name:\tjava\n" + content);
    }
}
