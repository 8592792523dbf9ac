package io.dm4j.cli;

import io.dm4j.DeviceMapper;
import io.dm4j.Dm4j;
import io.dm4j.DmVersion;
import io.dm4j.examples.Launcher;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code dmctl version}: the library and its native backend, from this host, then the driver
 * version of the kernel's device-mapper, from the kernel reached (this host's or, handed over,
 * the one in vm/run).
 */
@Command(name = "version", description = "Print the dm4j version, native backend and device-mapper driver version.")
final class VersionCommand extends DeviceCommand {
    @Override
    AutoCloseable beforeKernel() {
        // One JSON document cannot be split between host and kernel: it comes whole, at the end.
        if (!common.json && !Launcher.handedOver() && dmctl().personality == Dmctl.Personality.DMCTL) {
            out().print("dm4j " + Dm4j.version() + "\nnative backend: " + Syscalls.get().backend() + " (Java "
                    + Runtime.version().feature() + ")\n");
            out().flush();
        }
        return null;
    }

    @Override
    int run(DeviceMapper dm) throws IOException {
        DmVersion driver = dm.version();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dm4jVersion", Dm4j.version());
        json.put("nativeBackend", dm.backend());
        json.put("driverVersion", driver.toString());
        json.put("javaVersion", Runtime.version().toString());
        print(dmctl().personality == Dmctl.Personality.DMSETUP
                ? "Library version:   dm4j " + Dm4j.version() + "\nDriver version:    " + driver + "\n"
                : "device-mapper " + driver + "\n", json);
        return 0;
    }
}
