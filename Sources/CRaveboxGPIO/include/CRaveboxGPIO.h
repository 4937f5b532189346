#ifndef CRAVEBOXGPIO_H
#define CRAVEBOXGPIO_H

#include <stddef.h>
#include <stdint.h>

/// A set of requested GPIO lines on one chip (inputs with edge events, or one output). Opaque: the libgpiod v1 and
/// v2 objects behind it differ, the functions below do not.
typedef struct rb_gpio_lines rb_gpio_lines;

/// One edge on a requested input line.
typedef struct rb_gpio_edge {
    /// The line's offset on its chip.
    unsigned int offset;
    /// 1 for a rising edge (the line is now high), 0 for a falling one.
    int rising;
    /// When the kernel saw the edge, in nanoseconds of CLOCK_MONOTONIC.
    uint64_t timestamp_ns;
} rb_gpio_edge;

/// The step that failed when a request returns NULL.
enum {
    /// `gpiod_chip_open` failed: no such file, no permission, or not a GPIO chip.
    RB_GPIO_FAILED_OPEN = 1,
    /// The chip opened but the kernel refused the lines (offset out of range, line busy, bad flags).
    RB_GPIO_FAILED_REQUEST = 2,
};

/// The libgpiod API this file was compiled against: 1 (libgpiod 1.x, Debian 12) or 2 (libgpiod 2.x, Debian 13).
int rb_gpio_api_major(void);

/// Opens and closes the chip at `path`. Returns 0, or the errno of the failure.
int rb_gpio_chip_check(const char *path);

/// Requests `count` lines (at most 64) as inputs with the internal pull-up, edge events on both edges timestamped
/// with CLOCK_MONOTONIC, and (libgpiod v2 only) the kernel's debounce of `debounce_us` microseconds (0 = none).
/// Returns NULL with errno set and `*failed_step` set to `RB_GPIO_FAILED_OPEN` or `RB_GPIO_FAILED_REQUEST`.
rb_gpio_lines *rb_gpio_request_inputs(const char *path, const unsigned int *offsets, size_t count,
                                      const char *consumer, unsigned long debounce_us, int *failed_step);

/// Requests one line as a push-pull output driven to `value` (0 or 1). NULL as for `rb_gpio_request_inputs`.
rb_gpio_lines *rb_gpio_request_output(const char *path, unsigned int offset, const char *consumer, int value,
                                      int *failed_step);

/// 1 when the kernel debounces the lines (libgpiod v2 with `debounce_us` > 0), 0 when only software can.
int rb_gpio_kernel_debounces(const rb_gpio_lines *lines);

/// Waits for edge events for at most `timeout_ns` (negative = forever). Returns 1 when events are pending,
/// 0 on timeout, -1 with errno set on error (EINTR when a signal arrived).
int rb_gpio_wait(rb_gpio_lines *lines, int64_t timeout_ns);

/// Reads the pending edge events (at most `max`) into `edges`, oldest first across all lines, without blocking.
/// Returns how many were read, or -1 with errno set.
int rb_gpio_read_edges(rb_gpio_lines *lines, rb_gpio_edge *edges, size_t max);

/// Reads the current level (0 or 1) of every requested line, in request order. Returns 0 or -1 with errno set.
int rb_gpio_get_values(rb_gpio_lines *lines, int *values);

/// Drives an output line to `value` (0 or 1). Returns 0 or -1 with errno set.
int rb_gpio_set_value(rb_gpio_lines *lines, int value);

/// Releases the lines and closes the chip. Accepts NULL.
void rb_gpio_release(rb_gpio_lines *lines);

#endif
