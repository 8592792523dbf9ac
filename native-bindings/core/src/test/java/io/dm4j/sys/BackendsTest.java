package io.dm4j.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The core alone, as a JDK 22+ user who excluded the jnr-ffi and JNA backends has it: FFM works
 * there, and the missing backends say which artifact brings them. On JDK 17 nothing can work, and
 * the error says why and what to add.
 */
class BackendsTest {
    private static final boolean FFM = Runtime.version().feature() >= 22;

    @Test
    void theCoreKnowsAllThreeAndSaysWhatIsMissing() {
        List<Syscalls.BackendStatus> statuses = Syscalls.backends();
        assertThat(statuses).extracting(Syscalls.BackendStatus::name).containsExactly("ffm", "jnr", "jna");
        assertThat(statuses.get(0).available()).as(statuses.get(0).unavailableReason()).isEqualTo(FFM);
        if (!FFM) {
            assertThat(statuses.get(0).unavailableReason()).isEqualTo("needs JDK 22+, running " + Runtime.version().feature());
        }
        assertThat(statuses.get(1).unavailableReason())
                .isEqualTo("not installed: add io.dm4j:dm4j-native-jnr to the class or module path");
        assertThat(statuses.get(2).unavailableReason())
                .isEqualTo("not installed: add io.dm4j:dm4j-native-jna to the class or module path");
    }

    @Test
    void theDefaultIsFfmWhereItRunsAndOtherwiseAClearError() {
        if (FFM) {
            assertThat(Syscalls.get().backend()).isEqualTo("ffm");
        } else {
            assertThatThrownBy(Syscalls::get).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("no native backend can be used here: ffm: unavailable (needs JDK 22+")
                    .hasMessageContaining("add io.dm4j:dm4j-native-jnr").hasMessageContaining("add io.dm4j:dm4j-native-jna");
        }
    }

    @Test
    void unknownBackendNamesTheValidChoices() {
        assertThatThrownBy(() -> Syscalls.get("bogus"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown native backend 'bogus'")
                .hasMessageContaining("valid choices are ffm, jnr, jna");
    }

    @Test
    void aMissingBackendAskedForByNameSaysWhichArtifactBringsIt() {
        assertThatThrownBy(() -> Syscalls.get("jna"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("native backend 'jna' is unavailable: not installed: add io.dm4j:dm4j-native-jna");
    }
}
