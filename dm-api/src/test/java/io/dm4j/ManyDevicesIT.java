package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A device list far bigger than the first ioctl buffer must come back whole. */
@ExtendWith(RealKernel.class)
class ManyDevicesIT {
    private static final int COUNT = Integer.getInteger("dm4j.it.manyDevices", 10_000);

    @Test
    void tenThousandDevicesAreListedWhole() throws IOException {
        Set<String> created = ConcurrentHashMap.newKeySet();
        try (DeviceMapper dm = DeviceMapper.open()) {
            try {
                IntStream.range(0, COUNT).parallel().forEach(i -> {
                    String name = RealKernel.name(String.format("many-%05d", i));
                    try {
                        dm.create(name, CreateOptions.defaults().uuid(RealKernel.name("uuid-many-" + i)));
                        created.add(name);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                long before = dm.ioctlCount();
                List<DeviceListEntry> listed = dm.list(RealKernel.name("many-"), "");
                long first = dm.ioctlCount() - before;
                assertThat(listed).hasSize(COUNT);
                assertThat(listed.stream().map(DeviceListEntry::name).collect(Collectors.toSet())).isEqualTo(created);
                assertThat(listed).allSatisfy(e -> assertThat(e.uuid()).isPresent());
                before = dm.ioctlCount();
                assertThat(dm.list(RealKernel.name("many-"), "")).hasSize(COUNT);
                assertThat(dm.ioctlCount() - before).as("after the first call learned the size").isEqualTo(1);
                assertThat(first).as("ioctls for the first list").isBetween(2L, 12L);
            } finally {
                created.parallelStream().forEach(name -> {
                    try {
                        dm.remove(name);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
    }
}
