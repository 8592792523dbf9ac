package io.dm4j.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.DockerStatus;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Builds the test image from this project and runs dm4j's real-kernel suite in a privileged
 * container, exactly as README.md tells users to (see {@link TestImage}). The engine's kernel
 * serves the container's device-mapper: under ./mvnw verify that is the VM's, with an engine that
 * vm/with-docker starts there.
 */
class PrivilegedContainerIT {
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(30);
    /**
     * What the container run leaves out: classes that test dm4j's own logic at scale (crash
     * adoption, 10,000 devices, the mixed load, the bad-input corpus that never reaches the
     * kernel). dm-api's two VM runs on the same kernel cover them; what a container changes (no
     * udev, nodes made by dm4j, the host's /dev, capabilities, pid namespace) is what the other
     * classes exercise here. Users' runs of the image leave out nothing.
     */
    static final List<String> LEFT_OUT = List.of("CrashSafetyIT", "ManyDevicesIT", "LoadIT", "BadInputCorpusIT");
    private static final Pattern COUNTS =
            Pattern.compile("real-kernel ITs \\(native\\): (\\d+) passed, (\\d+) failed, (\\d+) skipped");

    @Test
    @ExtendWith(DockerEngine.class)
    void dm4jsRealKernelSuitePassesInAPrivilegedContainer() throws Exception {
        assertThat(MODULE.resolve("target/suite/bin/run-tests"))
                .as("the suite the image is built from (./mvnw package makes it)").exists();
        TestImage spec = new TestImage("dm4j-tests:it",
                Optional.ofNullable(System.getProperty("dm4j.docker.base")).filter(b -> !b.isBlank()),
                Map.of("DM4J_IT_EXCLUDE", ".*\\.(" + String.join("|", LEFT_OUT) + ")"));
        Path reports = MODULE.resolve("target/failsafe-reports/container");
        Files.createDirectories(reports);
        say("the equivalent of: " + spec.buildLine());
        say("               and: " + spec.runLine(reports.toString()));
        say("left out here on purpose (dm-api's VM runs on the same kernel cover them): " + LEFT_OUT);

        Instant t0 = Instant.now();
        ImageFromDockerfile image = spec.build(MODULE);
        image.get();
        say("image " + spec.name() + " built in " + Duration.between(t0, Instant.now()).toSeconds() + " s");

        String logs;
        long exitCode;
        try (GenericContainer<?> container = spec.container(image, reports)) {
            container.withStartupCheckStrategy(new UntilExited().withTimeout(SUITE_TIMEOUT))
                    .withLogConsumer(frame -> System.out.println("[container] " + frame.getUtf8StringWithoutLineEnding()));
            container.start();
            InspectContainerResponse info = container.getCurrentContainerInfo();
            exitCode = info.getState().getExitCodeLong();
            logs = container.getLogs();
            Instant created = Instant.parse(info.getCreated());
            Instant started = Instant.parse(info.getState().getStartedAt());
            Instant finished = Instant.parse(info.getState().getFinishedAt());
            say("container started " + Duration.between(created, started).toSeconds() + " s after its creation, ran "
                    + Duration.between(started, finished).toSeconds() + " s, exit status " + exitCode);
        }

        Matcher counts = COUNTS.matcher(logs);
        assertThat(counts.find()).as("the suite's count line in the container's output").isTrue();
        Element suite = junitReport(reports.resolve("TEST-junit-jupiter.xml"));
        int tests = count(suite, "tests");
        int failed = count(suite, "failures") + count(suite, "errors");
        int skipped = count(suite, "skipped");
        assertThat(exitCode).as("exit status of the suite in the container").isZero();
        assertThat(failed).as("failed tests in the container").isZero();
        assertThat(tests - skipped).as("tests that passed in the container").isPositive()
                .isEqualTo(Integer.parseInt(counts.group(1)));
        Set<String> run = classesRun(suite);
        assertThat(run).as("test classes run in the container")
                .contains("io.dm4j.docker.InContainerIT", "io.dm4j.DeviceMapperIT", "io.dm4j.EventModesIT",
                        "io.dm4j.registry.RegistryIT");
        assertThat(run.stream().map(c -> c.substring(c.lastIndexOf('.') + 1)))
                .as("classes left out on purpose").doesNotContainAnyElementsOf(LEFT_OUT);
        say("inner suite in the privileged container: " + (tests - skipped) + " passed, " + failed + " failed, "
                + skipped + " skipped");
    }

    /** Startup is done when the container has exited, whatever its status (asserted afterwards). */
    private static final class UntilExited extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient client, String containerId) {
            return DockerStatus.isContainerStopped(getCurrentState(client, containerId))
                    ? StartupStatus.SUCCESSFUL
                    : StartupStatus.NOT_YET_KNOWN;
        }
    }

    private static Element junitReport(Path xml) throws Exception {
        assertThat(xml).as("the suite's JUnit report").exists();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        return doc.getDocumentElement();
    }

    private static int count(Element suite, String attribute) {
        String value = suite.getAttribute(attribute);
        return value.isEmpty() ? 0 : Integer.parseInt(value);
    }

    private static Set<String> classesRun(Element suite) {
        Set<String> classes = new TreeSet<>();
        var cases = suite.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            classes.add(((Element) cases.item(i)).getAttribute("classname"));
        }
        return classes;
    }

    private static void say(String line) {
        System.out.println("[dm4j] docker IT: " + line);
    }
}
