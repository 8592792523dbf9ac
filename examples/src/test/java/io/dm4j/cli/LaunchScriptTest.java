package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers of a checkout, {@code ./dmctl} and {@code examples/run} (both through
 * {@code examples/launch}), run as a user runs them, over this build's classes, with vm/run
 * replaced by a stub that records how it was called. What needs no kernel is answered on this
 * host exactly as dmctl answers it, without the stub; what needs the kernel goes to the stub with
 * the same command and its standard input, unless this host's device-mapper is usable.
 */
class LaunchScriptTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    private static final String NOTICE =
            "dmctl: no usable device-mapper on this host; running inside a real kernel under QEMU (vm/run)\n";
    /** Whether this host's device-mapper is usable: then a command that needs it runs here. */
    private static final boolean DM_HERE = Dmctl.run(new String[] {"targets"}, new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter())) == 0;

    @TempDir
    Path dir;

    private Path stub;
    private Path tmp;

    /** One launcher run: its status and output, and the stub's record (null if it was not run). */
    record Run(int status, String out, String err, List<String> vmRunArgs, String vmStdin) {}

    @BeforeEach
    void stub() throws IOException {
        stub = dir.resolve("vm-run");
        // Records its arguments, and what the command would read as standard input in the guest
        // (the launcher's own guest wrapper runs, with cat in place of the command).
        Files.writeString(stub, """
                #!/bin/sh
                printf '%s\\0' "$@" > "$0.args"
                while [ "$1" != -- ]; do shift; done
                shift
                "$1" "$2" "$3" "$4" cat > "$0.stdin"
                exit 42
                """);
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
        tmp = Files.createDirectory(dir.resolve("tmp"));
    }

    private Run launch(String stdin, String launcher, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve(launcher).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("DM4J_LAUNCH"));
        env.put("DM4J_LAUNCH_CLASSPATH", System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path")));
        env.put("DM4J_VM_RUN", stub.toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("TMPDIR", tmp.toString());
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        assertThat(tmp).as("the hand-over folder is gone").isEmptyDirectory();
        Path args0 = Path.of(stub + ".args");
        List<String> vmRunArgs = Files.exists(args0)
                ? Arrays.asList(Files.readString(args0).split("\0")) : null;
        String vmStdin = vmRunArgs == null ? null : Files.readString(Path.of(stub + ".stdin"));
        return new Run(p.exitValue(), out.get(), err.get(), vmRunArgs, vmStdin);
    }

    private static String read(java.io.InputStream s) {
        try (s) {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void whatNeedsNoKernelIsAnsweredHereAsDmctlAnswersIt() throws Exception {
        List<List<String>> commands = List.of(List.of("--help"), List.of("help", "create"), List.of("--version"),
                List.of("crate", "x"), List.of("create", "x", "--table", "0 10"), List.of("info", "a/b"));
        for (List<String> args : commands) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int status = Dmctl.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
            Run r = launch("", "dmctl", args.toArray(String[]::new));
            assertThat(r).as("./dmctl %s", args).isEqualTo(new Run(status, out.toString(), err.toString(), null, null));
        }
    }

    @Test
    void aCommandThatNeedsTheKernelGoesToVmRunWithTheSameArguments() throws Exception {
        Run r = launch("", "dmctl", "ls", "--json");
        if (DM_HERE) {
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.vmRunArgs()).isNull();
            return;
        }
        assertThat(r.status()).as("vm/run's status").isEqualTo(42);
        assertThat(r.err()).isEqualTo(NOTICE);
        assertThat(r.out()).isEmpty();
        assertThat(r.vmRunArgs()).startsWith("--env", "DM4J_LAUNCH_HANDED_OVER=1", "--")
                .endsWith("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                        "io.dm4j.cli.Dmctl", "ls", "--json");
        assertThat(r.vmStdin()).isEmpty();
    }

    @Test
    void aTableFromStandardInputGoesAlongToVmRun() throws Exception {
        String name = "dm4j-launch-test-" + ProcessHandle.current().pid();
        Run r = launch("# from stdin\n0 8 zero\n", "dmctl", "create", name);
        if (DM_HERE) {
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(launch("", "dmctl", "remove", name).status()).isZero();
            return;
        }
        assertThat(r.status()).isEqualTo(42);
        assertThat(r.err()).isEqualTo(NOTICE);
        assertThat(r.vmRunArgs()).endsWith("io.dm4j.cli.Dmctl", "create", name);
        assertThat(r.vmStdin()).isEqualTo("# from stdin\n0 8 zero\n");
    }

    @Test
    void versionPrintsDm4jsHereAndTheDriversFromTheKernelReached() throws Exception {
        DmctlHostTest.Run library = DmctlHostTest.withoutKernel("", "version");
        Run r = launch("", "dmctl", "version");
        if (DM_HERE) {
            assertThat(r.out()).startsWith(library.out()).contains("\ndevice-mapper ");
            assertThat(r.vmRunArgs()).isNull();
            return;
        }
        assertThat(r.out()).isEqualTo(library.out());
        assertThat(r.err()).isEqualTo(NOTICE);
        assertThat(r.vmRunArgs()).endsWith("io.dm4j.cli.Dmctl", "version");
    }

    @Test
    void examplesRunAnswersAMisspeltNameHereAndHandsAnExampleOver() throws Exception {
        Run misspelt = launch("", "examples/run", "LinearVolum");
        assertThat(misspelt).isEqualTo(new Run(2, "",
                "examples/run: there is no example program LinearVolum (examples/README.md lists them)\n", null, null));
        Run r = launch("", "examples/run", "LinearVolume");
        if (DM_HERE) {
            assertThat(r.status()).as(r.err()).isZero();
            return;
        }
        assertThat(r.status()).isEqualTo(42);
        assertThat(r.err()).isEqualTo(NOTICE.replace("dmctl:", "LinearVolume:"));
        assertThat(r.vmRunArgs()).endsWith("io.dm4j.examples.RunExample", "LinearVolume");
    }
}
