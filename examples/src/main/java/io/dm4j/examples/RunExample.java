package io.dm4j.examples;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;

/**
 * What {@code examples/run NAME [ARGS...]} starts: the example program NAME, on this host. Every
 * example needs device-mapper; on a host without a usable one the program stops where it asks
 * for it ({@link Workspace#open}, before it makes anything), and is then handed over to vm/run
 * under the launcher, or else ends with one line saying why device-mapper is not usable here.
 */
public final class RunExample {
    private RunExample() {}

    /** Runs {@code args[0]}'s main with the rest of {@code args}. */
    public static void main(String[] args) throws Throwable {
        MethodHandle main;
        try {
            main = MethodHandles.publicLookup().findStatic(Class.forName(RunExample.class.getPackageName() + "." + args[0]),
                    "main", MethodType.methodType(void.class, String[].class));
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            System.err.println("examples/run: there is no example program " + args[0] + " (examples/README.md lists them)");
            System.exit(2);
            return;
        }
        try {
            main.invokeExact(Arrays.copyOfRange(args, 1, args.length));
        } catch (HostDeviceMapper.NotUsableException e) {
            if (Launcher.canHandOver()) {
                System.exit(Launcher.handOver(new byte[0])); // no example reads standard input
            }
            System.err.println(args[0] + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
