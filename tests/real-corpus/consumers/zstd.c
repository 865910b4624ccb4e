/* SPDX-License-Identifier: MIT */
/*
 * Oracle consumer for zstd: the stable API only (no ZSTD_STATIC_LINKING_ONLY):
 * one-shot and context compression, advanced parameters, streaming in both
 * directions, frame inspection, dictionaries (training and use), and errors.
 * Prints only what the library computes, never a compile-time version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zdict.h>
#include <zstd.h>
#include <zstd_errors.h>

static unsigned char input[96 * 1024];
static size_t input_len;

static void fill_input(void)
{
    unsigned seed = 2024;
    const char *words[] = {"sstate ", "cache ", "hash ", "equivalence ", "recipe ",
                           "sysroot ", "compatible ", "depends ", "zstd "};
    input_len = 0;
    while (input_len < sizeof(input) - 32) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 16) % 9];
        size_t n = strlen(w);
        memcpy(input + input_len, w, n);
        input_len += n;
        if ((seed >> 8) % 13 == 0)
            input[input_len++] = (unsigned char)(seed & 0xff);
    }
}

static unsigned long checksum(const void *p, size_t n)
{
    const unsigned char *b = p;
    unsigned long h = 5381;
    while (n--)
        h = (h * 33) ^ *b++;
    return h & 0xffffffffUL;
}

static void report(const char *what, size_t r)
{
    if (ZSTD_isError(r))
        printf("%s: error %d (%s)\n", what, (int)ZSTD_getErrorCode(r), ZSTD_getErrorName(r));
    else
        printf("%s: %lu\n", what, (unsigned long)r);
}

static void one_shot(void)
{
    size_t bound = ZSTD_compressBound(input_len);
    unsigned char *comp = malloc(bound), *back = malloc(input_len);
    int levels[] = {1, 3, 9, 19, -5};
    unsigned i;
    printf("bound >= input: %d, min level %d, max level %d, default %d\n", bound >= input_len,
           ZSTD_minCLevel(), ZSTD_maxCLevel(), ZSTD_defaultCLevel());
    for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        size_t c = ZSTD_compress(comp, bound, input, input_len, levels[i]);
        size_t d = ZSTD_decompress(back, input_len, comp, c);
        printf("level %d: compressed checksum %08lx, roundtrip %s, content size %llu\n",
               levels[i], ZSTD_isError(c) ? 0 : checksum(comp, c),
               !ZSTD_isError(d) && d == input_len && !memcmp(back, input, d) ? "equal" : "DIFFERENT",
               ZSTD_getFrameContentSize(comp, c));
        if (i == 0) {
            report("findFrameCompressedSize matches", ZSTD_findFrameCompressedSize(comp, c) == c);
            comp[c / 2] ^= 0x40;
            report("decompress corrupted", ZSTD_decompress(back, input_len, comp, c));
            report("decompress truncated", ZSTD_decompress(back, input_len, comp, c / 3));
        }
    }
    report("decompress into a small buffer",
           ZSTD_decompress(back, 100, comp, ZSTD_compress(comp, bound, input, input_len, 1)));
    free(comp);
    free(back);
}

static void contexts(void)
{
    size_t bound = ZSTD_compressBound(input_len);
    unsigned char *comp = malloc(bound), *back = malloc(input_len);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    report("set level", ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 7));
    report("set checksum", ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1));
    report("set windowLog", ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, 20));
    report("set strategy", ZSTD_CCtx_setParameter(cctx, ZSTD_c_strategy, ZSTD_lazy2));
    report("set out of bounds", ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, 99));
    ZSTD_bounds b = ZSTD_cParam_getBounds(ZSTD_c_compressionLevel);
    printf("level bounds: error %d\n", ZSTD_isError(b.error));
    size_t c = ZSTD_compress2(cctx, comp, bound, input, input_len);
    printf("compress2: checksum %08lx\n", ZSTD_isError(c) ? 0 : checksum(comp, c));
    size_t d = ZSTD_decompressDCtx(dctx, back, input_len, comp, c);
    printf("decompressDCtx: %s\n", d == input_len && !memcmp(back, input, d) ? "equal" : "DIFFERENT");
    report("reset session and parameters", ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters));
    c = ZSTD_compressCCtx(cctx, comp, bound, input, input_len, 4);
    printf("compressCCtx level 4: checksum %08lx\n", ZSTD_isError(c) ? 0 : checksum(comp, c));
    report("dctx max window", ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 10));
    report("decompress with small window", ZSTD_decompressDCtx(dctx, back, input_len, comp, c));
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
    free(comp);
    free(back);
}

static void streaming(void)
{
    ZSTD_CStream *cs = ZSTD_createCStream();
    ZSTD_DStream *ds = ZSTD_createDStream();
    size_t outcap = ZSTD_CStreamOutSize(), total = 0, pos = 0;
    unsigned char *out = malloc(outcap), *all = malloc(ZSTD_compressBound(input_len));
    printf("stream sizes nonzero: %d %d %d %d\n", ZSTD_CStreamInSize() > 0, outcap > 0,
           ZSTD_DStreamInSize() > 0, ZSTD_DStreamOutSize() > 0);
    ZSTD_initCStream(cs, 5);
    while (pos < input_len) {
        size_t n = input_len - pos < 4093 ? input_len - pos : 4093;
        ZSTD_inBuffer in = {input + pos, n, 0};
        pos += n;
        ZSTD_EndDirective mode = pos == input_len ? ZSTD_e_end : (pos % 3 ? ZSTD_e_continue : ZSTD_e_flush);
        size_t rem;
        do {
            ZSTD_outBuffer o = {out, outcap, 0};
            rem = ZSTD_compressStream2(cs, &o, &in, mode);
            memcpy(all + total, out, o.pos);
            total += o.pos;
        } while (!ZSTD_isError(rem) && (in.pos < in.size || (mode != ZSTD_e_continue && rem)));
    }
    printf("streamed: checksum %08lx\n", checksum(all, total));
    unsigned char *back = malloc(input_len);
    ZSTD_initDStream(ds);
    ZSTD_inBuffer in = {all, total, 0};
    size_t got = 0, r = 0;
    while (in.pos < in.size) {
        ZSTD_outBuffer o = {back + got, input_len - got < 1000 ? input_len - got : 1000, 0};
        r = ZSTD_decompressStream(ds, &o, &in);
        got += o.pos;
        if (ZSTD_isError(r))
            break;
    }
    printf("stream roundtrip: %s, last %lu\n", got == input_len && !memcmp(back, input, got) ?
           "equal" : "DIFFERENT", (unsigned long)r);
    ZSTD_freeCStream(cs);
    ZSTD_freeDStream(ds);
    free(out);
    free(all);
    free(back);
}

static void dictionaries(void)
{
    enum { N = 200 };
    static unsigned char samples[N * 300];
    size_t sizes[N], off = 0;
    unsigned i;
    for (i = 0; i < N; i++) {
        sizes[i] = 150 + (i * 37) % 140;
        memcpy(samples + off, input + (i * 997) % (input_len - 300), sizes[i]);
        off += sizes[i];
    }
    static unsigned char dict[4096];
    size_t dsize = ZDICT_trainFromBuffer(dict, sizeof(dict), samples, sizes, N);
    if (ZDICT_isError(dsize)) {
        printf("train: error %s\n", ZDICT_getErrorName(dsize));
        return;
    }
    printf("train: size %lu id %u checksum %08lx\n", (unsigned long)dsize,
           ZDICT_getDictID(dict, dsize), checksum(dict, dsize));
    ZSTD_CDict *cd = ZSTD_createCDict(dict, dsize, 3);
    ZSTD_DDict *dd = ZSTD_createDDict(dict, dsize);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    unsigned char comp[1024], back[400];
    size_t c = ZSTD_compress_usingCDict(cctx, comp, sizeof(comp), samples, sizes[0], cd);
    printf("with dict: %lu bytes, frame dict id matches %d\n", (unsigned long)c,
           ZSTD_getDictID_fromFrame(comp, c) == ZDICT_getDictID(dict, dsize));
    size_t d = ZSTD_decompress_usingDDict(dctx, back, sizeof(back), comp, c, dd);
    printf("with dict roundtrip: %s\n", d == sizes[0] && !memcmp(back, samples, d) ? "equal" : "DIFFERENT");
    report("without the dict", ZSTD_decompressDCtx(dctx, back, sizeof(back), comp, c));
    c = ZSTD_compress_usingDict(cctx, comp, sizeof(comp), samples, sizes[0], dict, dsize, 1);
    d = ZSTD_decompress_usingDict(dctx, back, sizeof(back), comp, c, dict, dsize);
    printf("usingDict roundtrip: %s\n", d == sizes[0] && !memcmp(back, samples, d) ? "equal" : "DIFFERENT");
    ZSTD_freeCDict(cd);
    ZSTD_freeDDict(dd);
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
}

int main(void)
{
    /* The runtime version shows which library was loaded. */
    printf("ZSTD_versionString: %s (%u)\n", ZSTD_versionString(), ZSTD_versionNumber());
    fill_input();
    one_shot();
    contexts();
    streaming();
    dictionaries();
    printf("error string: %s\n", ZSTD_getErrorString(ZSTD_error_corruption_detected));
    return 0;
}
