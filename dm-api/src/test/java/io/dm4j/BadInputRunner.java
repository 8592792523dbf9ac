package io.dm4j;

import io.dm4j.message.ThinPoolMessage;
import io.dm4j.registry.TableRegistry;
import io.dm4j.target.CryptKey;
import io.dm4j.target.Sectors;
import io.dm4j.target.Table;
import io.dm4j.testing.BadInputCorpus;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the API cases of the bad-input corpus against a {@link DeviceMapper} (a fake kernel or the
 * real one) and a registry over it, counting the ioctls each case issued.
 */
final class BadInputRunner {
    /** What one case did: what it threw (null if nothing) and how many ioctls it issued. */
    record Outcome(BadInputCorpus.Case c, Throwable thrown, long ioctls) {
        /** Why this outcome is not what the corpus expects, or null if it is. */
        String mismatch() {
            if (thrown == null) {
                return c + ": nothing was thrown";
            }
            if (!thrown.getClass().getSimpleName().equals(c.expected())) {
                return c + ": threw " + thrown;
            }
            if (c.local() && ioctls != 0) {
                return c + ": issued " + ioctls + " ioctls, though dm4j can refuse it itself";
            }
            return null;
        }
    }

    private final DeviceMapper dm;
    private final TableRegistry registry;
    private final Map<String, String> placeholders;

    BadInputRunner(DeviceMapper dm, TableRegistry registry, Map<String, String> placeholders) {
        this.dm = dm;
        this.registry = registry;
        this.placeholders = placeholders;
    }

    Outcome run(BadInputCorpus.Case c) {
        List<String> escaped = c.escapedArgs(placeholders);
        List<String> a = new AbstractList<>() { // unescaped when used: tables are split first
            @Override
            public String get(int i) {
                return BadInputCorpus.unescape(escaped.get(i));
            }

            @Override
            public int size() {
                return escaped.size();
            }
        };
        long before = dm.ioctlCount();
        Throwable thrown = null;
        try {
            invoke(c.operation(), a, escaped);
        } catch (Throwable t) { // the point: whatever it is, it is checked against the corpus
            thrown = t;
        }
        return new Outcome(c, thrown, dm.ioctlCount() - before);
    }

    private void invoke(String op, List<String> a, List<String> escaped) throws Exception {
        switch (op) {
            case "create" -> dm.create(a.get(0), a.size() > 1 ? CreateOptions.defaults().uuid(a.get(1))
                    : CreateOptions.defaults());
            case "createMinor" -> dm.create(a.get(0), CreateOptions.defaults().minor(Integer.parseInt(a.get(1))));
            case "info" -> dm.info(a.get(0));
            case "remove" -> dm.remove(a.get(0));
            case "removeDeferred" -> dm.removeDeferred(a.get(0));
            case "cancelDeferredRemove" -> dm.cancelDeferredRemove(a.get(0));
            case "suspend" -> dm.suspend(a.get(0));
            case "suspendNoFlush" -> dm.suspend(a.get(0), SuspendOption.NO_FLUSH);
            case "resume" -> dm.resume(a.get(0));
            case "clear" -> dm.clear(a.get(0));
            case "table" -> dm.table(a.get(0));
            case "tableInactive" -> dm.table(a.get(0), TableSlot.INACTIVE);
            case "status" -> dm.status(a.get(0));
            case "deps" -> dm.deps(a.get(0), TableSlot.LIVE);
            case "mknodes" -> dm.mknodes(a.get(0));
            case "rename" -> dm.rename(a.get(0), a.get(1));
            case "setUuid" -> dm.setUuid(a.get(0), a.get(1));
            case "list" -> dm.list(a.get(0), a.get(1));
            case "message" -> dm.message(a.get(0), Long.parseLong(a.get(1)), a.get(2));
            case "waitEvent" -> dm.waitEvent(a.get(0), Long.parseLong(a.get(1)));
            case "awaitEvent" -> dm.awaitEvent(a.get(0), Long.parseLong(a.get(1)), Duration.ofMillis(Long.parseLong(a.get(2))));
            case "geometry" -> dm.setGeometry(a.get(0), new Geometry(Long.parseLong(a.get(1)),
                    Integer.parseInt(a.get(2)), Integer.parseInt(a.get(3)), Long.parseLong(a.get(4))));
            case "targetVersion" -> dm.targetVersion(a.get(0));
            case "load" -> dm.load(a.get(0), lines(escaped.get(1)));
            case "loadStrict" -> dm.load(a.get(0), Table.parseStrict(a.get(1)));
            case "parseStrict" -> Table.parseStrict(a.get(0));
            case "sectors" -> Sectors.of(Long.parseLong(a.get(0)));
            case "sectorsOfBytes" -> Sectors.ofBytes(Long.parseLong(a.get(0)));
            case "deviceNumber" -> DeviceNumber.parse(a.get(0));
            case "deviceNumberOf" -> new DeviceNumber(Integer.parseInt(a.get(0)), Integer.parseInt(a.get(1)));
            case "cryptKeyHex" -> CryptKey.fromHex(a.get(0)).close();
            case "cryptKeyRandom" -> CryptKey.random(Integer.parseInt(a.get(0))).close();
            case "thinCreate" -> ThinPoolMessage.createThin(Long.parseLong(a.get(0)));
            case "thinSnapshot" -> ThinPoolMessage.createSnapshot(Long.parseLong(a.get(0)), Long.parseLong(a.get(1)));
            case "thinDelete" -> ThinPoolMessage.delete(Long.parseLong(a.get(0)));
            case "regCreate" -> registry.create(a.get(0), CreateOptions.defaults(), lines(escaped.get(1)));
            case "regLoad" -> registry.load(a.get(0), lines(escaped.get(1)));
            case "regResume" -> registry.resume(a.get(0));
            case "regRemove" -> registry.remove(a.get(0));
            case "regRename" -> registry.rename(a.get(0), a.get(1));
            case "regAcquire" -> registry.acquire(a.get(0)).close();
            case "regOpenChannel" -> registry.openChannel(a.get(0), StandardOpenOption.READ).close();
            case "adopt" -> registry.adopt(a.get(0));
            default -> throw new IllegalStateException("the corpus names an unknown operation: " + op);
        }
    }

    /**
     * Escaped table text as {@link TargetLine}s, one per line, each {@code start length type
     * [params]}. The runner only splits, then unescapes each field, so that every rule is left to
     * the library and a huge parameter string exists once.
     */
    private static List<TargetLine> lines(String escaped) {
        List<TargetLine> lines = new ArrayList<>();
        if (escaped.isEmpty()) {
            return lines;
        }
        for (String line : escaped.split("\\\\n", -1)) {
            String[] w = line.split(" ", 4);
            lines.add(new TargetLine(Long.parseLong(w[0]), Long.parseLong(w[1]),
                    w.length > 2 ? BadInputCorpus.unescape(w[2]) : "", w.length > 3 ? BadInputCorpus.unescape(w[3]) : ""));
        }
        return lines;
    }
}
