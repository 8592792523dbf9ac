package io.dm4j.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What dmctl and the example programs agree on with {@code examples/launch}, which starts them
 * from a checkout. The launcher runs the program on this host first, with {@value #HANDOVER}
 * naming a fresh folder. A program that reaches the point where it needs device-mapper
 * ({@link HostDeviceMapper}) on a host without a usable one then hands over: it writes the
 * standard input it has read to {@code stdin} in that folder and exits with {@link #HAND_OVER};
 * the launcher runs the same command inside a real kernel (vm/run), with that input, and with
 * {@value #HANDED_OVER}{@code =1} so that the program does not print again what it printed here.
 * Without the launcher (an installed dmctl) there is nowhere to hand over to, and the program says
 * why device-mapper is not usable here.
 */
public final class Launcher {
    /** The exit status that asks the launcher to run the command again inside vm/run. */
    public static final int HAND_OVER = 3;

    static final String HANDOVER = "DM4J_LAUNCH_HANDOVER";
    static final String HANDED_OVER = "DM4J_LAUNCH_HANDED_OVER";

    private Launcher() {}

    /** True when started by the launcher on the host, which can run the command again in vm/run. */
    public static boolean canHandOver() {
        return System.getenv(HANDOVER) != null;
    }

    /** True in the run inside vm/run that a hand-over started: the host run already printed its part. */
    public static boolean handedOver() {
        return "1".equals(System.getenv(HANDED_OVER));
    }

    /**
     * Hands the command over to the launcher, passing on the standard input read so far.
     *
     * @return {@link #HAND_OVER}, the status to exit with
     */
    public static int handOver(byte[] stdinRead) throws IOException {
        Files.write(Path.of(System.getenv(HANDOVER), "stdin"), stdinRead);
        return HAND_OVER;
    }
}
