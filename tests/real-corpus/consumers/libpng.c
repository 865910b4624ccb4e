/* SPDX-License-Identifier: MIT */
/*
 * Oracle consumer for libpng: writes PNG images to memory and reads them
 * back with the progressive-style and the simplified APIs, with
 * transformations, text chunks, gamma and error handling (setjmp through
 * png_jmpbuf, which passes sizeof(jmp_buf) to the library).
 * png_create_read_struct/png_create_write_struct pass PNG_LIBPNG_VER_STRING,
 * which the library compares with its own version at run time.
 * Prints only what the library computes, never a compile-time version.
 */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct membuf {
    unsigned char *data;
    size_t len, cap, pos;
};

static void mem_write(png_structp png, png_bytep data, png_size_t len)
{
    struct membuf *m = png_get_io_ptr(png);
    if (m->len + len > m->cap) {
        m->cap = (m->len + len) * 2;
        m->data = realloc(m->data, m->cap);
    }
    memcpy(m->data + m->len, data, len);
    m->len += len;
}

static void mem_flush(png_structp png) { (void)png; }

static void mem_read(png_structp png, png_bytep data, png_size_t len)
{
    struct membuf *m = png_get_io_ptr(png);
    if (m->pos + len > m->len)
        png_error(png, "read past end of buffer");
    memcpy(data, m->data + m->pos, len);
    m->pos += len;
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    printf("  warning: %s\n", msg);
}

static void on_error(png_structp png, png_const_charp msg)
{
    printf("  error: %s\n", msg);
    png_longjmp(png, 1);
}

static unsigned long checksum(const unsigned char *p, size_t n)
{
    unsigned long h = 5381;
    while (n--)
        h = (h * 33) ^ *p++;
    return h & 0xffffffffUL;
}

static const int W = 37, H = 23;

static void make_pixels(unsigned char *rgba, int depth16)
{
    int x, y, bpp = depth16 ? 8 : 4;
    for (y = 0; y < H; y++)
        for (x = 0; x < W; x++) {
            unsigned char *p = rgba + (y * W + x) * bpp;
            int v[4] = {x * 7, y * 11, (x * y) & 0xff, 255 - x - y};
            int c;
            for (c = 0; c < 4; c++) {
                if (depth16) {
                    p[2 * c] = (unsigned char)v[c];
                    p[2 * c + 1] = (unsigned char)(v[c] ^ 0x5a);
                } else
                    p[c] = (unsigned char)v[c];
            }
        }
}

static int write_png(struct membuf *out, int color_type, int depth, int interlace)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning);
    if (!png) {
        printf("png_create_write_struct: NULL\n");
        return 0;
    }
    png_infop info = png_create_info_struct(png);
    unsigned char *pixels = malloc((size_t)W * H * 8);
    png_bytep rows[64];
    int y, ok = 0;
    if (setjmp(png_jmpbuf(png)))
        goto done;
    make_pixels(pixels, depth == 16);
    png_set_write_fn(png, out, mem_write, mem_flush);
    png_set_compression_level(png, 6);
    png_set_filter(png, 0, PNG_ALL_FILTERS);
    png_set_IHDR(png, info, W, H, depth, color_type, interlace, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_set_gAMA(png, info, 0.45455);
    png_color_8 sig = {8, 8, 8, 8, 8};
    png_set_sBIT(png, info, &sig);
    png_text text[2];
    memset(text, 0, sizeof(text));
    text[0].compression = PNG_TEXT_COMPRESSION_NONE;
    text[0].key = "Title";
    text[0].text = "real corpus";
    text[1].compression = PNG_TEXT_COMPRESSION_zTXt;
    text[1].key = "Comment";
    text[1].text = "consumer built against one release, run against the next";
    png_set_text(png, info, text, 2);
    png_time mod = {2024, 5, 17, 12, 30, 0};
    png_set_tIME(png, info, &mod);
    png_write_info(png, info);
    if (color_type == PNG_COLOR_TYPE_RGB)
        png_set_filler(png, 0, PNG_FILLER_AFTER);
    int bpp = depth == 16 ? 8 : 4;
    for (y = 0; y < H; y++)
        rows[y] = pixels + (size_t)y * W * bpp;
    png_write_image(png, rows);
    png_write_end(png, info);
    ok = 1;
done:
    png_destroy_write_struct(&png, &info);
    free(pixels);
    return ok;
}

static void read_png(struct membuf *in, int with_transforms)
{
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning);
    if (!png) {
        printf("png_create_read_struct: NULL\n");
        return;
    }
    png_infop info = png_create_info_struct(png);
    png_infop end = png_create_info_struct(png);
    unsigned char *image = NULL;
    png_bytep *rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        printf("  read failed\n");
        goto done;
    }
    in->pos = 0;
    png_set_read_fn(png, in, mem_read);
    png_read_info(png, info);
    png_uint_32 w, h;
    int depth, ctype, interlace, comp, filter;
    png_get_IHDR(png, info, &w, &h, &depth, &ctype, &interlace, &comp, &filter);
    printf("  IHDR %ux%u depth %d color %d interlace %d, channels %d, rowbytes %lu\n",
           (unsigned)w, (unsigned)h, depth, ctype, interlace, png_get_channels(png, info),
           (unsigned long)png_get_rowbytes(png, info));
    double gamma;
    if (png_get_gAMA(png, info, &gamma))
        printf("  gAMA %.5f\n", gamma);
    png_textp text;
    int ntext, i;
    if (png_get_text(png, info, &text, &ntext))
        for (i = 0; i < ntext; i++)
            printf("  text %s=%s (compression %d)\n", text[i].key, text[i].text,
                   text[i].compression);
    if (with_transforms) {
        png_set_strip_16(png);
        png_set_expand(png);
        png_set_gray_to_rgb(png);
        png_set_strip_alpha(png);
        png_set_bgr(png);
        png_set_gamma(png, 2.2, 0.45455);
        png_set_interlace_handling(png);
    } else if (interlace != PNG_INTERLACE_NONE)
        png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    printf("  after update: channels %d, rowbytes %lu\n", png_get_channels(png, info),
           (unsigned long)rowbytes);
    image = malloc(rowbytes * h);
    rows = malloc(sizeof(png_bytep) * h);
    for (i = 0; i < (int)h; i++)
        rows[i] = image + (size_t)i * rowbytes;
    png_read_image(png, rows);
    png_read_end(png, end);
    printf("  pixels checksum %08lx\n", checksum(image, rowbytes * h));
    png_timep mod;
    if (png_get_tIME(png, info, &mod))
        printf("  tIME %d-%d-%d\n", mod->year, mod->month, mod->day);
done:
    png_destroy_read_struct(&png, &info, &end);
    free(image);
    free(rows);
}

static void simplified(struct membuf *in)
{
    png_image image;
    memset(&image, 0, sizeof(image));
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, in->data, in->len)) {
        printf("simplified read: %s\n", image.message);
        return;
    }
    image.format = PNG_FORMAT_RGBA;
    size_t size = PNG_IMAGE_SIZE(image);
    unsigned char *buf = malloc(size);
    int ok = png_image_finish_read(&image, NULL, buf, 0, NULL);
    printf("simplified read: ok %d %ux%u size %lu checksum %08lx\n", ok, (unsigned)image.width,
           (unsigned)image.height, (unsigned long)size, checksum(buf, size));
    png_alloc_size_t outlen = 0;
    image.format = PNG_FORMAT_GA;
    ok = png_image_write_to_memory(&image, NULL, &outlen, 0, buf, 0, NULL);
    unsigned char *out = malloc(outlen);
    ok = ok && png_image_write_to_memory(&image, out, &outlen, 0, buf, 0, NULL);
    printf("simplified write GA: ok %d bytes %lu checksum %08lx\n", ok, (unsigned long)outlen,
           checksum(out, outlen));
    png_image_free(&image);
    free(buf);
    free(out);

    /* A truncated stream through the simplified API: an error, not a crash. */
    memset(&image, 0, sizeof(image));
    image.version = PNG_IMAGE_VERSION;
    ok = png_image_begin_read_from_memory(&image, in->data, in->len / 3);
    if (ok) {
        image.format = PNG_FORMAT_RGB;
        buf = malloc(PNG_IMAGE_SIZE(image));
        ok = png_image_finish_read(&image, NULL, buf, 0, NULL);
        free(buf);
    }
    printf("simplified truncated: ok %d message %s\n", ok, image.message);
    png_image_free(&image);
}

int main(void)
{
    /* The runtime version shows which library was loaded. */
    printf("png_access_version_number: %lu\n", (unsigned long)png_access_version_number());
    printf("png_get_libpng_ver: %s\n", png_get_libpng_ver(NULL));
    unsigned char sig[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    printf("png_sig_cmp: %d\n", png_sig_cmp(sig, 0, 8));

    struct {
        int ctype, depth, interlace;
    } kinds[] = {
        {PNG_COLOR_TYPE_RGB_ALPHA, 8, PNG_INTERLACE_NONE},
        {PNG_COLOR_TYPE_RGB_ALPHA, 16, PNG_INTERLACE_ADAM7},
        {PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE},
    };
    unsigned k;
    struct membuf last = {0};
    for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        struct membuf m = {0};
        int ok = write_png(&m, kinds[k].ctype, kinds[k].depth, kinds[k].interlace);
        printf("write color %d depth %d interlace %d: ok %d bytes %lu checksum %08lx\n",
               kinds[k].ctype, kinds[k].depth, kinds[k].interlace, ok, (unsigned long)m.len,
               checksum(m.data, m.len));
        printf(" read plain:\n");
        read_png(&m, 0);
        printf(" read with transforms:\n");
        read_png(&m, 1);
        if (k == 0)
            last = m;
        else
            free(m.data);
    }
    simplified(&last);

    /* A corrupt stream: the error path through png_jmpbuf/longjmp. */
    last.data[last.len / 2] ^= 0xff;
    printf("read corrupted:\n");
    read_png(&last, 0);
    last.len = 40;
    printf("read truncated:\n");
    read_png(&last, 0);
    free(last.data);
    return 0;
}
