package io.dm4j.cli;

import io.dm4j.DeviceMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every dmctl command shares: the common options, the output writers, and one
 * {@link DeviceMapper} client opened for the command and closed after it. The client is opened
 * only after {@link #beforeKernel()}, the one place where a command asks for the kernel.
 */
abstract class DeviceCommand implements Callable<Integer> {
    @Mixin
    Common common;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        try (AutoCloseable kept = beforeKernel()) {
            Dmctl.Kernel kernel = dmctl().kernel;
            DeviceMapper dm = common.noUdevSync ? kernel.open(io.dm4j.NodePolicy.LIBRARY) : kernel.open();
            try (AutoCloseable released = () -> kernel.release(dm)) {
                int status = run(dm);
                if (common.verifyUdev && dm.nodePolicy() == io.dm4j.NodePolicy.UDEV) {
                    dm.mknodes(); // udev has run its rules; put right what it left wrong
                }
                return status;
            }
        }
    }

    /**
     * Does what needs no kernel, so that a host without device-mapper answers it too: checks the
     * arguments as dm4j checks them before its first ioctl (with the same errors),
     * reads what they name, and changes nothing outside this process.
     *
     * @return what the command keeps until it ends and then closes (a table, which may hold keys),
     *     or null
     */
    AutoCloseable beforeKernel() throws IOException {
        return null;
    }

    /** Does the command's work; returns the exit status (normally 0: failures throw). */
    abstract int run(DeviceMapper dm) throws IOException;

    /** Standard input, where tables come from when no option names them. */
    byte[] stdin() throws IOException {
        return dmctl().stdin();
    }

    Dmctl dmctl() {
        return (Dmctl) spec.root().userObject();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Prints one JSON document under {@code --json}, else the text; either way, flushed. */
    void print(String text, Map<String, ?> json) {
        if (common.json) {
            out().println(Json.object(json));
        } else {
            out().print(text);
        }
        out().flush();
    }

    /** Prints a device's state after a change: nothing, or the --json document. */
    void printState(io.dm4j.DeviceInfo info) {
        print("", JsonViews.info(info, java.util.OptionalInt.empty()));
    }

    /** A line of progress on stderr, so stdout stays what scripts parse. */
    void progress(String text) {
        err().println("dmctl: " + text);
        err().flush();
    }
}
