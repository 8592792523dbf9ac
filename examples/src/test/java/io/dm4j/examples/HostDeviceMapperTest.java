package io.dm4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dm4j.DeviceMapper;
import io.dm4j.DeviceMapperException;
import io.dm4j.NodePolicy;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/** Why device-mapper is not usable here, told apart from other failures to open it. */
class HostDeviceMapperTest {
    /** The failure DeviceMapper.open raises when opening the control node fails with {@code errno}. */
    private static DeviceMapperException openFailingWith(Errno errno) {
        Syscalls refusing = (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(),
                new Class<?>[] {Syscalls.class}, (proxy, method, args) -> {
                    if (method.getName().equals("open")) {
                        throw new ErrnoException("open", (String) args[0], errno.number());
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        return catchThrowableOfType(DeviceMapperException.class,
                () -> DeviceMapper.open(DeviceMapper.CONTROL, refusing, NodePolicy.NONE));
    }

    @Test
    void withoutTheDriverTheAnswerIsToLoadItWhateverOpeningSaid() {
        for (Errno errno : new Errno[] {Errno.ENOENT, Errno.ENODEV, Errno.EACCES}) {
            assertThat(HostDeviceMapper.whyNotUsable(openFailingWith(errno), false)).hasValueSatisfying(why ->
                    assertThat(why).startsWith("dm_mod is not loaded").contains(errno.name() + " opening "
                            + DeviceMapper.CONTROL).endsWith("load it with 'modprobe dm_mod' as root"));
        }
    }

    @Test
    void withTheDriverTheAnswerIsThePrivilegeOrTheNode() {
        for (Errno errno : new Errno[] {Errno.EACCES, Errno.EPERM}) {
            assertThat(HostDeviceMapper.whyNotUsable(openFailingWith(errno), true)).hasValueSatisfying(why ->
                    assertThat(why).contains("CAP_SYS_ADMIN").contains(errno.name()).contains("run as root"));
        }
        for (Errno errno : new Errno[] {Errno.ENOENT, Errno.ENXIO, Errno.ENODEV}) {
            assertThat(HostDeviceMapper.whyNotUsable(openFailingWith(errno), true)).hasValueSatisfying(why ->
                    assertThat(why).contains(DeviceMapper.CONTROL + " is missing or stale").contains(errno.name())
                            .contains("dmsetup mknodes"));
        }
    }

    @Test
    void otherFailuresAreNotAboutThisHost() {
        for (Errno errno : new Errno[] {Errno.EMFILE, Errno.ENOMEM, Errno.EIO}) {
            assertThat(HostDeviceMapper.whyNotUsable(openFailingWith(errno), false)).as("%s", errno).isEmpty();
        }
    }
}
