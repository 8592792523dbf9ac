package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.sys.Syscalls;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The backend a program gets, as a user sees it: a fresh JVM with its own class path (the jnr-ffi
 * and JNA artifacts present, absent, listed in either order), its own flags and JDK.
 */
class BackendChoiceTest {
    private static final Path JDK17 = Path.of(System.getProperty("dm4j.jdk17", "/usr/lib/jvm/java-17-openjdk-amd64"));
    private static final String THIS_JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    /** Entry point of the child JVM: prints the chosen backend and every backend's status, or the error. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                System.out.println("selected " + Syscalls.get().backend());
            } catch (RuntimeException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            for (Syscalls.BackendStatus s : Syscalls.backends()) {
                System.out.println(s.name() + (s.available() ? " available" : " unavailable: " + s.unavailableReason()));
            }
        }
    }

    private static boolean isBackendJar(String entry, String backend) {
        return entry.contains("dm4j-native-" + backend) || entry.contains("native-bindings/" + backend + "/");
    }

    private static final Predicate<String> JNR = e -> isBackendJar(e, "jnr") || e.contains("/jnr-ffi-");
    private static final Predicate<String> JNA = e -> isBackendJar(e, "jna") || e.contains("/jna-");

    private static List<String> classPath() {
        return Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
    }

    private static String probe(String java, List<String> classPath, String... options)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, classPath), Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static List<String> without(Predicate<String> excluded) {
        return classPath().stream().filter(excluded.negate()).collect(Collectors.toList());
    }

    @Test
    void onJdk22PlusFfmIsChosenWithOrWithoutTheFallbackArtifacts() throws Exception {
        assertThat(probe(THIS_JAVA, classPath(), "--enable-native-access=ALL-UNNAMED")).contains("selected ffm");
        String lean = probe(THIS_JAVA, without(JNR.or(JNA)), "--enable-native-access=ALL-UNNAMED");
        assertThat(lean).contains("selected ffm")
                .contains("jnr unavailable: not installed: add io.dm4j:dm4j-native-jnr to the class or module path")
                .contains("jna unavailable: not installed: add io.dm4j:dm4j-native-jna to the class or module path");
    }

    @Test
    void eachBackendCanBeForced() throws Exception {
        for (String backend : List.of("ffm", "jnr", "jna")) {
            assertThat(probe(THIS_JAVA, classPath(), "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow", "-D" + Syscalls.BACKEND_PROPERTY + "=" + backend))
                    .contains("selected " + backend);
        }
        assertThat(probe(THIS_JAVA, classPath(), "-D" + Syscalls.BACKEND_PROPERTY + "=bogus"))
                .contains("IllegalArgumentException: unknown native backend 'bogus'")
                .contains("valid choices are ffm, jnr, jna");
    }

    /**
     * Without native access FFM cannot run: the fallback is jnr whichever jar comes first, and the
     * one log line is a warning that says how to get FFM back.
     */
    @Test
    void theFallbackDependsOnPriorityNotOnClassPathOrder() throws Exception {
        List<String> reversed = new ArrayList<>(classPath());
        Collections.reverse(reversed);
        for (List<String> cp : List.of(classPath(), reversed)) {
            String out = probe(THIS_JAVA, cp, "--sun-misc-unsafe-memory-access=allow");
            assertThat(out).contains("selected jnr").contains("WARNING: dm4j native backend: jnr; ffm unavailable: "
                    + "native access is not enabled: run java with --enable-native-access=ALL-UNNAMED");
            assertThat(out.lines().filter(l -> l.contains("dm4j native backend")).count()).isEqualTo(1);
        }
    }

    /**
     * A modular application whose build left the backend jars on the class path (as surefire and
     * exec do with dependencies the module graph does not require): the core on the module path
     * still finds them, and one that cannot be loaded would not hide the others.
     */
    @Test
    void aCoreOnTheModulePathFindsBackendsOnTheClassPath() throws Exception {
        Predicate<String> core = e -> e.contains("dm4j-native-bindings-") && !e.contains("-tests")
                || e.contains("native-bindings/core/target/classes");
        List<String> modulePath = classPath().stream().filter(core).filter(e -> !e.contains("versions"))
                .collect(Collectors.toList());
        assertThat(modulePath).as("the core's jar or classes on %s", classPath()).hasSize(1);
        List<String> rest = without(core);
        String[] modular = {"-p", modulePath.get(0), "--add-modules", "io.dm4j.sys"};
        String java17 = JDK17.resolve("bin/java").toString();
        assertThat(probe(java17, rest, modular)).contains("selected jnr").contains("jna available");
        List<String> forced = new ArrayList<>(List.of(modular));
        forced.addAll(List.of("--enable-native-access=io.dm4j.sys,ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-D" + Syscalls.BACKEND_PROPERTY + "=jna"));
        assertThat(probe(THIS_JAVA, rest, forced.toArray(String[]::new))).contains("selected jna");
    }

    /** A JDK 17 or 21 user: jnr, else JNA, else an error that names both artifacts. */
    @Test
    void onJdk17TheFallbacksAreUsedInPriorityOrder() throws Exception {
        String java = JDK17.resolve("bin/java").toString();
        assertThat(Files.isExecutable(Path.of(java))).as("JDK 17 at %s (-Ddm4j.jdk17)", JDK17).isTrue();
        String full = probe(java, classPath());
        assertThat(full).contains("selected jnr").contains("ffm unavailable: needs JDK 22+, running 17")
                .doesNotContain("WARNING");
        assertThat(probe(java, without(JNR))).contains("selected jna");
        assertThat(probe(java, without(JNR.or(JNA))))
                .contains("IllegalStateException: no native backend can be used here: ffm: unavailable (needs JDK 22+, "
                        + "running 17); jnr: unavailable (not installed: add io.dm4j:dm4j-native-jnr to the class or "
                        + "module path); jna: unavailable (not installed: add io.dm4j:dm4j-native-jna");
    }
}
