package io.dm4j.testkit;

import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import java.io.IOException;

/**
 * The kernel a {@link DeviceMapperContract} case runs against: the real one (in the VM) or the
 * simulator. Everything a case needs beyond {@link DeviceMapper} goes through here, so that one
 * case body says what both must do.
 */
interface ContractKernel extends AutoCloseable {

    /** A client of this kernel. */
    DeviceMapper dm();

    /** A device name unique to this run, with the hint in it. */
    String name(String hint);

    /** A block device of this many 512-byte sectors that tables may map; gone at {@link #close()}. */
    DeviceNumber disk(long sectors) throws IOException;

    /**
     * Keeps the named device open (as a mount or a process would) until the result is closed:
     * its open count goes up by one.
     */
    AutoCloseable hold(String deviceName) throws IOException;

    /** True for the simulator: the few cases about documented differences ask it. */
    boolean simulated();

    /** Removes what this kernel's cases left, and fails naming it if anything was left. */
    @Override
    void close() throws Exception;
}
