package io.dm4j.cli;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code dmctl holders NAME}: who keeps a device open, the question behind every "device busy":
 * block devices stacked on it (sysfs {@code holders/}), mounts of it, and processes with it open.
 */
@Command(name = "holders", description = "Show the devices, mounts and processes keeping a device open.")
final class HoldersCommand extends DeviceCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The device.")
    String name;

    /** One thing holding the device. */
    record Holder(String kind, String id, String detail) {}

    @Override
    AutoCloseable beforeKernel() {
        DeviceMapper.checkName(name);
        return null;
    }

    @Override
    int run(DeviceMapper dm) throws IOException {
        DeviceInfo info = dm.info(name);
        DeviceNumber dev = info.device();
        List<Holder> holders = new ArrayList<>();
        holders.addAll(stackedDevices(dev));
        holders.addAll(mounts(dev));
        holders.addAll(processes(dev));

        StringBuilder text = new StringBuilder();
        text.append(name).append(" (").append(dev).append("): open count ").append(info.openCount()).append('\n');
        for (Holder h : holders) {
            text.append(h.kind()).append(' ').append(h.id()).append(h.detail().isEmpty() ? "" : " " + h.detail())
                    .append('\n');
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("major", dev.major());
        json.put("minor", dev.minor());
        json.put("openCount", info.openCount());
        json.put("holders", holders.stream().map(h -> Map.of("kind", h.kind(), "id", h.id(), "detail", h.detail()))
                .toList());
        print(text.toString(), json);
        return 0;
    }

    /** Devices whose tables use this one: the kernel lists them in sysfs. */
    private static List<Holder> stackedDevices(DeviceNumber dev) throws IOException {
        Path dir = Path.of("/sys/dev/block/" + dev + "/holders");
        List<Holder> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String kernelName = p.getFileName().toString();
                Path dmName = Path.of("/sys/block", kernelName, "dm", "name");
                out.add(new Holder("device", kernelName,
                        Files.isReadable(dmName) ? "(" + Files.readString(dmName).strip() + ")" : ""));
            }
        }
        return out;
    }

    /** Mounts of the device: field 3 of mountinfo is its major:minor. */
    private static List<Holder> mounts(DeviceNumber dev) throws IOException {
        List<Holder> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[2].equals(dev.toString())) {
                out.add(new Holder("mount", f[4].replace("\\040", " "), ""));
            }
        }
        return out;
    }

    /** Processes with a descriptor on the block device; processes we may not inspect are skipped. */
    private static List<Holder> processes(DeviceNumber dev) throws IOException {
        List<Holder> out = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName()
                .toString().chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                List<String> fds = openFdsOn(proc.resolve("fd"), dev);
                if (!fds.isEmpty()) {
                    String comm = "";
                    try {
                        comm = Files.readString(proc.resolve("comm")).strip();
                    } catch (IOException gone) {
                        // The process ended meanwhile; its pid still says who it was.
                    }
                    out.add(new Holder("process", proc.getFileName().toString(),
                            "(" + comm + ") fd " + String.join(",", fds)));
                }
            }
        }
        return out;
    }

    private static List<String> openFdsOn(Path fdDir, DeviceNumber dev) {
        List<String> fds = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(fdDir)) {
            for (Path fd : s) {
                try {
                    if (!Files.readSymbolicLink(fd).toString().startsWith("/dev/")) {
                        continue;
                    }
                    // stat through the link; a character device can carry the same numbers
                    if (DeviceNumber.ofBlockDevice(fd).equals(dev)) {
                        fds.add(fd.getFileName().toString());
                    }
                } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                    // closed meanwhile, not ours to read, or not a block device
                }
            }
        } catch (IOException e) {
            // not ours to read, or gone
        }
        return fds;
    }
}
