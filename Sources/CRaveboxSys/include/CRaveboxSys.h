#ifndef CRAVEBOXSYS_H
#define CRAVEBOXSYS_H

#include <stdint.h>
#include <semaphore.h>
#include <sys/types.h>

/// Waits while the 32-bit word at `address` (in memory shared between processes) still holds `expected`,
/// for at most `timeout_ms` milliseconds. Returns 0 when woken or when the value already differs,
/// ETIMEDOUT on timeout, EINTR when a signal arrived.
int rb_futex_wait(uint32_t *address, uint32_t expected, int64_t timeout_ms);

/// Wakes every process waiting on `address`. Returns the number woken or -1.
int rb_futex_wake_all(uint32_t *address);

/// Starts `path` with `argv` (NULL-terminated) as a child process.
/// The child gets `stdout_fd` and `stderr_fd` as its standard output and error (-1 keeps the parent's),
/// `/dev/null` as standard input, and SIGTERM when the parent dies (PR_SET_PDEATHSIG), so no child
/// outlives a supervisor that was killed. Returns the child's pid, or -1 with errno set.
pid_t rb_spawn(const char *path, char *const argv[], int stdout_fd, int stderr_fd);

/// Sets the calling thread to SCHED_FIFO with `priority`. Returns 0 or an errno value.
int rb_set_realtime_priority(int priority);

/// Locks the process's pages in RAM (mlockall MCL_CURRENT | MCL_FUTURE, with MCL_ONFAULT where the kernel has
/// it, so reserved but untouched memory such as thread stacks is not committed) so the audio path never waits
/// for a page fault. Returns 0 or an errno value (EPERM/ENOMEM without CAP_IPC_LOCK or enough RLIMIT_MEMLOCK).
int rb_lock_memory(void);

/// Turns transparent huge pages off for this process and the children it starts (prctl PR_SET_THP_DISABLE,
/// inherited across fork and exec). With the kernel's "always" setting (Debian's), a heap that grows past 2 MiB
/// is backed by whole 2 MiB pages, which the box's small heaps mostly leave empty. Returns 0 or an errno value.
int rb_disable_transparent_hugepages(void);

/// Names the calling thread (at most 15 bytes are kept; shown by `top -H`, `ps -L`, gdb).
/// Sets the calling thread's nice value (Linux threads have their own); 0 on success, else errno.
int rb_set_thread_nice(int nice);

void rb_set_thread_name(const char *name);

/// Waits on `semaphore` until it is posted or `timeout_ns` nanoseconds (CLOCK_MONOTONIC) have passed,
/// resuming after signals. Returns 0 when posted, ETIMEDOUT on timeout.
int rb_semaphore_wait(sem_t *semaphore, int64_t timeout_ns);

/// Like `rb_futex_wait`, with a timeout in nanoseconds (`timeout_ns` <= 0 returns ETIMEDOUT at once unless the
/// word already differs, then 0). Used by the shared-memory doorbells, whose waits are often shorter than 1 ms.
/// Returns 0 when woken or when the value already differs, ETIMEDOUT on timeout, EINTR when a signal arrived.
int rb_futex_wait_ns(uint32_t *address, uint32_t expected, int64_t timeout_ns);

/// Configures an open spidev file descriptor: SPI `mode` (0...3, SPI_IOC_WR_MODE), `bits_per_word`
/// (SPI_IOC_WR_BITS_PER_WORD) and the default clock `speed_hz` (SPI_IOC_WR_MAX_SPEED_HZ). Returns 0 or the errno
/// of the first ioctl that failed: ENOTTY when `fd` is not a spidev device (the mode ioctl is tried first).
int rb_spi_configure(int fd, uint8_t mode, uint8_t bits_per_word, uint32_t speed_hz);

/// Sends `length` bytes from `buffer` as one SPI_IOC_MESSAGE(1) at `speed_hz`, 8 bits per word, nothing received.
/// spidev copies a whole message through its bounce buffer, so `length` must not exceed its `bufsiz` module
/// parameter (EMSGSIZE otherwise); callers split larger frames. Retries on EINTR; does not allocate.
/// Returns 0, or an errno value (EIO when the kernel reports fewer bytes than `length`).
int rb_spi_transfer(int fd, const void *buffer, uint32_t length, uint32_t speed_hz);

/// Selects the 7-bit I2C `address` that later write(2) calls on the i2c-dev descriptor `fd` go to (I2C_SLAVE).
/// Returns 0 or an errno value: ENOTTY when `fd` is not an i2c-dev device, EBUSY when a kernel driver has
/// claimed the address.
int rb_i2c_set_address(int fd, uint8_t address);

#endif
