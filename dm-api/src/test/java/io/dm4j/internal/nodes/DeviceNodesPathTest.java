package io.dm4j.internal.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.InvalidArgumentException;
import io.dm4j.NodePolicy;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Node paths stay inside /dev/mapper whatever the name, even one that got past the name checks:
 * the second line of defence behind {@link io.dm4j.DeviceMapper#checkName}.
 */
class DeviceNodesPathTest {
    private static final Path MAPPER = Path.of("/dev/mapper");
    private final DeviceNodes nodes = new DeviceNodes(null, MAPPER, NodePolicy.LIBRARY);

    @Property(tries = 5000)
    void everyNodeIsADirectChildOfTheDirectoryOrRefused(@ForAll("names") String name) {
        try {
            Path p = nodes.path(name);
            assertThat(p.getParent()).isEqualTo(MAPPER);
            assertThat(p.getFileName().toString()).isEqualTo(name).isNotEqualTo("control");
        } catch (InvalidArgumentException refused) {
            assertThat(refused.field()).isEqualTo("name");
        }
    }

    @Example
    void theDangerousOnesAreRefused() {
        for (String name : new String[] {"", ".", "..", "../etc/passwd", "a/../../x", "/etc/passwd", "x/", "a/b",
            "control", "a\0b", "..\u0000"}) {
            assertThatThrownBy(() -> nodes.path(name)).as(name).isInstanceOf(InvalidArgumentException.class);
        }
    }

    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> parts = Arbitraries.oneOf(Arbitraries.of("/", ".", "..", "\0", "control", "x", "\u00e9", "\uFFFD"),
                Arbitraries.strings().ofMaxLength(6));
        return parts.list().ofMaxSize(6).map(l -> String.join("", l));
    }
}
