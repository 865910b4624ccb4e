/* SPDX-License-Identifier: MIT */
/*
 * Oracle consumer for zlib: exercises the public API a typical child uses,
 * including the macros that hand ZLIB_VERSION and sizeof(z_stream) to the
 * library at run time (deflateInit, inflateInit, deflateInit2, inflateInit2),
 * which the library checks. Prints only what the library computes, never a
 * compile-time version, so a consumer built against release N and run
 * against N+1 prints what the consumer rebuilt against N+1 prints, unless
 * the change breaks it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static unsigned char input[64 * 1024];
static unsigned long input_len;

static void fill_input(void)
{
    unsigned long i;
    unsigned int seed = 12345;
    const char *words[] = {"sstate ", "cache ", "hash ", "equivalence ", "recipe ",
                           "sysroot ", "compatible ", "depends "};
    input_len = 0;
    while (input_len < sizeof(input) - 32) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 16) % 8];
        size_t n = strlen(w);
        memcpy(input + input_len, w, n);
        input_len += n;
        if ((seed >> 8) % 17 == 0)
            input[input_len++] = (unsigned char)(seed & 0xff);
    }
    for (i = 0; i < 16; i++)
        input[input_len++] = (unsigned char)i;
}

static const char *ret_name(int ret)
{
    switch (ret) {
    case Z_OK: return "Z_OK";
    case Z_STREAM_END: return "Z_STREAM_END";
    case Z_NEED_DICT: return "Z_NEED_DICT";
    case Z_ERRNO: return "Z_ERRNO";
    case Z_STREAM_ERROR: return "Z_STREAM_ERROR";
    case Z_DATA_ERROR: return "Z_DATA_ERROR";
    case Z_MEM_ERROR: return "Z_MEM_ERROR";
    case Z_BUF_ERROR: return "Z_BUF_ERROR";
    case Z_VERSION_ERROR: return "Z_VERSION_ERROR";
    default: return "other";
    }
}

static void one_shot(void)
{
    unsigned char comp[80 * 1024], back[64 * 1024];
    uLongf clen = sizeof(comp), blen = sizeof(back);
    int level, ret;

    printf("compressBound(%lu) >= input: %d\n", input_len, compressBound(input_len) >= input_len);
    for (level = 0; level <= 9; level += 3) {
        clen = sizeof(comp);
        ret = compress2(comp, &clen, input, input_len, level);
        blen = sizeof(back);
        int r2 = uncompress(back, &blen, comp, clen);
        printf("compress2 level %d: %s, roundtrip %s %s, crc %08lx\n", level, ret_name(ret),
               ret_name(r2), blen == input_len && memcmp(back, input, blen) == 0 ? "equal" : "DIFFERENT",
               crc32(0L, comp, (uInt)clen));
    }
    clen = sizeof(comp);
    ret = compress(comp, &clen, input, input_len);
    printf("compress: %s, crc %08lx\n", ret_name(ret), crc32(0L, comp, (uInt)clen));
    blen = 10;
    printf("uncompress into a short buffer: %s\n", ret_name(uncompress(back, &blen, comp, clen)));
    comp[clen / 2] ^= 0x55;
    blen = sizeof(back);
    printf("uncompress corrupted: %s\n", ret_name(uncompress(back, &blen, comp, clen)));
}

static void streams(void)
{
    unsigned char comp[80 * 1024], back[64 * 1024];
    z_stream d, i;
    int ret, strategies[] = {Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED};
    unsigned s;

    for (s = 0; s < sizeof(strategies) / sizeof(strategies[0]); s++) {
        memset(&d, 0, sizeof(d));
        /* deflateInit2 passes ZLIB_VERSION and sizeof(z_stream): gzip wrapper */
        ret = deflateInit2(&d, 6, Z_DEFLATED, 15 + 16, 8, strategies[s]);
        d.next_in = input;
        d.avail_in = (uInt)input_len;
        d.next_out = comp;
        d.avail_out = sizeof(comp);
        int r2 = deflate(&d, Z_FINISH);
        uLong total = d.total_out;
        printf("deflateInit2 gzip strategy %d: %s, deflate %s, bound ok %d, crc %08lx adler %08lx\n",
               strategies[s], ret_name(ret), ret_name(r2), deflateBound(&d, input_len) >= total,
               crc32(0L, comp, (uInt)total), adler32(1L, comp, (uInt)total));
        deflateEnd(&d);

        memset(&i, 0, sizeof(i));
        ret = inflateInit2(&i, 15 + 32);   /* automatic header detection */
        i.next_in = comp;
        i.avail_in = (uInt)total;
        i.next_out = back;
        i.avail_out = sizeof(back);
        r2 = inflate(&i, Z_FINISH);
        printf("  inflateInit2 auto: %s, inflate %s, out %lu, equal %d\n", ret_name(ret),
               ret_name(r2), i.total_out, i.total_out == input_len && !memcmp(back, input, input_len));
        inflateEnd(&i);
    }

    /* Streaming with small buffers, flushes, deflateParams, a dictionary. */
    static const char dict[] = "sstate cache hash equivalence recipe sysroot";
    memset(&d, 0, sizeof(d));
    ret = deflateInit(&d, Z_BEST_COMPRESSION);   /* passes ZLIB_VERSION */
    printf("deflateInit: %s\n", ret_name(ret));
    printf("deflateSetDictionary: %s\n",
           ret_name(deflateSetDictionary(&d, (const Bytef *)dict, sizeof(dict) - 1)));
    uLong dict_id = d.adler;
    d.next_out = comp;
    d.avail_out = sizeof(comp);
    unsigned long off = 0;
    int chunk = 0;
    while (off < input_len) {
        unsigned long n = input_len - off < 997 ? input_len - off : 997;
        d.next_in = input + off;
        d.avail_in = (uInt)n;
        off += n;
        if (chunk == 10)
            deflateParams(&d, 1, Z_DEFAULT_STRATEGY);
        ret = deflate(&d, off == input_len ? Z_FINISH : (chunk % 7 == 3 ? Z_SYNC_FLUSH : Z_NO_FLUSH));
        chunk++;
    }
    uLong total = d.total_out;
    printf("streamed deflate: %s, chunks %d, crc %08lx\n", ret_name(ret), chunk,
           crc32(0L, comp, (uInt)total));
    deflateEnd(&d);

    memset(&i, 0, sizeof(i));
    ret = inflateInit(&i);   /* passes ZLIB_VERSION, which the library checks */
    printf("inflateInit: %s\n", ret_name(ret));
    i.next_in = comp;
    i.avail_in = (uInt)total;
    i.next_out = back;
    i.avail_out = sizeof(back);
    ret = inflate(&i, Z_NO_FLUSH);
    printf("inflate without dictionary: %s, adler matches dict id %d\n", ret_name(ret),
           i.adler == dict_id);
    if (ret == Z_NEED_DICT) {
        printf("inflateSetDictionary: %s\n",
               ret_name(inflateSetDictionary(&i, (const Bytef *)dict, sizeof(dict) - 1)));
        ret = inflate(&i, Z_FINISH);
    }
    printf("inflate with dictionary: %s, equal %d\n", ret_name(ret),
           i.total_out == input_len && !memcmp(back, input, input_len));
    printf("inflateReset: %s\n", ret_name(inflateReset(&i)));
    inflateEnd(&i);

    /* A version string the library rejects: its check is what the macros rely on. */
    memset(&i, 0, sizeof(i));
    printf("inflateInit_ with version \"0.9\": %s\n",
           ret_name(inflateInit_(&i, "0.9", (int)sizeof(z_stream))));
    printf("inflateInit_ with a wrong stream size: %s\n",
           ret_name(inflateInit_(&i, zlibVersion(), (int)sizeof(z_stream) - 8)));
}

static void checksums(void)
{
    uLong a = adler32(0L, Z_NULL, 0), c = crc32(0L, Z_NULL, 0);
    uLong half = input_len / 2;
    uLong c1 = crc32(c, input, (uInt)half), c2 = crc32(c, input + half, (uInt)(input_len - half));
    uLong a1 = adler32(a, input, (uInt)half), a2 = adler32(a, input + half, (uInt)(input_len - half));
    printf("crc32 %08lx adler32 %08lx\n", crc32(c, input, (uInt)input_len),
           adler32(a, input, (uInt)input_len));
    printf("crc32_combine %08lx adler32_combine %08lx\n",
           crc32_combine(c1, c2, (z_off_t)(input_len - half)),
           adler32_combine(a1, a2, (z_off_t)(input_len - half)));
    const z_crc_t *table = get_crc_table();
    printf("crc table[1] %08lx\n", (unsigned long)table[1]);
}

static void gzfiles(void)
{
    char path[] = "/tmp/zlib-consumer-XXXXXX";
    int fd = mkstemp(path);
    unsigned char back[64 * 1024];
    if (fd < 0) {
        printf("mkstemp failed\n");
        return;
    }
    gzFile gz = gzdopen(fd, "wb9");
    printf("gzsetparams: %s\n", ret_name(gzsetparams(gz, 6, Z_DEFAULT_STRATEGY)));
    printf("gzwrite: %d\n", gzwrite(gz, input, (unsigned)input_len));
    printf("gzputs: %d gzputc: %d gzprintf: %d\n", gzputs(gz, "line\n"), gzputc(gz, 'x'),
           gzprintf(gz, "%s-%d\n", "printf", 42));
    printf("gzclose (write): %s\n", ret_name(gzclose(gz)));

    gz = gzopen(path, "rb");
    int n = gzread(gz, back, (unsigned)input_len);
    char line[64];
    printf("gzread: %d equal %d\n", n, n == (int)input_len && !memcmp(back, input, input_len));
    printf("gzgets: %s", gzgets(gz, line, sizeof(line)) ? line : "(null)\n");
    printf("gzgetc: %c\n", gzgetc(gz));
    printf("gzgets: %s", gzgets(gz, line, sizeof(line)) ? line : "(null)\n");
    printf("gzeof: %d\n", gzeof(gz));
    printf("gzrewind: %d gztell after: %ld\n", gzrewind(gz), (long)gztell(gz));
    printf("gzseek 1000: %ld\n", (long)gzseek(gz, 1000, SEEK_SET));
    printf("gzread after seek: %d first %02x\n", gzread(gz, back, 16), back[0]);
    int err;
    gzerror(gz, &err);
    printf("gzerror: %s\n", ret_name(err));
    printf("gzclose (read): %s\n", ret_name(gzclose(gz)));
    remove(path);
}

int main(void)
{
    /* The runtime version shows which library was loaded. */
    printf("zlibVersion: %s\n", zlibVersion());
    printf("zlibCompileFlags: %lx\n", zlibCompileFlags());
    printf("zError(Z_DATA_ERROR): %s\n", zError(Z_DATA_ERROR));
    fill_input();
    one_shot();
    streams();
    checksums();
    gzfiles();
    return 0;
}
