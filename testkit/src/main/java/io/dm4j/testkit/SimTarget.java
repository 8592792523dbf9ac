package io.dm4j.testkit;

import io.dm4j.DeviceNumber;
import io.dm4j.DmVersion;
import io.dm4j.sys.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One target of a simulated table, built by its type's constructor from the table line the way
 * the kernel's target does ({@code linear_ctr}, {@code stripe_ctr}, {@code pool_ctr}, ...), with
 * the status lines of the kernel's {@code .status} functions.
 */
abstract class SimTarget {

    /** What {@code DM_TABLE_STATUS} asks for. */
    enum StatusType { INFO, TABLE, IMA }

    /** What a constructor may ask of the table being built. */
    interface Context {
        /**
         * {@code dm_get_device} and the device-area check: resolves "major:minor" or a path, opens
         * it for this table, and checks that the sectors fit.
         */
        DeviceNumber device(String arg, long start, long length) throws KernelError;

        /** The pool whose thin-pool table is on the given device, or null. */
        PoolTarget poolOn(DeviceNumber device);

        /** The thin pool metadata kept on the given metadata device, made fresh on first use. */
        PoolMetadata metadata(DeviceNumber metadataDevice, long metadataSectors);

        long sectors(DeviceNumber device);

        /** The table is loaded read-only. */
        boolean readOnly();
    }

    /** A target type the simulator knows. */
    record Type(String name, DmVersion version, Constructor constructor) {}

    @FunctionalInterface
    interface Constructor {
        SimTarget make(Type type, long start, long length, List<String> argv, Context context) throws KernelError;
    }

    final Type type;
    final long start;
    final long length;

    SimTarget(Type type, long start, long length) {
        this.type = type;
        this.start = start;
        this.length = length;
    }

    /** The text of the status line; types without a status function give "". */
    String status(StatusType statusType) {
        return "";
    }

    /** {@code .message}; types without one refuse. */
    String message(List<String> argv) throws KernelError {
        throw KernelError.inval("Target type does not support messages");
    }

    /** The table holding this target is destroyed. */
    void destroy() {
    }

    static List<Type> builtIn() {
        return List.of(
                new Type("linear", new DmVersion(1, 4, 0), Linear::new),
                new Type("striped", new DmVersion(1, 6, 0), Striped::make),
                new Type("zero", new DmVersion(1, 2, 0), (t, s, l, a, c) -> {
                    if (!a.isEmpty()) {
                        throw KernelError.inval("zero: No arguments required");
                    }
                    return new Silent(t, s, l);
                }),
                new Type("error", new DmVersion(1, 6, 0), (t, s, l, a, c) -> new Silent(t, s, l)),
                new Type("thin-pool", new DmVersion(1, 22, 0), PoolTarget::make),
                new Type("thin", new DmVersion(1, 22, 0), Thin::make));
    }

    /** A type registered by the user: any arguments accepted and echoed back as the table. */
    static Type opaque(String name, DmVersion version) {
        return new Type(name, version, Opaque::new);
    }

    static long number(String arg, String error) throws KernelError {
        try {
            long n = Long.parseUnsignedLong(arg);
            if (arg.startsWith("+")) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw KernelError.inval(error);
        }
    }

    private String imaHead() {
        DmVersion v = type.version();
        return "target_name=" + type.name() + ",target_version=" + v.major() + "." + v.minor() + "." + v.patch();
    }

    private static final class Silent extends SimTarget {
        Silent(Type type, long start, long length) {
            super(type, start, length);
        }
    }

    private static final class Opaque extends SimTarget {
        private final String params;

        Opaque(Type type, long start, long length, List<String> argv, Context context) {
            super(type, start, length);
            this.params = String.join(" ", argv);
        }

        @Override
        String status(StatusType statusType) {
            return statusType == StatusType.TABLE ? params : "";
        }
    }

    private static final class Linear extends SimTarget {
        private final DeviceNumber dev;
        private final long offset;

        Linear(Type type, long start, long length, List<String> argv, Context context) throws KernelError {
            super(type, start, length);
            if (argv.size() != 2) {
                throw KernelError.inval("linear: Invalid argument count");
            }
            this.offset = number(argv.get(1), "linear: Invalid device sector");
            this.dev = context.device(argv.get(0), offset, length);
        }

        @Override
        String status(StatusType statusType) {
            return switch (statusType) {
                case INFO -> "";
                case TABLE -> dev + " " + offset;
                case IMA -> super.imaHead() + ",device_name=" + dev + ",start=" + offset + ";";
            };
        }
    }

    private static final class Striped extends SimTarget {
        private final long chunk;
        private final List<DeviceNumber> devs;
        private final List<Long> offsets;

        private Striped(Type type, long start, long length, long chunk, List<DeviceNumber> devs, List<Long> offsets) {
            super(type, start, length);
            this.chunk = chunk;
            this.devs = devs;
            this.offsets = offsets;
        }

        static SimTarget make(Type type, long start, long length, List<String> argv, Context context)
                throws KernelError {
            if (argv.size() < 2) {
                throw KernelError.inval("striped: Not enough arguments");
            }
            long stripes = number(argv.get(0), "striped: Invalid stripe count");
            long chunk = number(argv.get(1), "striped: Invalid chunk_size");
            if (stripes == 0) {
                throw KernelError.inval("striped: Invalid stripe count");
            }
            if (chunk == 0) {
                throw KernelError.inval("striped: Invalid chunk_size");
            }
            if (length % stripes != 0) {
                throw KernelError.inval("striped: Target length not divisible by number of stripes");
            }
            long width = length / stripes;
            if (width % chunk != 0) {
                throw KernelError.inval("striped: Target length not divisible by chunk size");
            }
            if (argv.size() != 2 + 2 * stripes) {
                throw KernelError.inval("striped: Not enough destinations specified");
            }
            List<DeviceNumber> devs = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            for (int i = 0; i < stripes; i++) {
                long offset = number(argv.get(3 + 2 * i), "striped: Invalid device sector");
                devs.add(context.device(argv.get(2 + 2 * i), offset, width));
                offsets.add(offset);
            }
            return new Striped(type, start, length, chunk, List.copyOf(devs), List.copyOf(offsets));
        }

        @Override
        String status(StatusType statusType) {
            StringBuilder s = new StringBuilder();
            switch (statusType) {
                case INFO -> {
                    s.append(devs.size()).append(' ');
                    devs.forEach(d -> s.append(d).append(' '));
                    s.append("1 ").append("A".repeat(devs.size()));
                }
                case TABLE -> {
                    s.append(devs.size()).append(' ').append(chunk);
                    for (int i = 0; i < devs.size(); i++) {
                        s.append(' ').append(devs.get(i)).append(' ').append(offsets.get(i));
                    }
                }
                case IMA -> {
                    s.append(super.imaHead()).append(",stripes=").append(devs.size()).append(",chunk_size=").append(chunk);
                    for (int i = 0; i < devs.size(); i++) {
                        s.append(",stripe_").append(i).append("_device_name=").append(devs.get(i))
                                .append(",stripe_").append(i).append("_physical_start=").append(offsets.get(i))
                                .append(",stripe_").append(i).append("_status=A");
                    }
                    s.append(';');
                }
            }
            return s.toString();
        }
    }

    /**
     * What a thin pool keeps on its metadata device: it outlives the pool's tables, as the real
     * metadata does, for as long as the simulator lives.
     */
    static final class PoolMetadata {
        /** A fresh pool's metadata already uses a few blocks (superblock, space maps, roots). */
        private static final long FRESH_BLOCKS = 10;
        final long totalBlocks;
        long transactionId;
        boolean heldRoot;
        /** Thin device id to how many tables have it open. */
        final Map<Long, Integer> thins = new TreeMap<>();

        PoolMetadata(long metadataSectors) {
            // 4 KiB metadata blocks, at most what the kernel addresses (THIN_METADATA_MAX_SECTORS).
            this.totalBlocks = Math.min(metadataSectors, 255L * (1 << 14) * 8) / 8;
        }

        long usedBlocks() {
            return FRESH_BLOCKS + thins.size();
        }
    }

    static final class PoolTarget extends SimTarget {
        private final DeviceNumber metadataDev;
        private final DeviceNumber dataDev;
        private final long blockSize;
        private final long lowWater;
        private final List<String> features;
        private final PoolMetadata metadata;

        private PoolTarget(Type type, long start, long length, DeviceNumber metadataDev, DeviceNumber dataDev,
                long blockSize, long lowWater, List<String> features, PoolMetadata metadata) {
            super(type, start, length);
            this.metadataDev = metadataDev;
            this.dataDev = dataDev;
            this.blockSize = blockSize;
            this.lowWater = lowWater;
            this.features = features;
            this.metadata = metadata;
        }

        static SimTarget make(Type type, long start, long length, List<String> argv, Context context)
                throws KernelError {
            if (argv.size() < 4) {
                throw KernelError.inval("thin-pool: Invalid argument count");
            }
            if (context.readOnly()) {
                throw KernelError.inval("thin-pool: the pool must be loaded read-write");
            }
            List<String> features = new ArrayList<>();
            if (argv.size() > 4) {
                long n = number(argv.get(4), "thin-pool: Invalid number of pool feature arguments");
                if (n != argv.size() - 5) {
                    throw KernelError.inval("thin-pool: Invalid number of pool feature arguments");
                }
                for (String f : argv.subList(5, argv.size())) {
                    if (!List.of("skip_block_zeroing", "ignore_discard", "no_discard_passdown", "read_only",
                            "error_if_no_space").contains(f.toLowerCase(java.util.Locale.ROOT))) {
                        throw KernelError.inval("thin-pool: Unrecognised pool feature requested");
                    }
                    features.add(f.toLowerCase(java.util.Locale.ROOT));
                }
            }
            DeviceNumber meta = context.device(argv.get(0), 0, 0);
            long blockSize = number(argv.get(2), "thin-pool: Invalid block size");
            if (blockSize < 128 || blockSize > 2097152 || blockSize % 128 != 0) {
                throw KernelError.inval("thin-pool: Invalid block size");
            }
            long lowWater = number(argv.get(3), "thin-pool: Invalid low water mark");
            DeviceNumber data = context.device(argv.get(1), 0, length);
            return new PoolTarget(type, start, length, meta, data, blockSize, lowWater, List.copyOf(features),
                    context.metadata(meta, context.sectors(meta)));
        }

        private boolean readOnly() {
            return features.contains("read_only");
        }

        @Override
        String status(StatusType statusType) {
            return switch (statusType) {
                case INFO -> {
                    long dataBlocks = length / blockSize;
                    String discard = features.contains("ignore_discard") ? "ignore_discard"
                            : features.contains("no_discard_passdown") ? "no_discard_passdown" : "discard_passdown";
                    yield metadata.transactionId + " " + metadata.usedBlocks() + "/" + metadata.totalBlocks + " 0/"
                            + dataBlocks + " " + (metadata.heldRoot ? String.valueOf(metadata.usedBlocks()) : "-")
                            + " " + (readOnly() ? "ro" : "rw") + " " + discard + " "
                            + (features.contains("error_if_no_space") ? "error_if_no_space" : "queue_if_no_space")
                            + " - " + Math.min(1024, metadata.totalBlocks / 4) + " ";
                }
                case TABLE -> {
                    StringBuilder s = new StringBuilder();
                    s.append(metadataDev).append(' ').append(dataDev).append(' ').append(blockSize).append(' ')
                            .append(lowWater).append(' ').append(features.size()).append(' ');
                    // The kernel emits its features in a fixed order, whatever order the table gave.
                    for (String f : List.of("skip_block_zeroing", "ignore_discard", "no_discard_passdown",
                            "read_only", "error_if_no_space")) {
                        if (features.contains(f)) {
                            s.append(f).append(' ');
                        }
                    }
                    yield s.toString();
                }
                case IMA -> "";
            };
        }

        @Override
        String message(List<String> argv) throws KernelError {
            if (readOnly()) {
                throw new KernelError(Errno.EOPNOTSUPP,
                        "thin-pool: unable to service pool target messages in READ_ONLY or FAIL mode");
            }
            String verb = argv.get(0).toLowerCase(java.util.Locale.ROOT);
            int want = switch (verb) {
                case "create_thin", "delete" -> 2;
                case "create_snap", "set_transaction_id" -> 3;
                case "reserve_metadata_snap", "release_metadata_snap" -> 1;
                default -> throw KernelError.inval("thin-pool: Unrecognised thin pool target message received: "
                        + argv.get(0));
            };
            if (argv.size() != want) {
                throw KernelError.inval("thin-pool: Incorrect number of arguments");
            }
            switch (verb) {
                case "create_thin" -> create(number(argv.get(1), "thin-pool: Invalid device id"));
                case "create_snap" -> {
                    long id = number(argv.get(1), "thin-pool: Invalid device id");
                    long origin = number(argv.get(2), "thin-pool: Invalid origin id");
                    if (!metadata.thins.containsKey(origin)) {
                        throw new KernelError(Errno.ENODATA, "thin-pool: Creation of new snapshot failed");
                    }
                    create(id);
                }
                case "delete" -> {
                    long id = number(argv.get(1), "thin-pool: Invalid device id");
                    Integer open = metadata.thins.get(id);
                    if (open == null) {
                        throw new KernelError(Errno.ENODATA, "thin-pool: Deletion of thin device failed");
                    }
                    if (open > 0) {
                        throw new KernelError(Errno.EBUSY, "thin-pool: Deletion of thin device failed");
                    }
                    metadata.thins.remove(id);
                }
                case "set_transaction_id" -> {
                    long old = number(argv.get(1), "thin-pool: Invalid current transaction id");
                    long next = number(argv.get(2), "thin-pool: Invalid new transaction id");
                    if (old != metadata.transactionId) {
                        throw KernelError.inval("thin-pool: mismatched transaction id");
                    }
                    metadata.transactionId = next;
                }
                case "reserve_metadata_snap" -> {
                    if (metadata.heldRoot) {
                        throw new KernelError(Errno.EBUSY, "thin-pool: Pool metadata snapshot already exists");
                    }
                    metadata.heldRoot = true;
                }
                default -> {
                    if (!metadata.heldRoot) {
                        throw KernelError.inval("thin-pool: No pool metadata snapshot found: nothing to release");
                    }
                    metadata.heldRoot = false;
                }
            }
            return null;
        }

        private void create(long id) throws KernelError {
            if (id >= 1L << 24) {
                throw KernelError.inval("thin-pool: Invalid device id");
            }
            if (metadata.thins.containsKey(id)) {
                throw new KernelError(Errno.EEXIST, "thin-pool: Creation of new thinly-provisioned device failed");
            }
            metadata.thins.put(id, 0);
        }
    }

    private static final class Thin extends SimTarget {
        private final DeviceNumber poolDev;
        private final long id;
        private final DeviceNumber origin;
        private final PoolMetadata metadata;

        private Thin(Type type, long start, long length, DeviceNumber poolDev, long id, DeviceNumber origin,
                PoolMetadata metadata) {
            super(type, start, length);
            this.poolDev = poolDev;
            this.id = id;
            this.origin = origin;
            this.metadata = metadata;
        }

        static SimTarget make(Type type, long start, long length, List<String> argv, Context context)
                throws KernelError {
            if (argv.size() != 2 && argv.size() != 3) {
                throw KernelError.inval("thin: Invalid argument count");
            }
            DeviceNumber poolDev = context.device(argv.get(0), 0, 0);
            DeviceNumber origin = argv.size() == 3 ? context.device(argv.get(2), 0, 0) : null;
            PoolTarget pool = context.poolOn(poolDev);
            if (pool == null) {
                throw KernelError.inval("thin: Couldn't find pool object");
            }
            long id = number(argv.get(1), "thin: Invalid device id");
            if (!pool.metadata.thins.containsKey(id)) {
                throw new KernelError(Errno.ENODATA, "thin: Couldn't open thin internal device");
            }
            pool.metadata.thins.merge(id, 1, Integer::sum);
            return new Thin(type, start, length, poolDev, id, origin, pool.metadata);
        }

        @Override
        String status(StatusType statusType) {
            return switch (statusType) {
                case INFO -> metadata.thins.containsKey(id) ? "0 -" : "Fail";
                case TABLE -> poolDev + " " + id + (origin == null ? "" : " " + origin);
                case IMA -> "";
            };
        }

        @Override
        void destroy() {
            metadata.thins.computeIfPresent(id, (k, n) -> n - 1);
        }
    }
}
