package io.dm4j.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.commons.support.AnnotationSupport;

/** Architecture rules that every module checks on its own classes, with ArchUnit. */
public final class Architecture {
    private Architecture() {}

    /** Packages of programs that may start processes: the CLI, the examples, the benchmarks, test support. */
    private static final String[] PROGRAMS = {"io.dm4j.cli..", "io.dm4j.examples..", "io.dm4j.bench..",
        "io.dm4j.testing.."};

    /** The production classes of dm4j on the class path: compiled main classes and their jars, no tests. */
    public static JavaClasses mainClasses() {
        JavaClasses imported = new ClassFileImporter().withImportOption(Architecture::isMain).importPackages("io.dm4j");
        assertThat(imported.stream().map(JavaClass::getName))
                .as("the import must see the library and the bindings, or the rules prove nothing")
                .contains("io.dm4j.DeviceMapper", "io.dm4j.registry.TableRegistry", "io.dm4j.sys.Syscalls",
                        "io.dm4j.sys.ffm.FfmBackend", "io.dm4j.sys.jna.JnaBackend", "io.dm4j.sys.jnr.JnrBackend");
        return imported;
    }

    /** This module's test classes (its target/test-classes). */
    public static JavaClasses testClasses() {
        return new ClassFileImporter().withImportOption(l -> l.contains("/target/test-classes/"))
                .importPackages("io.dm4j");
    }

    private static boolean isMain(Location l) {
        return l.contains("/target/classes/") || l.matches(java.util.regex.Pattern.compile(".*/dm4j-[a-z-]+-[^/]*\\.jar!/.*"))
                && !l.contains("-tests.jar");
    }

    /**
     * The library and the native bindings never start a process: no {@code ProcessBuilder}, no
     * {@code Runtime.exec}. Only programs (CLI, examples, benchmarks) and tests may.
     */
    public static final ArchRule NO_PROCESSES = noClasses().that().resideOutsideOfPackages(PROGRAMS)
            .should().dependOnClassesThat().areAssignableTo(ProcessBuilder.class)
            .orShould().callMethod(Runtime.class, "exec", String.class)
            .orShould().callMethod(Runtime.class, "exec", String[].class)
            .orShould().callMethod(Runtime.class, "exec", String.class, String[].class)
            .orShould().callMethod(Runtime.class, "exec", String[].class, String[].class)
            .orShould().callMethod(Runtime.class, "exec", String.class, String[].class, java.io.File.class)
            .orShould().callMethod(Runtime.class, "exec", String[].class, String[].class, java.io.File.class)
            .because("dm4j drives device-mapper through its ioctls, never through other programs");

    /** Every real-kernel IT class runs under {@link RealKernel}, which checks it leaked no device. */
    public static final ArchRule ITS_CHECK_FOR_LEAKS = classes().that().haveSimpleNameEndingWith("IT")
            .and().areTopLevelClasses().should(new ArchCondition<>("be annotated @ExtendWith(RealKernel.class)") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    boolean extended = AnnotationSupport.findRepeatableAnnotations(c.reflect(), ExtendWith.class).stream()
                            .anyMatch(e -> Set.of(e.value()).contains(RealKernel.class));
                    events.add(new SimpleConditionEvent(c, extended, c.getName()
                            + (extended ? " checks for leaked devices" : " does not run under RealKernel's leak check")));
                }
            });
}
