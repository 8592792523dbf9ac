package io.dm4j.sys.ffm;

import io.dm4j.sys.testing.SyscallsContract;

class FfmSyscallsTest extends SyscallsContract {
    @Override
    protected String backend() {
        return "ffm";
    }
}
