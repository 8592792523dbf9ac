package io.dm4j.docker;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * How dm4j's test image is built and run: the one source of both the docker command lines that
 * README.md gives and what {@link PrivilegedContainerIT} does through Testcontainers.
 *
 * @param name the image's name
 * @param base the Dockerfile's {@code BASE} build argument, if not its default
 * @param env environment variables for the container ({@code -e}), in order
 */
record TestImage(String name, Optional<String> base, Map<String, String> env) {
    /** What the Dockerfile uses of the build context (the docker module's folder, as .dockerignore trims it). */
    static final List<String> CONTEXT = List.of("Dockerfile", "target/suite");
    /** Where the suite writes its JUnit XML in the container. */
    static final String REPORTS = "/reports";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_/:.,=@+-]+");

    TestImage {
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /** The image as users run it: no extra environment. */
    TestImage(String name, Optional<String> base) {
        this(name, base, Map.of());
    }

    /** {@code docker build}, run from the project's root. */
    String buildLine() {
        return "docker build " + base.map(b -> "--build-arg BASE=" + b + " ").orElse("") + "-t " + name + " docker";
    }

    /** The same build through Testcontainers; {@code dockerDir} is the docker module's folder. */
    ImageFromDockerfile build(Path dockerDir) {
        ImageFromDockerfile image = new ImageFromDockerfile(name, true);
        CONTEXT.forEach(f -> image.withFileFromPath(f, dockerDir.resolve(f)));
        base.ifPresent(b -> image.withBuildArg("BASE", b));
        return image;
    }

    /**
     * {@code docker run}: privileged (device-mapper ioctls, loop devices), the host's live /dev (a
     * privileged container gets only a copy of it taken at start), no network (the suite needs
     * none), the reports in {@code reportsDir} on the host.
     */
    String runLine(String reportsDir) {
        StringBuilder line = new StringBuilder("docker run --rm --privileged --network none");
        binds(reportsDir).forEach((host, inside) -> line.append(" -v ").append(shellWord(host + ":" + inside)));
        env.forEach((k, v) -> line.append(" -e ").append(shellWord(k + "=" + v)));
        return line.append(' ').append(name).toString();
    }

    /**
     * The same run through Testcontainers (which removes the container when it is closed). The
     * binds go straight into the create command: withFileSystemBind would first probe the engine
     * with a container of a small image from a registry, which an offline engine does not have.
     */
    GenericContainer<?> container(ImageFromDockerfile image, Path reportsDir) {
        Bind[] binds = binds(reportsDir.toString()).entrySet().stream()
                .map(b -> new Bind(b.getKey(), new Volume(b.getValue())))
                .toArray(Bind[]::new);
        return new GenericContainer<>(image).withPrivilegedMode(true).withNetworkMode("none").withEnv(env)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withBinds(binds));
    }

    private static Map<String, String> binds(String reportsDir) {
        Map<String, String> binds = new LinkedHashMap<>();
        binds.put("/dev", "/dev");
        binds.put(reportsDir, REPORTS);
        return binds;
    }

    /** Double quotes around anything but plain words, so that {@code $PWD} still expands. */
    private static String shellWord(String s) {
        return PLAIN.matcher(s).matches() ? s : '"' + s + '"';
    }
}
