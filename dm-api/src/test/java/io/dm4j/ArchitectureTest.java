package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import io.dm4j.testing.Architecture;
import org.junit.jupiter.api.Test;

/**
 * The library's architecture rules, checked on dm-api and native-bindings, and on dm-api's ITs;
 * among them the layout a module-info will rely on: internals stay in {@code io.dm4j.internal}.
 */
class ArchitectureTest {
    @Test
    void theLibraryAndTheBindingsNeverStartAProcess() {
        Architecture.NO_PROCESSES.check(Architecture.mainClasses());
    }

    /** The rule bites: dm-api's tests start processes (dmsetup, losetup, child JVMs) in library packages. */
    @Test
    void theRuleFindsProcessesWhereThereAreSome() {
        assertThatThrownBy(() -> Architecture.NO_PROCESSES.check(Architecture.testClasses()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("io.dm4j.registry.RegistryIT");
    }

    @Test
    void theLeakCheckAndTheLoopDevicesStartNoProcess() {
        JavaClasses tests = Architecture.testClasses();
        assertThat(tests.stream().map(JavaClass::getName)).contains("io.dm4j.testing.RealKernel",
                "io.dm4j.testing.LoopDevice");
        Architecture.TEST_FIXTURES_START_NO_PROCESS.check(tests);
    }

    @Test
    void theApiShowsNoInternalType() {
        Architecture.API_HIDES_INTERNALS.check(Architecture.mainClasses());
    }

    @Test
    void onlyTheClientUsesTheInternals() {
        Architecture.ONLY_THE_CLIENT_USES_INTERNALS.check(Architecture.mainClasses());
    }

    /** The layout rules bite: a test fixture in io.dm4j.event shows and uses the ioctl codec. */
    @Test
    void theLayoutRulesFindInternalsWhereThereAreSome() {
        JavaClasses tests = Architecture.testClasses();
        assertThatThrownBy(() -> Architecture.API_HIDES_INTERNALS.check(tests)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("io.dm4j.event.LeakingApiFixture.header(java.nio.ByteBuffer) returns "
                        + "io.dm4j.internal.ioctl.DmIoctl$Header");
        assertThatThrownBy(() -> Architecture.ONLY_THE_CLIENT_USES_INTERNALS.check(tests))
                .isInstanceOf(AssertionError.class).hasMessageContaining("io.dm4j.event.LeakingApiFixture");
    }

    @Test
    void everyRealKernelItChecksForLeakedDevices() {
        JavaClasses tests = Architecture.testClasses();
        assertThat(tests.stream().map(JavaClass::getSimpleName)).as("dm-api's ITs were imported")
                .contains("RegistryIT", "DeviceMapperIT", "BadInputCorpusIT");
        Architecture.ITS_CHECK_FOR_LEAKS.check(tests);
    }
}
