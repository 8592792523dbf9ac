package io.dm4j.message;

import io.dm4j.DeviceNumber;
import java.util.Locale;
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
        return new ForPath(PathAction.FAIL, Objects.requireNonNull(path, "path").toString());
    }

    /** {@code reinstate_path <device>}: puts a failed path back into use. */
    static MultipathMessage reinstatePath(DeviceNumber path) {
        return new ForPath(PathAction.REINSTATE, Objects.requireNonNull(path, "path").toString());
    }

    /** {@code queue_if_no_path}: I/O waits while no path is usable. */
    static MultipathMessage queueIfNoPath() {
        return NoPath.QUEUE;
    }

    /** {@code fail_if_no_path}: I/O fails while no path is usable, queued I/O included. */
    static MultipathMessage failIfNoPath() {
        return NoPath.FAIL;
    }

    /** {@code switch_group <n>}: makes priority group {@code n} (1-based) serve the next I/O. */
    static MultipathMessage switchGroup(int group) {
        return new ForGroup(GroupAction.SWITCH, group);
    }

    /** {@code disable_group <n>}: bypasses priority group {@code n} while others can serve. */
    static MultipathMessage disableGroup(int group) {
        return new ForGroup(GroupAction.DISABLE, group);
    }

    /** {@code enable_group <n>}: stops bypassing priority group {@code n}. */
    static MultipathMessage enableGroup(int group) {
        return new ForGroup(GroupAction.ENABLE, group);
    }

    /** What to do with a path. */
    enum PathAction {
        /** {@code fail_path}. */
        FAIL,
        /** {@code reinstate_path}. */
        REINSTATE
    }

    /**
     * {@code fail_path} or {@code reinstate_path}.
     *
     * @param action which of the two
     * @param device the path, as {@code major:minor} or a device node path
     */
    record ForPath(PathAction action, String device) implements MultipathMessage {
        /** Checks the arguments. */
        public ForPath {
            Objects.requireNonNull(action, "action");
            Args.word("path device", device);
        }

        @Override
        public String text() {
            return action.name().toLowerCase(Locale.ROOT) + "_path " + device;
        }
    }

    /** What to do with a priority group. */
    enum GroupAction {
        /** {@code switch_group}. */
        SWITCH,
        /** {@code disable_group}. */
        DISABLE,
        /** {@code enable_group}. */
        ENABLE
    }

    /**
     * {@code switch_group}, {@code disable_group} or {@code enable_group}.
     *
     * @param action which of the three
     * @param group the priority group, 1-based
     */
    record ForGroup(GroupAction action, int group) implements MultipathMessage {
        /** Checks the arguments. */
        public ForGroup {
            Objects.requireNonNull(action, "action");
            Args.range("priority group", group, 1, Integer.MAX_VALUE);
        }

        @Override
        public String text() {
            return action.name().toLowerCase(Locale.ROOT) + "_group " + group;
        }
    }

    /** {@code queue_if_no_path} or {@code fail_if_no_path}. */
    enum NoPath implements MultipathMessage {
        /** {@code queue_if_no_path}. */
        QUEUE,
        /** {@code fail_if_no_path}. */
        FAIL;

        @Override
        public String text() {
            return name().toLowerCase(Locale.ROOT) + "_if_no_path";
        }
    }
}
