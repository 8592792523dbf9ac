package io.dm4j.cli;

import io.dm4j.DeviceMapper;
import io.dm4j.Dm4j;
import io.dm4j.DmVersion;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code dmctl version}: the library, its native backend and the kernel's device-mapper. */
@Command(name = "version", description = "Print the dm4j version, native backend and device-mapper driver version.")
final class VersionCommand extends DeviceCommand {
    @Override
    int run(DeviceMapper dm) throws IOException {
        DmVersion driver = dm.version();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dm4jVersion", Dm4j.version());
        json.put("nativeBackend", dm.backend());
        json.put("driverVersion", driver.toString());
        json.put("javaVersion", Runtime.version().toString());
        print("dm4j " + Dm4j.version() + "\nnative backend: " + dm.backend() + " (Java " + Runtime.version().feature()
                + ")\ndevice-mapper " + driver + "\n", json);
        return 0;
    }
}
