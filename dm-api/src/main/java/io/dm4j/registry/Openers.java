package io.dm4j.registry;

import io.dm4j.DeviceNumber;
import io.dm4j.Opener;
import java.util.List;

/** The registry's failure messages name openers as text: one line each, from {@link io.dm4j.Openers}. */
final class Openers {
    private Openers() {}

    static List<String> of(DeviceNumber device) {
        return io.dm4j.Openers.of(device).stream().map(Opener::toString).toList();
    }
}
