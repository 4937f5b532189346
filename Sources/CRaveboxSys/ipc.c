#define _GNU_SOURCE
#include "CRaveboxSys.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int rb_futex_wait_ns(uint32_t *address, uint32_t expected, int64_t timeout_ns) {
    if (timeout_ns <= 0) {
        // A zero relative timeout would still enter the kernel; answer from the word itself.
        return __atomic_load_n(address, __ATOMIC_SEQ_CST) != expected ? 0 : ETIMEDOUT;
    }
    struct timespec timeout;
    timeout.tv_sec = (time_t)(timeout_ns / 1000000000LL);
    timeout.tv_nsec = (long)(timeout_ns % 1000000000LL);
    // Not FUTEX_PRIVATE_FLAG: the word lives in a MAP_SHARED mapping that other processes wait on too.
    // The timeout of FUTEX_WAIT is relative (CLOCK_MONOTONIC).
    long result = syscall(SYS_futex, address, FUTEX_WAIT, expected, &timeout, NULL, 0);
    if (result == 0) return 0;
    if (errno == EAGAIN) return 0;
    return errno;
}
