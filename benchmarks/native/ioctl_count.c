/*
 * LD_PRELOAD shim counting device-mapper ioctls, for lifecycle_libdm and lifecycle_raw (their
 * timed run then prints each phase's ioctls).
 *
 *   gcc -O2 -shared -fPIC -o ioctl_count.so ioctl_count.c -ldl
 *   LD_PRELOAD=./ioctl_count.so ./lifecycle_libdm libdm tst- 50 7:0
 *
 * It interposes ioctl(2), forwards every call to the next definition (libc's, found with
 * dlsym(RTLD_NEXT)) and counts, in the exported dm4j_dm_ioctls, the calls whose request has
 * _IOC_TYPE == DM_IOCTL (0xfd), failed ones included. The programs read the counter with
 * dlsym(RTLD_DEFAULT, "dm4j_dm_ioctls").
 *
 * Only calls that go through the dynamic symbol ioctl are seen: those of the program itself and of
 * the libraries it links (libdevmapper). A library that resolves ioctl with dlsym on a handle of
 * its own (dlopen("libc.so.6")), or that makes the system call directly, is not counted.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/dm-ioctl.h>
#include <stdarg.h>
#include <sys/ioctl.h>

/* Device-mapper ioctls made by this process since it started (all threads). */
__attribute__((visibility("default"))) unsigned long dm4j_dm_ioctls;

typedef int (*ioctl_fn)(int, unsigned long, ...);
static ioctl_fn real_ioctl;

static ioctl_fn next_ioctl(void)
{
	ioctl_fn fn = __atomic_load_n(&real_ioctl, __ATOMIC_ACQUIRE);
	if (!fn) {
		*(void **) &fn = dlsym(RTLD_NEXT, "ioctl");
		__atomic_store_n(&real_ioctl, fn, __ATOMIC_RELEASE);
	}
	return fn;
}

__attribute__((constructor)) static void ioctl_count_init(void)
{
	next_ioctl();
}

int ioctl(int fd, unsigned long request, ...)
{
	ioctl_fn fn = next_ioctl();
	va_list ap;
	void *arg;

	/* Every ioctl takes at most one argument, an int or a pointer: passed on as a word. */
	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (_IOC_TYPE(request) == DM_IOCTL)
		__atomic_fetch_add(&dm4j_dm_ioctls, 1, __ATOMIC_RELAXED);
	if (!fn) {
		errno = ENOSYS;
		return -1;
	}
	return fn(fd, request, arg);
}
