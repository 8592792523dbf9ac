package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import io.dm4j.testing.Architecture;
import org.junit.jupiter.api.Test;

/** The examples module's ITs run under RealKernel's leak check too. */
class ItConventionsTest {
    @Test
    void everyRealKernelItChecksForLeakedDevices() {
        JavaClasses tests = Architecture.testClasses();
        assertThat(tests.stream().map(JavaClass::getSimpleName)).as("the module's ITs were imported").contains("DmctlIT");
        Architecture.ITS_CHECK_FOR_LEAKS.check(tests);
    }
}
