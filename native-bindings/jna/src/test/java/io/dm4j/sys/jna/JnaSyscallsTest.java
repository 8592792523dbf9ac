package io.dm4j.sys.jna;

import io.dm4j.sys.testing.SyscallsContract;

class JnaSyscallsTest extends SyscallsContract {
    @Override
    protected String backend() {
        return "jna";
    }
}
