package io.dm4j.event;

import io.dm4j.DeviceListEntry;
import java.util.Optional;

/**
 * What the monitor knows of one device.
 *
 * @param name empty when it could not be learned
 * @param eventNr {@link #UNKNOWN} when not known
 * @param diskseq the kernel's sequence number of the device's block device ({@code DISKSEQ},
 *     never reused while the system runs): the proof that two sightings are one device. 0 when
 *     not known, e.g. for a device that never had a table and so has no block device yet.
 */
record Seen(Optional<String> name, Optional<String> uuid, long eventNr, long diskseq) {
    /** An event number not known (sysfs does not show it). */
    static final long UNKNOWN = -1;

    static Seen of(DeviceListEntry e, long diskseq) {
        return new Seen(Optional.of(e.name()), e.uuid().filter(u -> !u.isEmpty()), e.eventNr().orElse(UNKNOWN), diskseq);
    }

    Seen withDiskseq(long seq) {
        return new Seen(name, uuid, eventNr, seq);
    }

    Seen withEventNr(long nr) {
        return new Seen(name, uuid, nr, diskseq);
    }

    /**
     * Whether the two cannot be one device: different block devices, a uuid lost or changed (a
     * uuid is set at most once), or an event counter that went back.
     */
    boolean provablyNot(Seen later) {
        if (diskseq != 0 && later.diskseq != 0) {
            return diskseq != later.diskseq;
        }
        // A sighting without a name (the device went before it could be read) shows nothing more.
        return later.name.isPresent() && (uuid.isPresent() && !uuid.equals(later.uuid) || later.eventNr != UNKNOWN && later.eventNr < eventNr);
    }

    /**
     * Whether the evidence says the two are one device: the same block device; or, where the block
     * device is not known on both sides, the same uuid (a uuid names one device at a time) with an
     * event counter that did not go back.
     */
    boolean sameDevice(Seen later) {
        if (diskseq != 0 && later.diskseq != 0) {
            return diskseq == later.diskseq;
        }
        return uuid.isPresent() && uuid.equals(later.uuid)
                && !(eventNr != UNKNOWN && later.eventNr != UNKNOWN && later.eventNr < eventNr);
    }
}
