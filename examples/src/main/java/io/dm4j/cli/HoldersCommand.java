package io.dm4j.cli;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.Opener;
import io.dm4j.Openers;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

/**
 * {@code dmctl holders NAME}: who keeps a device open, the question behind every "device busy",
 * as {@link Openers} sees it: stacked devices, loop devices, mounts, swap and processes.
 */
@Command(name = "holders", description = "Show the devices, mounts and processes keeping a device open.")
final class HoldersCommand extends ChangeCommands.OnDevice {

    /** One opener as a line {@code kind id detail} (e.g. {@code process 1234 (mkfs.ext4) fd 3}), and its own fields. */
    record Holder(String kind, String id, String detail, Map<String, Object> fields) {
        String line() {
            return kind + " " + id + (detail.isEmpty() ? "" : " " + detail);
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", kind);
            m.put("id", id);
            m.put("detail", detail);
            m.putAll(fields);
            return m;
        }
    }

    @Override
    int onDevice(DeviceMapper dm) throws IOException {
        DeviceInfo info = dm.info(name);
        DeviceNumber dev = info.device();
        List<Holder> holders = Openers.of(dev).stream().map(HoldersCommand::holder).toList();

        StringBuilder text = new StringBuilder();
        text.append(name).append(" (").append(dev).append("): open count ").append(info.openCount()).append('\n');
        holders.forEach(h -> text.append(h.line()).append('\n'));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("major", dev.major());
        json.put("minor", dev.minor());
        json.put("openCount", info.openCount());
        json.put("holders", holders.stream().map(Holder::json).toList());
        print(text.toString(), json);
        return 0;
    }

    private static Holder holder(Opener opener) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (opener instanceof Opener.Process p) {
            fields.put("pid", p.pid());
            fields.put("command", p.command());
            fields.put("fds", p.fds());
            String fds = p.fds().stream().map(String::valueOf).collect(Collectors.joining(","));
            return new Holder("process", String.valueOf(p.pid()), "(" + p.command() + ") fd " + fds, fields);
        }
        if (opener instanceof Opener.Mount mount) {
            fields.put("mountPoint", mount.mountPoint());
            fields.put("fsType", mount.fsType());
            return new Holder("mount", mount.mountPoint(), "(" + mount.fsType() + ")", fields);
        }
        if (opener instanceof Opener.Swap swap) {
            return new Holder("swap", swap.path(), "", fields);
        }
        if (opener instanceof Opener.StackedDevice d) {
            fields.put("major", d.device().major());
            fields.put("minor", d.device().minor());
            fields.put("dmName", d.dmName());
            return new Holder("device", d.kernelName(), d.dmName().map(n -> "(" + n + ")").orElse(""), fields);
        }
        // Opener is sealed, and a loop device is the one kind left.
        Opener.LoopDevice loop = (Opener.LoopDevice) opener;
        fields.put("major", loop.device().major());
        fields.put("minor", loop.device().minor());
        return new Holder("loop", loop.kernelName(), "(" + loop.device() + ")", fields);
    }
}
