package io.dm4j.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The annotated test class or method needs the kernel's device-mapper, and runs under
 * {@link DeviceMapperExtension}: where device-mapper cannot be used (no {@code /dev/mapper/control},
 * no {@code CAP_SYS_ADMIN}) its tests are skipped or fail, as {@link #onMissing()} says, with the
 * reason in the message. The system property {@code dm4j.testkit.required=true} turns every skip
 * into a failure, so that a CI run cannot pass by skipping.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(DeviceMapperExtension.class)
public @interface RequiresDeviceMapper {
    /**
     * What happens to the tests where device-mapper cannot be used.
     *
     * @return {@link Missing#SKIP} unless set
     */
    Missing onMissing() default Missing.SKIP;

    /** What a test needing device-mapper does where there is none. */
    enum Missing {
        /** The test is skipped, with the reason; a failure if {@code dm4j.testkit.required=true}. */
        SKIP,
        /** The test fails, with the reason. */
        FAIL
    }
}
