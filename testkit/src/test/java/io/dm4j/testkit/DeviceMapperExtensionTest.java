package io.dm4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.dm4j.DeviceMapper;
import io.dm4j.testkit.InnerRun.Outcome;
import io.dm4j.testkit.RequiresDeviceMapper.Missing;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The extension where device-mapper is missing, as on this build's host: test classes run through
 * the launcher, as a user's would.
 */
class DeviceMapperExtensionTest {
    /**
     * Why not, on this host: no node, or (here) a node with no driver behind it; the build's hosts
     * run as root, so it is never the capability.
     */
    private static final String NOT_LOADED = "device-mapper is not loaded here";

    @BeforeEach
    void needsAHostWithoutDeviceMapper() {
        assumeThat(Verdict.missingReason(DeviceMapper.CONTROL, Path.of("/proc/self/status")))
                .as("this host has device-mapper").isPresent();
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(Verdict.REQUIRED);
    }

    @Test
    void skipsWithTheReasonByDefault() {
        Map<String, Outcome> run = InnerRun.of(SkipsHere.class);
        assertThat(run).as("the whole class is skipped").containsOnlyKeys("DeviceMapperExtensionTest$SkipsHere");
        assertThat(run.get("DeviceMapperExtensionTest$SkipsHere").status()).isEqualTo("SKIPPED");
        assertThat(run.get("DeviceMapperExtensionTest$SkipsHere").message()).startsWith("device-mapper cannot be used: ").contains(NOT_LOADED);
    }

    @Test
    void failsWithTheReasonWhenAsked() {
        Map<String, Outcome> run = InnerRun.of(FailsHere.class);
        assertThat(run.get("failsAsTheClassSays()")).extracting(Outcome::status).isEqualTo("FAILED");
        assertThat(run.get("failsAsTheClassSays()").message())
                .startsWith("device-mapper is required (onMissing = FAIL) but cannot be used: ").contains(NOT_LOADED);
        assertThat(run.get("skipsAsTheMethodSays()").status()).as("the method's annotation wins").isEqualTo("SKIPPED");
    }

    @Test
    void theRequiredPropertyTurnsSkipsIntoFailures() {
        System.setProperty(Verdict.REQUIRED, "true");
        Map<String, Outcome> run = InnerRun.of(FailsHere.class);
        assertThat(run.get("skipsAsTheMethodSays()").status()).isEqualTo("FAILED");
        assertThat(run.get("skipsAsTheMethodSays()").message())
                .startsWith("device-mapper is required (dm4j.testkit.required=true) but cannot be used: ")
                .contains(NOT_LOADED);
    }

    @Test
    void theExtensionAloneSkipsToo() {
        Map<String, Outcome> run = InnerRun.of(ExtendedOnly.class);
        assertThat(run).containsOnlyKeys("DeviceMapperExtensionTest$ExtendedOnly");
        assertThat(run.get("DeviceMapperExtensionTest$ExtendedOnly").status()).isEqualTo("SKIPPED");
        assertThat(run.get("DeviceMapperExtensionTest$ExtendedOnly").message()).contains(NOT_LOADED);
    }

    /** Run only through {@link InnerRun}. */
    @RequiresDeviceMapper
    static class SkipsHere {
        @Test
        void neverRuns() {
            throw new AssertionError("ran without device-mapper");
        }
    }

    /** Run only through {@link InnerRun}. */
    @RequiresDeviceMapper(onMissing = Missing.FAIL)
    static class FailsHere {
        @Test
        void failsAsTheClassSays() {
            throw new AssertionError("ran without device-mapper");
        }

        @Test
        @RequiresDeviceMapper
        void skipsAsTheMethodSays() {
            throw new AssertionError("ran without device-mapper");
        }
    }

    /** Run only through {@link InnerRun}. */
    @org.junit.jupiter.api.extension.ExtendWith(DeviceMapperExtension.class)
    static class ExtendedOnly {
        @Test
        void takesADeviceMapper(DeviceMapper dm) {
            throw new AssertionError("ran without device-mapper");
        }
    }
}
