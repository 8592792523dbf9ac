package io.dm4j.registry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * An open channel on a managed device's block device, from {@link TableRegistry#openChannel}.
 * It holds a reference on the device until closed, so the program's own opens never race a
 * remove: a remove waits for every channel to close before it asks the kernel.
 */
public final class DeviceChannel implements AutoCloseable {
    private final String device;
    private final FileChannel channel;
    private final Hold hold;

    DeviceChannel(String device, FileChannel channel, Hold hold) {
        this.device = device;
        this.channel = channel;
        this.hold = hold;
    }

    /** The device this channel is open on. */
    public String device() {
        return device;
    }

    /** Reads at an absolute byte position; see {@link FileChannel#read(ByteBuffer, long)}. */
    public int read(ByteBuffer destination, long position) throws IOException {
        return channel.read(destination, position);
    }

    /** Writes at an absolute byte position; see {@link FileChannel#write(ByteBuffer, long)}. */
    public int write(ByteBuffer source, long position) throws IOException {
        return channel.write(source, position);
    }

    /** The device's size in bytes. */
    public long size() throws IOException {
        return channel.size();
    }

    /** Flushes written data to the device. */
    public void force() throws IOException {
        channel.force(true);
    }

    Hold hold() {
        return hold;
    }

    /** True until closed. */
    public boolean isOpen() {
        return !hold.isReleased();
    }

    /** Closes the file, then releases the device reference. Idempotent. */
    @Override
    public void close() throws IOException {
        hold.release();
    }
}
