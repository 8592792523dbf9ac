package io.dm4j.testkit;

import io.dm4j.DeviceMapper;
import io.dm4j.testkit.RequiresDeviceMapper.Missing;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Whether a test that needs device-mapper runs here, is skipped, or fails, and why. */
sealed interface Verdict {
    /** The property that turns every skip into a failure. */
    String REQUIRED = "dm4j.testkit.required";

    /** Device-mapper can be used: the test runs. */
    record Run() implements Verdict {}

    /** The test is skipped; {@code reason} says why. */
    record Skip(String reason) implements Verdict {}

    /** The test fails; {@code reason} says why. */
    record Fail(String reason) implements Verdict {}

    /** The verdict for this JVM's {@value #REQUIRED}, given what {@link #missingHere()} found. */
    static Verdict here(Missing onMissing, Optional<String> missing) {
        return of(onMissing, Boolean.getBoolean(REQUIRED), missing);
    }

    /** Why device-mapper cannot be used on this host, if it cannot. */
    static Optional<String> missingHere() {
        return missingReason(DeviceMapper.CONTROL, Path.of("/proc/self/status"));
    }

    /**
     * @param missing why device-mapper cannot be used here, or empty if it can
     */
    static Verdict of(Missing onMissing, boolean required, Optional<String> missing) {
        if (missing.isEmpty()) {
            return new Run();
        }
        if (onMissing == Missing.FAIL) {
            return new Fail("device-mapper is required (onMissing = FAIL) but cannot be used: " + missing.get());
        }
        if (required) {
            return new Fail("device-mapper is required (" + REQUIRED + "=true) but cannot be used: " + missing.get());
        }
        return new Skip("device-mapper cannot be used: " + missing.get());
    }

    /**
     * Why device-mapper cannot be used, judged from the control node and the process's effective
     * capabilities ({@code CapEff} in {@code /proc/self/status}), as the kernel judges: the node
     * must exist, the caller needs {@code CAP_SYS_ADMIN}, and the node must open.
     */
    static Optional<String> missingReason(Path control, Path procStatus) {
        if (!Files.exists(control)) {
            return Optional.of("no " + control + ": device-mapper is not loaded here"
                    + " (modprobe dm-mod; a container needs the host's /dev/mapper/control)");
        }
        if (!hasSysAdmin(procStatus)) {
            return Optional.of("needs CAP_SYS_ADMIN: run as root or in a privileged container");
        }
        // The node can outlive the driver (a container's /dev, a static /dev): only opening it tells.
        try {
            Syscalls sys = Syscalls.get();
            sys.close(sys.open(control.toString(), Syscalls.O_RDWR));
        } catch (ErrnoException e) {
            if (e.is(Errno.ENODEV) || e.is(Errno.ENXIO)) {
                return Optional.of("no driver behind " + control + ": device-mapper is not loaded here ("
                        + e.getMessage() + ")");
            }
            return Optional.of("cannot open " + control + " (" + e.getMessage()
                    + "): run as root or in a privileged container");
        }
        return Optional.empty();
    }

    /** Every device-mapper ioctl but DM_VERSION needs CAP_SYS_ADMIN (bit 21). */
    private static boolean hasSysAdmin(Path procStatus) {
        try {
            for (String line : Files.readAllLines(procStatus)) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                    return (caps & (1L << 21)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux's procfs as we know it: let the kernel judge at the first ioctl.
            return true;
        }
        return true;
    }
}
