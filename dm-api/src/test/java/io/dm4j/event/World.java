package io.dm4j.event;

import io.dm4j.DeviceNumber;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A model of what the monitor watches, as the kernel behaves (checked on Linux 6.1): the lowest
 * free minor goes to the next device at once; each device gets a DISKSEQ when created, but its
 * block device (and so sysfs and uevents) only with its first table: "add" then; "change" on a
 * resume or a rename; two "remove"s (one with a cookie) when removed with a block device, none
 * without. Every uevent of any subsystem takes the next SEQNUM. Each device is an identity, so a
 * test can check any claim the monitor makes about "the same device".
 */
final class World {
    static final int MAJOR = 253;

    /** One device's life; {@code id} is its identity. */
    static final class Dev {
        final int id;
        String name;
        final Optional<String> uuid;
        final int minor;
        final long diskseq;
        boolean hasDisk;
        long eventNr;
        boolean alive = true;
        /** Whether it had its table from its creation on (so the kernel announced it at once). */
        boolean bornWithTable;
        int createdAt;
        int removedAt = -1;
        final List<Integer> renamedAt = new ArrayList<>();
        final List<String> names = new ArrayList<>();

        Dev(int id, String name, Optional<String> uuid, int minor, long diskseq) {
            this.id = id;
            this.name = name;
            this.uuid = uuid;
            this.minor = minor;
            this.diskseq = diskseq;
        }

        DeviceNumber number() {
            return new DeviceNumber(MAJOR, minor);
        }
    }

    final Random random;
    final List<Dev> all = new ArrayList<>();
    final Map<Integer, Dev> byMinor = new HashMap<>();
    final List<Uevent> uevents = new ArrayList<>();
    private final List<Dev> removing = new ArrayList<>();
    private long seqnum = 100;
    private long diskseq = 10;
    private int names;
    /** The number of the operation being applied; snapshots are taken between operations. */
    int time;
    /** Operations applied, for failure messages. */
    final List<String> log = new ArrayList<>();

    World(long seed) {
        this.random = new Random(seed);
    }

    /** One random operation; names and uuids come from small pools so that they repeat. */
    void step() {
        time++;
        finishRemovals();
        List<Dev> alive = byMinor.values().stream().filter(d -> d.alive).toList();
        int op = random.nextInt(alive.isEmpty() ? 2 : 9);
        Dev d = alive.isEmpty() ? null : alive.get(random.nextInt(alive.size()));
        switch (op) {
            case 0, 1 -> create(random.nextBoolean());
            case 2 -> load(d);
            case 3 -> remove(d);
            case 4 -> rename(d);
            case 5 -> tableEvent(d);
            case 6 -> resume(d);
            case 7 -> other();
            default -> remove(d);
        }
    }

    private String freshName() {
        // A small pool, so that a name removed comes back at the same minor now and then.
        return "n" + (random.nextInt(3) == 0 ? random.nextInt(3) : names++);
    }

    Dev create(boolean withTable) {
        String name = freshName();
        if (byMinor.values().stream().anyMatch(x -> x.alive && x.name.equals(name))) {
            return null;
        }
        int minor = 0;
        while (byMinor.containsKey(minor)) {
            minor++;
        }
        // uuids are never reused (as the tools that set them make them), names often are
        Optional<String> uuid = random.nextBoolean() ? Optional.of("u" + all.size()) : Optional.empty();
        Dev d = new Dev(all.size(), name, uuid, minor, ++diskseq);
        d.createdAt = time;
        d.bornWithTable = withTable;
        d.names.add(name);
        all.add(d);
        byMinor.put(minor, d);
        log.add("create " + name + " " + uuid.orElse("-") + " at " + minor + " #" + d.id);
        if (withTable) {
            load(d);
            resume(d);
        }
        return d;
    }

    void load(Dev d) {
        if (!d.hasDisk) {
            d.hasDisk = true;
            log.add("load " + d.name);
            uevent(d, "add");
        }
    }

    void resume(Dev d) {
        if (d.hasDisk) {
            uevent(d, "change");
        }
    }

    /**
     * The kernel unlists a device first; its remove uevents and the freeing of its minor follow
     * (so a look can fall in between). They are done at the next operation, or by
     * {@link #finishRemovals()}.
     */
    void remove(Dev d) {
        log.add("remove " + d.name + " #" + d.id);
        d.alive = false;
        d.removedAt = time;
        if (d.hasDisk) {
            removing.add(d);
        } else {
            byMinor.remove(d.minor);
        }
    }

    void finishRemovals() {
        for (Dev d : removing) {
            uevent(d, "remove");
            other();
            uevent(d, "remove");
            byMinor.remove(d.minor);
        }
        removing.clear();
    }

    void rename(Dev d) {
        String to = freshName();
        if (byMinor.values().stream().anyMatch(x -> x.alive && x.name.equals(to))) {
            return;
        }
        log.add("rename " + d.name + " " + to + " #" + d.id);
        d.name = to;
        d.names.add(to);
        d.renamedAt.add(time);
        d.eventNr++;
        if (d.hasDisk) {
            uevent(d, "change");
        }
    }

    void tableEvent(Dev d) {
        log.add("event " + d.name);
        d.eventNr++;
    }

    /** A uevent of another subsystem: it takes a sequence number too. */
    void other() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("SUBSYSTEM", "bdi");
        p.put("SEQNUM", Long.toString(++seqnum));
        uevents.add(new Uevent("add", "/devices/virtual/bdi/253:0", seqnum, p));
    }

    private void uevent(Dev d, String action) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("SUBSYSTEM", "block");
        p.put("DEVTYPE", "disk");
        p.put("DEVNAME", "dm-" + d.minor);
        p.put("MAJOR", Integer.toString(MAJOR));
        p.put("MINOR", Integer.toString(d.minor));
        p.put("DISKSEQ", Long.toString(d.diskseq));
        p.put("SEQNUM", Long.toString(++seqnum));
        uevents.add(new Uevent(action, "/devices/virtual/block/dm-" + d.minor, seqnum, p));
    }

    long seqnum() {
        return seqnum;
    }

    /** The device list now; with {@code sysfs}, each entry carries its block device's diskseq. */
    Map<DeviceNumber, Seen> list(boolean sysfs) {
        Map<DeviceNumber, Seen> m = new HashMap<>();
        for (Dev d : byMinor.values()) {
            if (d.alive) {
                m.put(d.number(), seen(d, sysfs));
            }
        }
        return m;
    }

    /** Which identity each listed device is. */
    Map<DeviceNumber, Integer> identities() {
        Map<DeviceNumber, Integer> m = new HashMap<>();
        byMinor.values().stream().filter(d -> d.alive).forEach(d -> m.put(d.number(), d.id));
        return m;
    }

    static Seen seen(Dev d, boolean sysfs) {
        return new Seen(Optional.of(d.name), d.uuid, d.eventNr, sysfs && d.hasDisk ? d.diskseq : 0);
    }

    /** What sysfs shows now for the block device a uevent named, if it is still that one. */
    Optional<Seen> sysfs(Uevent u) {
        Dev d = byMinor.get(u.device().minor());
        return d != null && d.alive && d.hasDisk && d.diskseq == u.diskseq() ? Optional.of(seen(d, true).withEventNr(Seen.UNKNOWN))
                : Optional.empty();
    }

    Dev byId(int id) {
        return all.get(id);
    }
}
