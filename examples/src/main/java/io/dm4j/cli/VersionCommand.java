package io.dm4j.cli;

import io.dm4j.DeviceMapper;
import io.dm4j.Dm4j;
import io.dm4j.DmVersion;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dmctl version}: the library, its native backend and the kernel's device-mapper. */
@Command(name = "version", description = "Print the dm4j version, native backend and device-mapper driver version.")
final class VersionCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (DeviceMapper dm = DeviceMapper.open()) {
            DmVersion driver = dm.version();
            PrintWriter out = spec.commandLine().getOut();
            if (common.json) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("dm4jVersion", Dm4j.version());
                json.put("nativeBackend", dm.backend());
                json.put("driverVersion", driver.toString());
                json.put("javaVersion", Runtime.version().toString());
                out.println(Json.object(json));
            } else {
                out.println("dm4j " + Dm4j.version());
                out.println("native backend: " + dm.backend() + " (Java " + Runtime.version().feature() + ")");
                out.println("device-mapper " + driver);
            }
        }
        return 0;
    }
}
