// FFmpeg's functions that Ravebox calls, each forwarding to the library's own, which is looked up when first
// called. The libraries are opened by name with the major versions of the headers this was compiled against, so
// a library with another ABI is never used. The forwarders are hidden: the executable does not export them, so
// the libraries, once loaded, bind to one another and never to these.
#include "CFFmpeg.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define RB_STRING(x) #x
#define RB_VERSION(x) RB_STRING(x)

// In dependency order: each library needs only the ones before it.
static const char *const library_names[] = {
    "libavutil.so." RB_VERSION(LIBAVUTIL_VERSION_MAJOR),
    "libswresample.so." RB_VERSION(LIBSWRESAMPLE_VERSION_MAJOR),
    "libavcodec.so." RB_VERSION(LIBAVCODEC_VERSION_MAJOR),
    "libavformat.so." RB_VERSION(LIBAVFORMAT_VERSION_MAJOR),
};
#define LIBRARY_COUNT (sizeof library_names / sizeof library_names[0])
static void *libraries[LIBRARY_COUNT];
static char open_error[512];
static pthread_once_t opened = PTHREAD_ONCE_INIT;

static void open_libraries(void) {
    for (size_t i = 0; i < LIBRARY_COUNT; i++) {
        libraries[i] = dlopen(library_names[i], RTLD_NOW | RTLD_LOCAL);
        if (libraries[i] == NULL) {
            const char *reason = dlerror();
            snprintf(open_error, sizeof open_error, "cannot load FFmpeg: %s", reason ? reason : library_names[i]);
            return;
        }
    }
}

const char *rb_ffmpeg_open(void) {
    pthread_once(&opened, open_libraries);
    return open_error[0] ? open_error : NULL;
}

static void *resolve(const char *name) {
    const char *error = rb_ffmpeg_open();
    if (error == NULL) {
        for (size_t i = LIBRARY_COUNT; i-- > 0;) {
            void *function = dlsym(libraries[i], name);
            if (function != NULL) return function;
        }
    }
    fprintf(stderr, "ravebox: %s\n", error ? error : "FFmpeg lacks a function it was built with");
    fprintf(stderr, "ravebox: while looking up %s\n", name);
    abort();
}

#pragma GCC visibility push(hidden)

// The library's function behind NAME, looked up once; later calls cost one atomic load.
#define RB_TARGET(name)                                                           \
    static _Atomic(void *) target;                                               \
    void *function = atomic_load_explicit(&target, memory_order_acquire);        \
    if (function == NULL) {                                                      \
        function = resolve(#name);                                               \
        atomic_store_explicit(&target, function, memory_order_release);          \
    }                                                                            \
    __typeof__(&name) call = (__typeof__(&name))function;

#define FORWARD(result, name, parameters, arguments) \
    result name parameters {                         \
        RB_TARGET(name)                              \
        return call arguments;                       \
    }
#define FORWARD_VOID(name, parameters, arguments) \
    void name parameters {                        \
        RB_TARGET(name)                           \
        call arguments;                           \
    }

// libavutil
FORWARD_VOID(av_log_set_level, (int level), (level))
FORWARD(int, av_strerror, (int errnum, char *errbuf, size_t errbuf_size), (errnum, errbuf, errbuf_size))
FORWARD(AVFrame *, av_frame_alloc, (void), ())
FORWARD_VOID(av_frame_free, (AVFrame **frame), (frame))
FORWARD_VOID(av_frame_unref, (AVFrame *frame), (frame))
FORWARD(AVDictionaryEntry *, av_dict_get,
        (const AVDictionary *m, const char *key, const AVDictionaryEntry *prev, int flags), (m, key, prev, flags))
FORWARD(int, av_dict_set, (AVDictionary **pm, const char *key, const char *value, int flags), (pm, key, value, flags))
FORWARD_VOID(av_dict_free, (AVDictionary **m), (m))
FORWARD_VOID(av_channel_layout_default, (AVChannelLayout *ch_layout, int nb_channels), (ch_layout, nb_channels))
FORWARD(int, av_channel_layout_copy, (AVChannelLayout *dst, const AVChannelLayout *src), (dst, src))
FORWARD(int, av_channel_layout_compare, (const AVChannelLayout *chl, const AVChannelLayout *chl1), (chl, chl1))
FORWARD_VOID(av_channel_layout_uninit, (AVChannelLayout *channel_layout), (channel_layout))

// libswresample. Version 5 (FFmpeg 7) made some pointer parameters const that version 4 (FFmpeg 5.1) did not.
#if LIBSWRESAMPLE_VERSION_MAJOR >= 5
#define RB_SWR_CONST const
#else
#define RB_SWR_CONST
#endif
FORWARD(int, swr_alloc_set_opts2,
        (struct SwrContext **ps, RB_SWR_CONST AVChannelLayout *out_ch_layout, enum AVSampleFormat out_sample_fmt,
         int out_sample_rate, RB_SWR_CONST AVChannelLayout *in_ch_layout, enum AVSampleFormat in_sample_fmt,
         int in_sample_rate, int log_offset, void *log_ctx),
        (ps, out_ch_layout, out_sample_fmt, out_sample_rate, in_ch_layout, in_sample_fmt, in_sample_rate, log_offset,
         log_ctx))
FORWARD(int, swr_convert,
        (struct SwrContext *s, uint8_t *RB_SWR_CONST *out, int out_count, const uint8_t *RB_SWR_CONST *in,
         int in_count),
        (s, out, out_count, in, in_count))
FORWARD(int, swr_init, (struct SwrContext *s), (s))
FORWARD_VOID(swr_free, (struct SwrContext **s), (s))
FORWARD(int, swr_get_out_samples, (struct SwrContext *s, int in_samples), (s, in_samples))

// libavcodec
FORWARD(AVPacket *, av_packet_alloc, (void), ())
FORWARD_VOID(av_packet_free, (AVPacket **pkt), (pkt))
FORWARD_VOID(av_packet_unref, (AVPacket *pkt), (pkt))
FORWARD(AVCodecContext *, avcodec_alloc_context3, (const AVCodec *codec), (codec))
FORWARD_VOID(avcodec_free_context, (AVCodecContext **avctx), (avctx))
FORWARD(int, avcodec_parameters_to_context, (AVCodecContext *codec, const struct AVCodecParameters *par),
        (codec, par))
FORWARD(int, avcodec_open2, (AVCodecContext *avctx, const AVCodec *codec, AVDictionary **options),
        (avctx, codec, options))
FORWARD(int, avcodec_send_packet, (AVCodecContext *avctx, const AVPacket *avpkt), (avctx, avpkt))
FORWARD(int, avcodec_receive_frame, (AVCodecContext *avctx, AVFrame *frame), (avctx, frame))
FORWARD_VOID(avcodec_flush_buffers, (AVCodecContext *avctx), (avctx))
FORWARD(const char *, avcodec_get_name, (enum AVCodecID id), (id))

// libavformat
FORWARD(int, avformat_open_input, (AVFormatContext **ps, const char *url, const AVInputFormat *fmt,
                                   AVDictionary **options),
        (ps, url, fmt, options))
FORWARD_VOID(avformat_close_input, (AVFormatContext **s), (s))
FORWARD(int, avformat_find_stream_info, (AVFormatContext *ic, AVDictionary **options), (ic, options))
FORWARD(int, av_find_best_stream, (AVFormatContext *ic, enum AVMediaType type, int wanted_stream_nb,
                                   int related_stream, const AVCodec **decoder_ret, int flags),
        (ic, type, wanted_stream_nb, related_stream, decoder_ret, flags))
FORWARD(int, av_read_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
FORWARD(int, avformat_seek_file, (AVFormatContext *s, int stream_index, int64_t min_ts, int64_t ts, int64_t max_ts,
                                  int flags),
        (s, stream_index, min_ts, ts, max_ts, flags))
FORWARD(const AVInputFormat *, av_probe_input_format, (const AVProbeData *pd, int is_opened), (pd, is_opened))

#pragma GCC visibility pop
