#include <alsa/asoundlib.h>

/// ALSA prints its own diagnostics to stderr through a variadic callback that Swift cannot implement.
/// Ravebox reports errors itself (one log line naming the device), so this installs a handler that drops them.
static void rb_alsa_quiet_handler(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}
static inline void rb_alsa_silence_errors(void) { snd_lib_error_set_handler(rb_alsa_quiet_handler); }
