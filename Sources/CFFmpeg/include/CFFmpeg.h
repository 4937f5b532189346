// FFmpeg for Swift. The libraries are not linked: loader.c opens them when a process first calls one of their
// functions, so the supervisor and the web process, which decode nothing, never map them (about 130 shared
// libraries with their codecs' dependencies; docs/performance.md, "Memory of an idle box").
#ifndef CFFMPEG_H
#define CFFMPEG_H

#include <errno.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>

/// Function-like FFmpeg macros that Swift cannot import.
static inline int rb_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int rb_averror_eof(void) { return AVERROR_EOF; }
static inline int64_t rb_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline int rb_av_time_base(void) { return AV_TIME_BASE; }
static inline int rb_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int rb_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int rb_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int rb_averror_errno(int code) { return AVERROR(code); }

/// Converts one decoded frame (or, with `frame == NULL`, flushes the resampler's delay) into interleaved S16 at
/// `out`, at most `out_frames` frames. Returns frames written or a negative AVERROR.
/// Wrapped because `swr_convert`'s pointer parameters changed constness between FFmpeg 5.1 and 7.1, which gives
/// different Swift signatures; in C both versions accept this call.
static inline int rb_swr_convert_frame(SwrContext *swr, int16_t *out, int out_frames, const AVFrame *frame) {
    uint8_t *outs[1] = { (uint8_t *)out };
    if (frame == NULL) return swr_convert(swr, outs, out_frames, NULL, 0);
    return swr_convert(swr, outs, out_frames, (const uint8_t **)frame->extended_data, frame->nb_samples);
}

/// Opens FFmpeg's libraries now rather than at the first call. Returns NULL, or the loader's error (then any
/// FFmpeg call ends the process with that error on stderr).
const char *rb_ffmpeg_open(void);

#endif
