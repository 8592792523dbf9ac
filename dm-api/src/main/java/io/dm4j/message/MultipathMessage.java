package io.dm4j.message;

import io.dm4j.DeviceNumber;
import java.util.Objects;

/**
 * Messages of a {@code multipath} target ({@code multipath_message()} in {@code dm-mpath.c}). A
 * suspended multipath device refuses them ({@code EBUSY}).
 */
public sealed interface MultipathMessage extends TargetMessage {

    @Override
    default String targetType() {
        return "multipath";
    }

    /** {@code fail_path <device>}: takes a path out of use. */
    static MultipathMessage failPath(DeviceNumber path) {
        return new FailPath(Objects.requireNonNull(path, "path").toString());
    }

    /** {@code reinstate_path <device>}: puts a failed path back into use. */
    static MultipathMessage reinstatePath(DeviceNumber path) {
        return new ReinstatePath(Objects.requireNonNull(path, "path").toString());
    }

    /** {@code queue_if_no_path}: I/O waits while no path is usable. */
    static MultipathMessage queueIfNoPath() {
        return new QueueIfNoPath();
    }

    /** {@code fail_if_no_path}: I/O fails while no path is usable, queued I/O included. */
    static MultipathMessage failIfNoPath() {
        return new FailIfNoPath();
    }

    /** {@code switch_group <n>}: makes priority group {@code n} (1-based) serve the next I/O. */
    static MultipathMessage switchGroup(int group) {
        return new SwitchGroup(group);
    }

    /** {@code disable_group <n>}: bypasses priority group {@code n} while others can serve. */
    static MultipathMessage disableGroup(int group) {
        return new DisableGroup(group);
    }

    /** {@code enable_group <n>}: stops bypassing priority group {@code n}. */
    static MultipathMessage enableGroup(int group) {
        return new EnableGroup(group);
    }

    /** @param device the path, as {@code major:minor} or a device node path */
    record FailPath(String device) implements MultipathMessage {
        /** Checks the device. */
        public FailPath {
            Args.word("path device", device);
        }

        @Override
        public String text() {
            return "fail_path " + device;
        }
    }

    /** @param device the path, as {@code major:minor} or a device node path */
    record ReinstatePath(String device) implements MultipathMessage {
        /** Checks the device. */
        public ReinstatePath {
            Args.word("path device", device);
        }

        @Override
        public String text() {
            return "reinstate_path " + device;
        }
    }

    /** {@code queue_if_no_path}. */
    record QueueIfNoPath() implements MultipathMessage {
        @Override
        public String text() {
            return "queue_if_no_path";
        }
    }

    /** {@code fail_if_no_path}. */
    record FailIfNoPath() implements MultipathMessage {
        @Override
        public String text() {
            return "fail_if_no_path";
        }
    }

    /** @param group the priority group, 1-based */
    record SwitchGroup(int group) implements MultipathMessage {
        /** Checks the group number. */
        public SwitchGroup {
            Args.range("priority group", group, 1, Integer.MAX_VALUE);
        }

        @Override
        public String text() {
            return "switch_group " + group;
        }
    }

    /** @param group the priority group, 1-based */
    record DisableGroup(int group) implements MultipathMessage {
        /** Checks the group number. */
        public DisableGroup {
            Args.range("priority group", group, 1, Integer.MAX_VALUE);
        }

        @Override
        public String text() {
            return "disable_group " + group;
        }
    }

    /** @param group the priority group, 1-based */
    record EnableGroup(int group) implements MultipathMessage {
        /** Checks the group number. */
        public EnableGroup {
            Args.range("priority group", group, 1, Integer.MAX_VALUE);
        }

        @Override
        public String text() {
            return "enable_group " + group;
        }
    }
}
