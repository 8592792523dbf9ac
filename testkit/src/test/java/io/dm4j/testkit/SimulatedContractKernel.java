package io.dm4j.testkit;

import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The contract's kernel on the simulator: a fresh {@link SimulatedKernel} per case. */
final class SimulatedContractKernel implements ContractKernel {
    private static final AtomicInteger DISKS = new AtomicInteger();
    private final SimulatedKernel kernel = SimulatedKernel.create();
    private final DeviceMapper dm;
    private final List<AutoCloseable> holds = new ArrayList<>();
    private int names;

    SimulatedContractKernel() throws IOException {
        this.dm = kernel.deviceMapper();
    }

    SimulatedKernel kernel() {
        return kernel;
    }

    @Override
    public DeviceMapper dm() {
        return dm;
    }

    @Override
    public String name(String hint) {
        return "sim-" + hint + "-" + ++names;
    }

    @Override
    public DeviceNumber disk(long sectors) {
        return kernel.addDisk("/dev/sim" + DISKS.incrementAndGet(), sectors);
    }

    @Override
    public AutoCloseable hold(String deviceName) throws IOException {
        AutoCloseable hold = kernel.openDevice(deviceName);
        holds.add(hold);
        return hold;
    }

    @Override
    public boolean simulated() {
        return true;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable h : holds) {
            h.close();
        }
        try (DeviceMapper d = dm) {
            List<String> left = d.list().stream().map(DeviceListEntry::name).toList();
            if (!left.isEmpty()) {
                throw new AssertionError("the case left device(s) behind: " + left);
            }
        }
    }
}
