package io.dm4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import io.dm4j.testing.Architecture;
import org.junit.jupiter.api.Test;

/** dm4j's architecture rules on the testkit: its ITs run under RealKernel, it starts no process. */
class ConventionsTest {
    @Test
    void theTestkitsItsRunUnderTheRunWideLeakCheck() {
        JavaClasses tests = Architecture.testClasses();
        assertThat(tests.stream().map(JavaClass::getSimpleName)).as("the module's ITs were imported")
                .contains("DeviceMapperExtensionIT");
        Architecture.ITS_CHECK_FOR_LEAKS.check(tests);
    }

    /** Its cleanup goes through dm4j and the loop ioctls, never dmsetup or losetup. */
    @Test
    void theTestkitStartsNoProcess() {
        JavaClasses main = Architecture.mainClasses();
        assertThat(main.stream().map(JavaClass::getName)).contains(DeviceMapperExtension.class.getName());
        Architecture.NO_PROCESSES.check(main);
    }
}
