package io.dm4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Loop devices for one test class: attached before its first test, detached after its last
 * (before {@link RealKernel}'s leak check, which a class-level {@code @ExtendWith} registers first).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LoopDevices loops = new LoopDevices(2, 16L << 20);
 * }</pre>
 */
public final class LoopDevices implements BeforeAllCallback, AfterAllCallback {
    private final int count;
    private final long bytes;
    private final List<LoopDevice> devices = new ArrayList<>();
    private Path dir;

    /** {@code count} loop devices of {@code bytes} bytes each. */
    public LoopDevices(int count, long bytes) {
        this.count = count;
        this.bytes = bytes;
    }

    /** The {@code i}-th loop device, from 0. */
    public LoopDevice get(int i) {
        return devices.get(i);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("dm4j-loops-");
        for (int i = 0; i < count; i++) {
            devices.add(LoopDevice.create(dir, bytes));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        IOException failure = null;
        for (LoopDevice d : devices) {
            try {
                d.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        devices.clear();
        Files.deleteIfExists(dir);
        if (failure != null) {
            throw failure;
        }
    }
}
