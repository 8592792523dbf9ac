package io.dm4j.testkit;

import io.dm4j.testing.RealKernel;
import io.dm4j.testkit.RequiresDeviceMapper.Missing;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The contract on the real kernel: what {@link DeviceMapperContract} asserts is what Linux's
 * device-mapper does, so the simulator, held to the same cases, is held to the kernel. Each case
 * gets its own {@link RealContractKernel}, whose close fails the case if it left a device or a
 * loop device behind; {@link RealKernel} checks the whole class once more.
 */
@ExtendWith(RealKernel.class)
@RequiresDeviceMapper(onMissing = Missing.FAIL)
class KernelContractIT extends DeviceMapperContract {
    @Override
    protected ContractKernel kernel() throws Exception {
        return new RealContractKernel();
    }
}
