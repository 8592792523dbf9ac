package io.dm4j;

import io.dm4j.internal.ioctl.DmIoctl;

/** Ways to load a table. */
public enum LoadOption {
    /** The device becomes read-only when this table goes live. */
    READ_ONLY(DmIoctl.READONLY_FLAG),
    /** The table carries secrets (keys): the kernel wipes its copies after use. */
    SECURE_DATA(DmIoctl.SECURE_DATA_FLAG);

    final int flag;

    LoadOption(int flag) {
        this.flag = flag;
    }
}
