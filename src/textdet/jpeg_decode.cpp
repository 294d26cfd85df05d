#include "textdet/jpeg_decode.h"

#include <csetjmp>
#include <cstdio>  // jpeglib.h uses FILE and size_t without including their headers

#include <jpeglib.h>
// after jpeglib.h, which it needs
#include <jerror.h>

#ifndef JCS_EXTENSIONS
#error "textq needs libjpeg-turbo (JCS_EXT_BGR output): Debian's libjpeg-dev"
#endif

#include "textq/error.h"

namespace textq {

namespace {

// libjpeg reports a fatal error through error_exit, which must not return:
// it jumps back to decode(). `mgr` comes first so libjpeg's pointer to it is
// a pointer to the whole struct.
struct JpegErrors {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
  bool rows_done = false;  // every scanline was written before the error
};

[[noreturn]] void on_error(j_common_ptr cinfo) {
  JpegErrors* e = reinterpret_cast<JpegErrors*>(cinfo->err);
  e->mgr.format_message(cinfo, e->message);
  std::longjmp(e->jump, 1);
}

// Warnings (recoverable damage): libjpeg goes on, as under OpenCV, but does
// not print them; nothing below the CLI writes to the terminal.
void on_output_message(j_common_ptr) {}

// The bytes in memory, and no more. libjpeg's own memory source pads a file
// that ends early with a fake end-of-image marker and decodes on (grey rows,
// one warning); OpenCV's source suspends instead, so its decode fails or keeps
// rows it never wrote. Running out of data, or skipping past its end, is an
// error here: such a file is refused, never decoded from padding.
void source_init(j_decompress_ptr) {}
boolean source_fill(j_decompress_ptr cinfo) {
  ERREXIT(cinfo, JERR_INPUT_EOF);
  return FALSE;  // not reached: error_exit jumps
}
void source_skip(j_decompress_ptr cinfo, long bytes) {
  if (bytes <= 0) return;
  jpeg_source_mgr* src = cinfo->src;
  if (static_cast<unsigned long>(bytes) > src->bytes_in_buffer) ERREXIT(cinfo, JERR_INPUT_EOF);
  src->next_input_byte += bytes;
  src->bytes_in_buffer -= static_cast<size_t>(bytes);
}
void source_term(j_decompress_ptr) {}

enum class Outcome { Decoded, NotHandled, Failed };

// No object with a destructor lives in this frame: longjmp skips destructors.
Outcome decode(jpeg_decompress_struct* ci, JpegErrors* err, jpeg_source_mgr* src, const uint8_t* data, size_t size,
               cv::Mat* out) {
  if (setjmp(err->jump) != 0) return err->rows_done ? Outcome::Decoded : Outcome::Failed;
  src->init_source = source_init;
  src->fill_input_buffer = source_fill;
  src->skip_input_data = source_skip;
  src->resync_to_restart = jpeg_resync_to_restart;
  src->term_source = source_term;
  src->next_input_byte = data;
  src->bytes_in_buffer = size;
  ci->src = src;
  jpeg_read_header(ci, TRUE);
  const bool grey = ci->num_components == 1 && ci->jpeg_color_space == JCS_GRAYSCALE;
  const bool colour = ci->num_components == 3 && (ci->jpeg_color_space == JCS_YCbCr || ci->jpeg_color_space == JCS_RGB);
  // OpenCV gives Motion-JPEG frames without tables its own standard ones.
  const bool has_tables = ci->ac_huff_tbl_ptrs[0] != nullptr || ci->ac_huff_tbl_ptrs[1] != nullptr ||
                          ci->dc_huff_tbl_ptrs[0] != nullptr || ci->dc_huff_tbl_ptrs[1] != nullptr;
  if (!(grey || colour) || !has_tables) return Outcome::NotHandled;
  ci->out_color_space = JCS_EXT_BGR;  // OpenCV asks JCS_RGB and swaps; the conversion is the same arithmetic
  jpeg_start_decompress(ci);
  out->create(static_cast<int>(ci->output_height), static_cast<int>(ci->output_width), CV_8UC3);
  constexpr JDIMENSION kRows = 16;  // a whole MCU row of 4:2:0 per call
  while (ci->output_scanline < ci->output_height) {
    JSAMPROW rows[kRows];
    const JDIMENSION first = ci->output_scanline;
    const JDIMENSION n = ci->output_height - first < kRows ? ci->output_height - first : kRows;
    for (JDIMENSION i = 0; i < n; ++i) rows[i] = out->ptr(static_cast<int>(first + i));
    jpeg_read_scanlines(ci, rows, n);
  }
  // OpenCV keeps the image when only the end of the stream is bad.
  err->rows_done = true;
  jpeg_finish_decompress(ci);
  return Outcome::Decoded;
}

}  // namespace

bool decode_jpeg_bgr(const uint8_t* data, size_t size, const std::string& path, cv::Mat* out) {
  jpeg_decompress_struct ci;
  JpegErrors err;
  jpeg_source_mgr src;
  ci.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = on_error;
  err.mgr.output_message = on_output_message;
  jpeg_create_decompress(&ci);
  cv::Mat img;
  Outcome outcome;
  try {
    outcome = decode(&ci, &err, &src, data, size, &img);
  } catch (...) {  // cv::Mat allocation
    jpeg_destroy_decompress(&ci);
    throw;
  }
  jpeg_destroy_decompress(&ci);
  if (outcome == Outcome::Failed)
    throw Error(ErrorKind::InvalidFile, path + ": cannot decode JPEG image: " + std::string(err.message));
  if (outcome == Outcome::NotHandled) return false;
  *out = img;
  return true;
}

}  // namespace textq
