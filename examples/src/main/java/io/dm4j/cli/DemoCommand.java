package io.dm4j.cli;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceMapperException;
import io.dm4j.Dm4j;
import io.dm4j.TargetLine;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code dmctl demo}: a narrated walk through what dm4j does, on devices it creates and removes
 * itself. It never touches a device it did not create.
 */
@Command(name = "demo", description = "Walk through dm4j's main capabilities on devices it creates, then clean up.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @Spec
    CommandSpec spec;

    private PrintWriter out;
    private int step;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        String name = "dm4j-demo-" + ProcessHandle.current().pid() + "-zero";
        try (DeviceMapper dm = DeviceMapper.open()) {
            say("connected", "dm4j " + Dm4j.version() + " talks to device-mapper " + dm.driverVersion()
                    + " through the " + dm.backend() + " backend", Map.of("driverVersion",
                            dm.driverVersion().toString(), "nativeBackend", dm.backend()));
            DeviceInfo created = dm.create(name);
            try {
                say("created", "created " + name + " as " + created.device() + " (no table yet)",
                        Map.of("name", name, "device", created.device().toString()));
                List<TargetLine> table = List.of(new TargetLine(0, 2L * 1024 * 1024, "zero", ""));
                dm.load(name, table);
                DeviceInfo live = dm.resume(name);
                say("resumed", "loaded a 1 GiB zero target and resumed: live table present = "
                        + live.hasLiveTable(), Map.of("name", name, "liveTable", live.hasLiveTable()));
                for (TargetLine line : dm.table(name)) {
                    say("table", "the kernel's table for " + name + ": " + line, Map.of("line", line.toString()));
                }
            } finally {
                dm.remove(name);
            }
            try {
                dm.info(name);
                throw new IllegalStateException(name + " still exists after remove");
            } catch (DeviceMapperException expected) {
                say("removed", "removed " + name + "; the kernel now answers " + expected.errnoName()
                        + " for it", Map.of("name", name, "errno", expected.errnoName()));
            }
        }
        say("done", "demo complete: nothing left behind", Map.of());
        return 0;
    }

    private void say(String event, String text, Map<String, ?> fields) throws IOException {
        step++;
        if (common.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("step", step);
            json.put("event", event);
            json.put("message", text);
            json.putAll(fields);
            out.println(Json.object(json));
        } else {
            out.println("[" + step + "] " + text);
        }
        out.flush();
    }
}
