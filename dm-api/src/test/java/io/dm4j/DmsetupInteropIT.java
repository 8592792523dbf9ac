package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.LoopDevices;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * dmsetup is the reference client: what dm4j creates, dmsetup must read identically, and the
 * other way round.
 */
@ExtendWith(RealKernel.class)
class DmsetupInteropIT {
    @RegisterExtension
    static final LoopDevices LOOPS = new LoopDevices(2, 16L << 20);

    static LoopDevice loopA;
    static LoopDevice loopB;
    static DeviceMapper dm;

    @BeforeAll
    static void setUp() throws IOException {
        loopA = LOOPS.get(0);
        loopB = LOOPS.get(1);
        dm = DeviceMapper.open();
    }

    @AfterAll
    static void tearDown() throws IOException {
        dm.close();
    }

    /** A spread of targets: multi-target linear, striped, zero+error, and a read-only one. */
    private static Map<String, List<TargetLine>> tables() {
        Map<String, List<TargetLine>> t = new TreeMap<>();
        t.put("linear", List.of(new TargetLine(0, 4096, "linear", loopA.number() + " 0"),
                new TargetLine(4096, 4096, "linear", loopB.number() + " 8")));
        t.put("striped", List.of(new TargetLine(0, 8192, "striped", "2 128 " + loopA.number() + " 8192 "
                + loopB.number() + " 8192")));
        t.put("zero-error", List.of(new TargetLine(0, 1000, "zero", ""), new TargetLine(1000, 24, "error", "")));
        t.put("readonly", List.of(new TargetLine(0, 2048, "linear", loopB.number() + " 16384")));
        return t;
    }

    /** What dmsetup says about one device, in fields that dm4j can say too. */
    private record Seen(String info, String table, String status, String deps) {}

    private static Seen bySetup(String name) {
        return new Seen(Commands.check("dmsetup", "info", "-c", "--noheadings", "--separator", "|", "-o",
                "name,uuid,major,minor,open,segments,events,suspended,readonly,tables_loaded", name).strip(),
                Commands.check("dmsetup", "table", name),
                Commands.check("dmsetup", "status", name),
                Commands.check("dmsetup", "deps", "-o", "devno", name).strip());
    }

    /** The same fields, rendered from dm4j's answers in dmsetup's formats. */
    private static Seen byDm4j(String name) throws IOException {
        DeviceInfo i = dm.info(name);
        String info = String.join("|", i.name(), i.uuid().orElse(""), Integer.toString(i.device().major()),
                Integer.toString(i.device().minor()), Integer.toString(i.openCount()),
                Integer.toString(i.targetCount()), Long.toString(i.eventNr()),
                i.suspended() ? "Suspended" : "Active", i.flags().contains(DeviceFlag.READ_ONLY) ? "Read-only" : "Writeable",
                i.hasLiveTable() ? (i.hasInactiveTable() ? "Live & Inactive" : "Live") : (i.hasInactiveTable() ? "Inactive" : "None"));
        String table = dm.table(name).stream().map(l -> l.start() + " " + l.length() + " " + l.type() + " " + l.params() + "\n")
                .collect(Collectors.joining());
        String status = dm.status(name).stream().map(s -> s.start() + " " + s.length() + " " + s.type() + " " + s.status() + "\n")
                .collect(Collectors.joining());
        List<DeviceNumber> deps = dm.deps(name, TableSlot.LIVE);
        String depsText = deps.size() + " dependencies\t: " + deps.stream()
                .map(d -> "(" + d.major() + ", " + d.minor() + ")").collect(Collectors.joining(" "));
        return new Seen(info, table, status, depsText.strip());
    }

    private static Map<String, String> dmsetupLs() {
        Map<String, String> ls = new TreeMap<>();
        for (String line : Commands.check("dmsetup", "ls").lines().toList()) {
            String[] parts = line.split("\t");
            if (parts[0].startsWith(RealKernel.prefix())) {
                ls.put(parts[0], parts[1].strip());
            }
        }
        return ls;
    }

    private static Map<String, String> dm4jLs() throws IOException {
        Map<String, String> ls = new TreeMap<>();
        for (DeviceListEntry e : dm.list(RealKernel.prefix(), "")) {
            ls.put(e.name(), "(" + e.device() + ")");
        }
        return ls;
    }

    @Test
    void dmsetupReadsWhatDm4jCreated() throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (Map.Entry<String, List<TargetLine>> t : tables().entrySet()) {
                String name = RealKernel.name("j-" + t.getKey());
                dm.create(name, CreateOptions.defaults().uuid(RealKernel.name("uuid-j-" + t.getKey())));
                names.add(name);
                if (t.getKey().equals("readonly")) {
                    dm.load(name, t.getValue(), LoadOption.READ_ONLY);
                } else {
                    dm.load(name, t.getValue());
                }
                dm.resume(name);
            }
            for (String name : names) {
                Seen setup = bySetup(name);
                assertThat(byDm4j(name)).as(name).isEqualTo(setup);
            }
            assertThat(bySetup(RealKernel.name("j-readonly")).info()).contains("|Read-only|");
            assertThat(dm4jLs()).isEqualTo(dmsetupLs()).hasSize(names.size());
        } finally {
            for (String name : names) {
                dm.remove(name);
            }
        }
    }

    @Test
    void dm4jReadsWhatDmsetupCreated() throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (Map.Entry<String, List<TargetLine>> t : tables().entrySet()) {
                String name = RealKernel.name("s-" + t.getKey());
                String text = t.getValue().stream().map(TargetLine::toString).collect(Collectors.joining("\n"));
                List<String> create = new ArrayList<>(List.of("dmsetup", "create", name, "--uuid",
                        RealKernel.name("uuid-s-" + t.getKey()), "--table", text));
                if (t.getKey().equals("readonly")) {
                    create.add("--readonly");
                }
                Commands.check(create.toArray(String[]::new));
                names.add(name);
                assertThat(dm.table(name)).as(name).isEqualTo(t.getValue());
            }
            for (String name : names) {
                assertThat(byDm4j(name)).as(name).isEqualTo(bySetup(name));
            }
            assertThat(dm.info(RealKernel.name("s-readonly")).flags()).contains(DeviceFlag.READ_ONLY);
            assertThat(dm4jLs()).isEqualTo(dmsetupLs()).hasSize(names.size());
        } finally {
            for (String name : names) {
                Commands.check("dmsetup", "remove", name);
            }
        }
    }
}
