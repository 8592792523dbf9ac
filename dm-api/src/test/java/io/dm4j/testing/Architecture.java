package io.dm4j.testing;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * The leak check and the loop devices every real-kernel IT stands on clean up through dm4j and
     * the loop driver's ioctls, as the testkit does: no dmsetup, no losetup, no process at all.
     */
    public static final ArchRule TEST_FIXTURES_START_NO_PROCESS = noClasses().that()
            .haveFullyQualifiedName("io.dm4j.testing.RealKernel")
            .or().haveFullyQualifiedName("io.dm4j.testing.LoopDevice")
            .or().haveFullyQualifiedName("io.dm4j.testing.LoopDevices")
            .should().dependOnClassesThat().haveFullyQualifiedName("io.dm4j.sys.testing.Commands")
            .orShould().dependOnClassesThat().areAssignableTo(ProcessBuilder.class)
            .because("the testkit's way is the one dm4j's own tests use (dogfooding)");

    /**
     * dm-api's public types never show an internal one: no public or protected field, method or
     * constructor of a public class outside {@code io.dm4j.internal}, nor its supertypes or type
     * parameters, names a type of {@code io.dm4j.internal} (type arguments included). A module that
     * exports only the API packages must not hand programs types they cannot name.
     */
    public static final ArchRule API_HIDES_INTERNALS = classes().that().resideInAPackage("io.dm4j..")
            .and().resideOutsideOfPackage("io.dm4j.internal..")
            .should(new ArchCondition<>("show no io.dm4j.internal type in their public signatures") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    if (!isExposed(c)) {
                        return;
                    }
                    List<String> leaks = new ArrayList<>();
                    c.getSuperclass().ifPresent(t -> addLeaks(c.getName() + " extends", t, leaks));
                    c.getInterfaces().forEach(t -> addLeaks(c.getName() + " implements", t, leaks));
                    c.getTypeParameters().forEach(t -> addLeaks(c.getName() + " type parameter", t, leaks));
                    for (JavaField f : c.getFields()) {
                        if (isExposed(f.getModifiers())) {
                            addLeaks(f.getFullName(), f.getType(), leaks);
                        }
                    }
                    for (JavaCodeUnit u : c.getCodeUnits()) {
                        if (isExposed(u.getModifiers())) {
                            addLeaks(u.getFullName() + " returns", u.getReturnType(), leaks);
                            u.getParameterTypes().forEach(t -> addLeaks(u.getFullName() + " takes", t, leaks));
                            u.getTypeParameters().forEach(t -> addLeaks(u.getFullName() + " type parameter", t, leaks));
                            u.getExceptionTypes().forEach(t -> addLeaks(u.getFullName() + " throws", t, leaks));
                        }
                    }
                    leaks.forEach(leak -> events.add(SimpleConditionEvent.violated(c, leak)));
                    if (leaks.isEmpty()) {
                        events.add(SimpleConditionEvent.satisfied(c, c.getName() + " shows no internal type"));
                    }
                }
            }).because("dm4j's module exports only its API packages");

    /**
     * Only the client, package {@code io.dm4j}, uses dm4j's internals (the ioctl codec, udev
     * cookies, device nodes, the kernel log): events, the registry, typed targets, statuses and
     * messages are built on its public API, so that every command goes through
     * {@code DeviceMapper}. The one way in, {@code io.dm4j.internal.access}, hands the event
     * monitor the client's control descriptor; loop devices ({@code io.dm4j.internal.loop}) are for
     * the testkit, beside device-mapper rather than through it.
     */
    public static final ArchRule ONLY_THE_CLIENT_USES_INTERNALS = noClasses().that().resideInAPackage("io.dm4j..")
            .and().resideOutsideOfPackages("io.dm4j", "io.dm4j.internal..")
            .should().dependOnClassesThat(resideInAPackage("io.dm4j.internal..")
                    .and(not(resideInAPackage("io.dm4j.internal.access")))
                    .and(not(resideInAPackage("io.dm4j.internal.loop"))))
            .because("every command goes through DeviceMapper");

    /** A public class whose enclosing classes, if any, are public too: code outside dm4j can name it. */
    private static boolean isExposed(JavaClass c) {
        return isExposed(c.getModifiers()) && !c.isAnonymousClass()
                && c.getEnclosingClass().map(Architecture::isExposed).orElse(true);
    }

    private static boolean isExposed(Set<JavaModifier> modifiers) {
        return (modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED))
                && !modifiers.contains(JavaModifier.SYNTHETIC) && !modifiers.contains(JavaModifier.BRIDGE);
    }

    private static void addLeaks(String where, JavaType type, List<String> leaks) {
        for (JavaClass raw : type.getAllInvolvedRawTypes()) {
            String pkg = raw.getBaseComponentType().getPackageName();
            if (pkg.equals("io.dm4j.internal") || pkg.startsWith("io.dm4j.internal.")) {
                leaks.add(where + " " + raw.getName());
            }
        }
    }

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
