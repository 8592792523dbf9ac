package io.dm4j.sys.jnr;

import io.dm4j.sys.testing.SyscallsContract;

class JnrSyscallsTest extends SyscallsContract {
    @Override
    protected String backend() {
        return "jnr";
    }
}
