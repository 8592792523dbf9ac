package io.dm4j.cli;

import io.dm4j.DeviceFlag;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceNumber;
import io.dm4j.event.DeviceEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** The --json shapes of dm4j's records: lowerCamelCase fields, numbers as numbers. */
final class JsonViews {
    private JsonViews() {}

    static Map<String, Object> info(DeviceInfo info, OptionalInt readAhead) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", info.name());
        m.put("uuid", info.uuid().filter(u -> !u.isEmpty()));
        m.put("major", info.device().major());
        m.put("minor", info.device().minor());
        m.put("state", info.suspended() ? "SUSPENDED" : "ACTIVE");
        m.put("readOnly", info.flags().contains(DeviceFlag.READ_ONLY));
        m.put("deferredRemove", info.flags().contains(DeviceFlag.DEFERRED_REMOVE));
        m.put("readAhead", readAhead.isPresent() ? readAhead.getAsInt() : null);
        m.put("liveTable", info.hasLiveTable());
        m.put("inactiveTable", info.hasInactiveTable());
        m.put("openCount", info.openCount());
        m.put("eventNr", info.eventNr());
        m.put("targetCount", info.targetCount());
        return m;
    }

    static Map<String, Object> entry(DeviceListEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        m.put("major", e.device().major());
        m.put("minor", e.device().minor());
        m.put("uuid", e.uuid().filter(u -> !u.isEmpty()));
        m.put("eventNr", e.eventNr().isPresent() ? e.eventNr().getAsLong() : null);
        return m;
    }

    static Map<String, Object> device(DeviceNumber d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("major", d.major());
        m.put("minor", d.minor());
        return m;
    }

    static Map<String, Object> target(long start, long length, String type, String params, String field) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", start);
        m.put("length", length);
        m.put("type", type);
        m.put(field, params);
        return m;
    }

    static Map<String, Object> event(DeviceEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", e.kind().name());
        m.put("name", e.name());
        m.put("uuid", e.uuid().filter(u -> !u.isEmpty()));
        m.put("major", e.device().map(DeviceNumber::major));
        m.put("minor", e.device().map(DeviceNumber::minor));
        m.put("eventNr", e.eventNr());
        m.put("previousName", e.previousName());
        m.put("seqnum", e.sequence().isPresent() ? Optional.of(e.sequence().getAsLong()) : Optional.empty());
        if (!e.detail().isEmpty()) {
            m.put("detail", e.detail());
        }
        return m;
    }
}
