package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.testing.Commands;
import io.dm4j.testing.RealKernel;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealKernel.class)
class DmctlIT {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int dmctl(String... args) {
        return Dmctl.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void versionPrintsTheKernelsDriverVersion() {
        String driver = Commands.check("dmsetup", "version").lines()
                .filter(l -> l.startsWith("Driver version:")).findFirst().orElseThrow()
                .substring("Driver version:".length()).strip();
        assertThat(dmctl("version")).isZero();
        assertThat(out.toString()).contains("device-mapper " + driver + "\n").contains("native backend: ");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void demoRunsAndLeavesNothingBehind() {
        assertThat(dmctl("demo", "--json")).as(err.toString()).isZero();
        assertThat(out.toString().lines())
                .anyMatch(l -> l.contains("\"event\":\"removed\"") && l.contains("\"errno\":\"ENXIO\""))
                .last().asString().contains("\"event\":\"done\"");
        // RealKernel checks after the class that no device-mapper or loop device was left.
    }
}
