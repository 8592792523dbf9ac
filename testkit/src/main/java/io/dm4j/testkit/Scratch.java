package io.dm4j.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A {@link ScratchDisk} parameter that {@link DeviceMapperExtension} makes for the test: a new loop
 * device over a new sparse file, detached and deleted after the test.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Scratch {
    /**
     * The disk's size: bytes, or a number with a {@code K}, {@code M} or {@code G} suffix (powers
     * of 1024), a whole number of 512-byte sectors, e.g. {@code "64M"}.
     *
     * @return the size as written
     */
    String size() default "64M";
}
