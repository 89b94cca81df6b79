/*
 * Decoding a selfie to grey (see image.h).
 */
#include "image.h"

#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>
#include <png.h>

const char *image_result_name(enum image_result r)
{
    switch (r) {
    case IMAGE_OK: return "ok";
    case IMAGE_UNDECODABLE: return "undecodable";
    case IMAGE_TOO_LARGE: return "too_large";
    case IMAGE_TOO_SMALL: return "too_small";
    case IMAGE_NO_MEMORY: return "no_memory";
    }
    return "unknown";
}

static enum image_result check_size(unsigned long width, unsigned long height, unsigned long max_pixels)
{
    if (width > IMAGE_MAX_SIDE || height > IMAGE_MAX_SIDE || width * height > max_pixels)
        return IMAGE_TOO_LARGE;
    if (width < IMAGE_MIN_SIDE || height < IMAGE_MIN_SIDE)
        return IMAGE_TOO_SMALL;
    return IMAGE_OK;
}

/* ---- JPEG ---- */

struct jpeg_failure {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    enum image_result result;
};

static void jpeg_fail(j_common_ptr cinfo)
{
    struct jpeg_failure *f = (struct jpeg_failure *)cinfo->err;
    if (f->result == IMAGE_OK)
        f->result = cinfo->err->msg_code == JERR_OUT_OF_MEMORY || cinfo->err->msg_code == JERR_NO_BACKING_STORE
                        ? IMAGE_TOO_LARGE
                        : IMAGE_UNDECODABLE;
    longjmp(f->jump, 1);
}

static void jpeg_quiet(j_common_ptr cinfo, int level) { (void)cinfo, (void)level; } /* warnings are not logged */

/* A progressive JPEG of thousands of scans takes minutes to decode: stop it. */
static void jpeg_count_scans(j_common_ptr cinfo)
{
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (cinfo->is_decompressor && d->input_scan_number > IMAGE_JPEG_MAX_SCANS) {
        ((struct jpeg_failure *)cinfo->err)->result = IMAGE_TOO_LARGE;
        jpeg_fail(cinfo);
    }
}

static enum image_result decode_jpeg(const unsigned char *data, size_t len, struct grey_image *out)
{
    struct jpeg_decompress_struct cinfo;
    struct jpeg_failure failure = {.result = IMAGE_OK};
    struct jpeg_progress_mgr progress = {.progress_monitor = jpeg_count_scans};
    /* volatile: read after a longjmp */
    unsigned char *volatile pixels = NULL;
    cinfo.err = jpeg_std_error(&failure.mgr);
    failure.mgr.error_exit = jpeg_fail;
    failure.mgr.emit_message = jpeg_quiet;
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        return failure.result;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.mem->max_memory_to_use = IMAGE_JPEG_MAX_MEMORY;
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, data, (unsigned long)len);
    if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
        failure.result = IMAGE_UNDECODABLE;
        jpeg_fail((j_common_ptr)&cinfo);
    }
    enum image_result size = check_size(cinfo.image_width, cinfo.image_height, IMAGE_MAX_PIXELS);
    if (size != IMAGE_OK) {
        failure.result = size;
        jpeg_fail((j_common_ptr)&cinfo);
    }
    /* 1/8 of each side when that leaves enough to hash (a phone's photo: 500 x 375 of 4000 x 3000). */
    unsigned smaller = cinfo.image_width < cinfo.image_height ? cinfo.image_width : cinfo.image_height;
    cinfo.scale_num = 1;
    while (cinfo.scale_num < 8 && smaller * cinfo.scale_num / 8 < 4 * IMAGE_MIN_SIDE)
        cinfo.scale_num++;
    cinfo.scale_denom = 8;
    cinfo.out_color_space = JCS_GRAYSCALE;
    jpeg_start_decompress(&cinfo);
    unsigned width = cinfo.output_width, height = cinfo.output_height;
    if (cinfo.output_components != 1 || width < IMAGE_MIN_SIDE || height < IMAGE_MIN_SIDE) {
        failure.result = width < IMAGE_MIN_SIDE || height < IMAGE_MIN_SIDE ? IMAGE_TOO_SMALL : IMAGE_UNDECODABLE;
        jpeg_fail((j_common_ptr)&cinfo);
    }
    if (!(pixels = malloc((size_t)width * height))) {
        failure.result = IMAGE_NO_MEMORY;
        jpeg_fail((j_common_ptr)&cinfo);
    }
    while (cinfo.output_scanline < height) {
        JSAMPROW row = pixels + (size_t)cinfo.output_scanline * width;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    *out = (struct grey_image){width, height, pixels};
    return IMAGE_OK;
}

/* ---- PNG ---- */

static enum image_result decode_png(const unsigned char *data, size_t len, struct grey_image *out)
{
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, len))
        return IMAGE_UNDECODABLE;
    enum image_result size = check_size(image.width, image.height, IMAGE_PNG_MAX_PIXELS);
    if (size != IMAGE_OK) {
        png_image_free(&image);
        return size;
    }
    image.format = PNG_FORMAT_GRAY;
    unsigned char *pixels = malloc(PNG_IMAGE_SIZE(image));
    if (!pixels) {
        png_image_free(&image);
        return IMAGE_NO_MEMORY;
    }
    /* A background of white for a transparent picture: what a viewer shows. */
    png_color background = {255, 255, 255};
    if (!png_image_finish_read(&image, &background, pixels, 0, NULL)) {
        png_image_free(&image);
        free(pixels);
        return IMAGE_UNDECODABLE;
    }
    *out = (struct grey_image){image.width, image.height, pixels};
    return IMAGE_OK;
}

enum image_result image_decode_grey(const unsigned char *data, size_t len, struct grey_image *out)
{
    *out = (struct grey_image){0};
    if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        return decode_jpeg(data, len, out);
    if (len >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0)
        return decode_png(data, len, out);
    return IMAGE_UNDECODABLE;
}
