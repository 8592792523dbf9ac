package io.dm4j.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command lines users are given are the ones the Docker IT runs ({@link TestImage}). */
class RunLinesTest {
    private static final TestImage USERS = new TestImage("dm4j-tests", Optional.empty());
    private static final String REPORTS = "$PWD/reports";

    @Test
    void theLinesReadAsDocumented() {
        assertThat(USERS.buildLine()).isEqualTo("docker build -t dm4j-tests docker");
        assertThat(USERS.runLine(REPORTS))
                .isEqualTo("docker run --rm --privileged --network none -v /dev:/dev -v \"$PWD/reports:/reports\" dm4j-tests");
    }

    @ParameterizedTest
    @ValueSource(strings = {"README.md", "examples/github-actions.yml"})
    void theDocumentedLinesAreTheItsOwn(String file) throws Exception {
        assertThat(Files.readString(Path.of(file))).contains(USERS.buildLine(), USERS.runLine(REPORTS));
    }

    @Test
    void theCliBuildSendsTheItsContext() throws Exception {
        assertThat(Files.readAllLines(Path.of(".dockerignore")).stream()
                        .filter(l -> l.startsWith("!")).map(l -> l.substring(1)))
                .as("what .dockerignore lets into the build context").containsExactlyElementsOf(TestImage.CONTEXT);
    }

    @Test
    void theOfflineBuildIsDocumented() throws Exception {
        TestImage offline = new TestImage("dm4j-tests", Optional.of("dm4j-base:local"));
        assertThat(Files.readString(Path.of("README.md"))).contains(offline.buildLine());
    }
}
