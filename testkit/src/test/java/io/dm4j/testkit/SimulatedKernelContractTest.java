package io.dm4j.testkit;

/**
 * The contract on the simulator, on the host: every case {@link KernelContractIT} runs on the real
 * kernel in the VM, with the same body.
 */
class SimulatedKernelContractTest extends DeviceMapperContract {
    @Override
    protected ContractKernel kernel() throws Exception {
        return new SimulatedContractKernel();
    }
}
