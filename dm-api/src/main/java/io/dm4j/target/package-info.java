/**
 * Typed device-mapper targets and tables.
 *
 * <p>Each in-tree target a storage program uses is a record implementing the sealed
 * {@link io.dm4j.target.Target}: it checks its fields against the kernel's rules before any ioctl,
 * and {@link io.dm4j.target.Target#params()} produces exactly the parameter string the kernel
 * reports back for the live table (checked against Linux 6.1), which
 * {@link io.dm4j.target.Target#parse} reads back. Any other target is a
 * {@link io.dm4j.target.RawTarget}. A {@link io.dm4j.target.Table} strings targets together and
 * reads and writes the {@code dmsetup} table text.
 *
 * <p>Sizes are {@link io.dm4j.target.Sectors}, never bare numbers; devices are
 * {@link io.dm4j.DeviceNumber}s ({@code DeviceNumber.ofBlockDevice(path)} resolves a node). Crypt
 * keys live in {@link io.dm4j.target.CryptKey}s and never in {@code String}s.
 *
 * <pre>{@code
 * try (DeviceMapper dm = DeviceMapper.open(); CryptKey key = CryptKey.random(64)) {
 *     DeviceNumber disk = DeviceNumber.ofBlockDevice(Path.of("/dev/loop0"));
 *     Table table = Table.builder()
 *             .append(Sectors.ofBytes(1L << 30), CryptTarget.of("aes-xts-plain64", key, disk))
 *             .build();
 *     dm.create("secret");
 *     dm.load("secret", table);           // the key goes to the kernel as bytes, flagged secure
 *     dm.resume("secret");
 *     System.out.print(dm.typedTable("secret", TableSlot.LIVE, KeyDisclosure.HIDDEN).format());
 * }
 * }</pre>
 */
package io.dm4j.target;
