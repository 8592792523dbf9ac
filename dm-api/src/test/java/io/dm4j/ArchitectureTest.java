package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import io.dm4j.testing.Architecture;
import org.junit.jupiter.api.Test;

/** The library's architecture rules, checked on dm-api and native-bindings, and on dm-api's ITs. */
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
    void everyRealKernelItChecksForLeakedDevices() {
        JavaClasses tests = Architecture.testClasses();
        assertThat(tests.stream().map(JavaClass::getSimpleName)).as("dm-api's ITs were imported")
                .contains("RegistryIT", "DeviceMapperIT", "BadInputCorpusIT");
        Architecture.ITS_CHECK_FOR_LEAKS.check(tests);
    }
}
