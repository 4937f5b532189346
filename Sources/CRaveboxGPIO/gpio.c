// The GPIO character device through libgpiod, one source for both of its APIs.
//
// libgpiod 1.x (Debian 12) and 2.x (Debian 13) share only gpiod_chip_open/close: v1 requests `struct gpiod_line`
// objects gathered in a `struct gpiod_line_bulk`, v2 builds a `gpiod_line_settings` + `gpiod_line_config` +
// `gpiod_request_config` and gets one `gpiod_line_request` for all lines. This file hides the difference behind the
// rb_gpio_* functions of CRaveboxGPIO.h, so Swift sees neither header. The branch is chosen by
// GPIOD_LINE_BULK_MAX_LINES, which only v1's gpiod.h defines (v2 has no line bulks).

#define _GNU_SOURCE
#include "CRaveboxGPIO.h"

#include <errno.h>
#include <gpiod.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef GPIOD_LINE_BULK_MAX_LINES
#define RB_GPIOD_V1 1
#define RB_GPIO_MAX_LINES GPIOD_LINE_BULK_MAX_LINES
#else
#define RB_GPIOD_V1 0
#define RB_GPIO_MAX_LINES 64
#endif

struct rb_gpio_lines {
    struct gpiod_chip *chip;
    size_t count;
    unsigned int offsets[RB_GPIO_MAX_LINES];
    int kernel_debounces;
#if RB_GPIOD_V1
    struct gpiod_line_bulk bulk;
#else
    struct gpiod_line_request *request;
    struct gpiod_edge_event_buffer *buffer;
#endif
};

int rb_gpio_api_major(void) { return RB_GPIOD_V1 ? 1 : 2; }

int rb_gpio_chip_check(const char *path) {
    errno = 0;
    struct gpiod_chip *chip = gpiod_chip_open(path);
    if (chip == NULL) {
        return errno != 0 ? errno : ENODEV;
    }
    gpiod_chip_close(chip);
    return 0;
}

/// Opens the chip into a new, empty rb_gpio_lines; NULL with errno set.
static rb_gpio_lines *rb_open(const char *path, const unsigned int *offsets, size_t count, int *failed_step) {
    if (count == 0 || count > RB_GPIO_MAX_LINES) {
        *failed_step = RB_GPIO_FAILED_REQUEST;
        errno = EINVAL;
        return NULL;
    }
    rb_gpio_lines *lines = calloc(1, sizeof(*lines));
    if (lines == NULL) {
        *failed_step = RB_GPIO_FAILED_OPEN;
        return NULL;
    }
    errno = 0;
    lines->chip = gpiod_chip_open(path);
    if (lines->chip == NULL) {
        int saved = errno != 0 ? errno : ENODEV;
        free(lines);
        *failed_step = RB_GPIO_FAILED_OPEN;
        errno = saved;
        return NULL;
    }
    lines->count = count;
    memcpy(lines->offsets, offsets, count * sizeof(unsigned int));
    return lines;
}

/// Releases what `rb_open` and a failed request left behind, keeping errno.
static rb_gpio_lines *rb_fail(rb_gpio_lines *lines, int *failed_step) {
    int saved = errno != 0 ? errno : EINVAL;
    rb_gpio_release(lines);
    *failed_step = RB_GPIO_FAILED_REQUEST;
    errno = saved;
    return NULL;
}

#if RB_GPIOD_V1

static int rb_request(rb_gpio_lines *lines, const char *consumer, int request_type, int flags, int value) {
    if (gpiod_chip_get_lines(lines->chip, lines->offsets, (unsigned int)lines->count, &lines->bulk) != 0) {
        return -1;
    }
    struct gpiod_line_request_config config = {.consumer = consumer, .request_type = request_type, .flags = flags};
    int values[RB_GPIO_MAX_LINES] = {0};
    values[0] = value;
    return gpiod_line_request_bulk(&lines->bulk, &config, values);
}

rb_gpio_lines *rb_gpio_request_inputs(const char *path, const unsigned int *offsets, size_t count,
                                      const char *consumer, unsigned long debounce_us, int *failed_step) {
    (void)debounce_us;  // the v1 uAPI has no debounce: software does it
    rb_gpio_lines *lines = rb_open(path, offsets, count, failed_step);
    if (lines == NULL) return NULL;
    if (rb_request(lines, consumer, GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES, GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP, 0) !=
        0) {
        return rb_fail(lines, failed_step);
    }
    return lines;
}

rb_gpio_lines *rb_gpio_request_output(const char *path, unsigned int offset, const char *consumer, int value,
                                      int *failed_step) {
    rb_gpio_lines *lines = rb_open(path, &offset, 1, failed_step);
    if (lines == NULL) return NULL;
    if (rb_request(lines, consumer, GPIOD_LINE_REQUEST_DIRECTION_OUTPUT, 0, value != 0) != 0) {
        return rb_fail(lines, failed_step);
    }
    return lines;
}

int rb_gpio_wait(rb_gpio_lines *lines, int64_t timeout_ns) {
    struct timespec timeout = {.tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000};
    struct gpiod_line_bulk ready;
    gpiod_line_bulk_init(&ready);
    return gpiod_line_event_wait_bulk(&lines->bulk, timeout_ns < 0 ? NULL : &timeout, &ready);
}

/// Inserts `edge` into `edges[0..<count]`, keeping them sorted by time (v1 reads line by line).
static void rb_insert_sorted(rb_gpio_edge *edges, size_t count, rb_gpio_edge edge) {
    size_t index = count;
    while (index > 0 && edges[index - 1].timestamp_ns > edge.timestamp_ns) {
        edges[index] = edges[index - 1];
        index--;
    }
    edges[index] = edge;
}

int rb_gpio_read_edges(rb_gpio_lines *lines, rb_gpio_edge *edges, size_t max) {
    size_t count = 0;
    for (size_t index = 0; index < lines->count && count < max; index++) {
        struct gpiod_line *line = gpiod_line_bulk_get_line(&lines->bulk, (unsigned int)index);
        struct pollfd pending = {.fd = gpiod_line_event_get_fd(line), .events = POLLIN | POLLPRI};
        int polled = poll(&pending, 1, 0);
        if (polled < 0) return -1;
        if (polled == 0) continue;
        struct gpiod_line_event events[RB_GPIO_MAX_LINES];
        size_t room = max - count < RB_GPIO_MAX_LINES ? max - count : RB_GPIO_MAX_LINES;
        int read = gpiod_line_event_read_multiple(line, events, (unsigned int)room);
        if (read < 0) return -1;
        for (int event = 0; event < read; event++) {
            rb_gpio_edge edge = {
                .offset = lines->offsets[index],
                .rising = events[event].event_type == GPIOD_LINE_EVENT_RISING_EDGE,
                .timestamp_ns = (uint64_t)events[event].ts.tv_sec * 1000000000u + (uint64_t)events[event].ts.tv_nsec,
            };
            rb_insert_sorted(edges, count, edge);
            count++;
        }
    }
    return (int)count;
}

int rb_gpio_get_values(rb_gpio_lines *lines, int *values) { return gpiod_line_get_value_bulk(&lines->bulk, values); }

int rb_gpio_set_value(rb_gpio_lines *lines, int value) {
    return gpiod_line_set_value(gpiod_line_bulk_get_line(&lines->bulk, 0), value != 0);
}

void rb_gpio_release(rb_gpio_lines *lines) {
    if (lines == NULL) return;
    if (lines->chip != NULL) {
        // Releasing lines that were never requested is harmless in v1; closing the chip releases them anyway.
        gpiod_chip_close(lines->chip);
    }
    free(lines);
}

#else  // libgpiod v2: written against include/gpiod.h of libgpiod 2.x; not compiled on Debian 12.

/// Requests `lines->offsets` with `settings`; 0 or -1 with errno set.
static int rb_request(rb_gpio_lines *lines, const char *consumer, struct gpiod_line_settings *settings) {
    struct gpiod_line_config *line_config = gpiod_line_config_new();
    struct gpiod_request_config *request_config = gpiod_request_config_new();
    int result = -1;
    if (line_config != NULL && request_config != NULL &&
        gpiod_line_config_add_line_settings(line_config, lines->offsets, lines->count, settings) == 0) {
        gpiod_request_config_set_consumer(request_config, consumer);
        lines->request = gpiod_chip_request_lines(lines->chip, request_config, line_config);
        result = lines->request != NULL ? 0 : -1;
    }
    int saved = errno;
    gpiod_request_config_free(request_config);
    gpiod_line_config_free(line_config);
    errno = saved;
    return result;
}

rb_gpio_lines *rb_gpio_request_inputs(const char *path, const unsigned int *offsets, size_t count,
                                      const char *consumer, unsigned long debounce_us, int *failed_step) {
    rb_gpio_lines *lines = rb_open(path, offsets, count, failed_step);
    if (lines == NULL) return NULL;
    struct gpiod_line_settings *settings = gpiod_line_settings_new();
    if (settings == NULL) return rb_fail(lines, failed_step);
    gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT);
    gpiod_line_settings_set_bias(settings, GPIOD_LINE_BIAS_PULL_UP);
    gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH);
    gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC);
    gpiod_line_settings_set_debounce_period_us(settings, debounce_us);
    int requested = rb_request(lines, consumer, settings);
    int saved = errno;
    gpiod_line_settings_free(settings);
    errno = saved;
    if (requested != 0) return rb_fail(lines, failed_step);
    lines->buffer = gpiod_edge_event_buffer_new(64);
    if (lines->buffer == NULL) return rb_fail(lines, failed_step);
    lines->kernel_debounces = debounce_us > 0;
    return lines;
}

rb_gpio_lines *rb_gpio_request_output(const char *path, unsigned int offset, const char *consumer, int value,
                                      int *failed_step) {
    rb_gpio_lines *lines = rb_open(path, &offset, 1, failed_step);
    if (lines == NULL) return NULL;
    struct gpiod_line_settings *settings = gpiod_line_settings_new();
    if (settings == NULL) return rb_fail(lines, failed_step);
    gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT);
    gpiod_line_settings_set_output_value(settings, value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
    int requested = rb_request(lines, consumer, settings);
    int saved = errno;
    gpiod_line_settings_free(settings);
    errno = saved;
    if (requested != 0) return rb_fail(lines, failed_step);
    return lines;
}

int rb_gpio_wait(rb_gpio_lines *lines, int64_t timeout_ns) {
    return gpiod_line_request_wait_edge_events(lines->request, timeout_ns);
}

int rb_gpio_read_edges(rb_gpio_lines *lines, rb_gpio_edge *edges, size_t max) {
    // gpiod_line_request_read_edge_events blocks when nothing is queued: check first.
    struct pollfd pending = {.fd = gpiod_line_request_get_fd(lines->request), .events = POLLIN | POLLPRI};
    int polled = poll(&pending, 1, 0);
    if (polled <= 0) return polled;
    size_t room = max < 64 ? max : 64;
    int read = gpiod_line_request_read_edge_events(lines->request, lines->buffer, room);
    if (read < 0) return -1;
    for (int index = 0; index < read; index++) {
        struct gpiod_edge_event *event = gpiod_edge_event_buffer_get_event(lines->buffer, (unsigned long)index);
        edges[index].offset = gpiod_edge_event_get_line_offset(event);
        edges[index].rising = gpiod_edge_event_get_event_type(event) == GPIOD_EDGE_EVENT_RISING_EDGE;
        edges[index].timestamp_ns = gpiod_edge_event_get_timestamp_ns(event);
    }
    return read;
}

int rb_gpio_get_values(rb_gpio_lines *lines, int *values) {
    enum gpiod_line_value raw[RB_GPIO_MAX_LINES];
    if (gpiod_line_request_get_values(lines->request, raw) != 0) return -1;
    for (size_t index = 0; index < lines->count; index++) {
        values[index] = raw[index] == GPIOD_LINE_VALUE_ACTIVE;
    }
    return 0;
}

int rb_gpio_set_value(rb_gpio_lines *lines, int value) {
    return gpiod_line_request_set_value(
        lines->request, lines->offsets[0], value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
}

void rb_gpio_release(rb_gpio_lines *lines) {
    if (lines == NULL) return;
    if (lines->buffer != NULL) gpiod_edge_event_buffer_free(lines->buffer);
    if (lines->request != NULL) gpiod_line_request_release(lines->request);
    if (lines->chip != NULL) gpiod_chip_close(lines->chip);
    free(lines);
}

#endif

int rb_gpio_kernel_debounces(const rb_gpio_lines *lines) { return lines->kernel_debounces; }
