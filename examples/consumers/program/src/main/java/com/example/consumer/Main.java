package com.example.consumer;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.DeviceNumber;
import io.dm4j.TargetLine;
import io.dm4j.TargetStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What an application does with dm4j: makes a 1 MiB device of zeros, reads it back and removes it.
 * The three consumer projects build this one program against different dependencies and run it
 * from the class path or the module path (see README.md). As root: {@code ... Main NAME}.
 */
public final class Main {
    public static void main(String[] args) throws IOException {
        String name = args.length > 0 ? args[0] : "dm4j-consumer";
        List<TargetLine> table = List.of(new TargetLine(0, 2048, "zero", ""));
        Path node = Path.of("/dev/mapper", name);

        try (DeviceMapper dm = DeviceMapper.open()) {
            dm.create(name);
            try {
                dm.load(name, table);
                dm.resume(name);

                DeviceInfo info = dm.info(name);
                expect(info.hasLiveTable() && !info.suspended() && info.targetCount() == 1, "info", info);
                expect(dm.table(name).equals(table), "table", dm.table(name));
                expect(dm.status(name).equals(List.of(new TargetStatus(0, 2048, "zero", ""))), "status",
                        dm.status(name));
                expect(DeviceNumber.ofBlockDevice(node).equals(info.device()), "node", node);
                byte[] data = Files.readAllBytes(node);
                expect(data.length == 2048 * 512 && allZero(data), "bytes read", data.length);
            } finally {
                dm.remove(name);
            }
            expect(Files.notExists(node), "node after remove", node);
            try {
                dm.info(name);
                expect(false, "device after remove", name);
            } catch (DeviceNotFoundException gone) {
                // as it should be
            }
            System.out.printf("consumer: ok on Java %s with backend %s from the %s (%s created, loaded, resumed,"
                    + " read back, removed)%n", Runtime.version(), dm.backend(),
                    Main.class.getModule().isNamed() ? "module path" : "class path", name);
        }
    }

    private static boolean allZero(byte[] data) {
        for (byte b : data) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void expect(boolean ok, String what, Object actual) {
        if (!ok) {
            throw new IllegalStateException("unexpected " + what + ": " + actual);
        }
    }
}
