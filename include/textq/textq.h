/* textq C API: load, convert, quantize, detect and evaluate from C (and any
 * language with a C FFI). Built as libtextq.so; only textq_* symbols are
 * exported.
 *
 * Rules:
 * - Every function that can fail returns a textq_status; TEXTQ_OK is 0.
 * - On failure, textq_last_error() returns the one-line message the CLI
 *   prints (file, place, rule), valid until the next failing call on the same
 *   thread. No C++ exception, abort or exit ever crosses this API.
 * - Handles are opaque; free each with its textq_*_free (NULL is accepted).
 * - A detector must not be used from two threads at once; distinct detectors
 *   (even of one model) may run concurrently. A model may be shared.
 */
#ifndef TEXTQ_TEXTQ_H
#define TEXTQ_TEXTQ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TEXTQ_API __attribute__((visibility("default")))

/* The CLI's exit code of each failure kind is (status) for 1..4, 4 for TEXTQ_INTERNAL. */
typedef enum textq_status {
  TEXTQ_OK = 0,
  TEXTQ_INVALID_ARGUMENT = 1, /* a wrong argument or option value */
  TEXTQ_INVALID_FILE = 2,     /* a file that breaks its format's rules */
  TEXTQ_UNSUPPORTED = 3,      /* a well-formed file textq does not handle */
  TEXTQ_IO = 4,               /* missing, unreadable or unwritable file */
  TEXTQ_INTERNAL = 5,         /* a bug, a backend failure or out of memory */
} textq_status;

typedef struct textq_model textq_model;       /* a loaded .textq model file */
typedef struct textq_detector textq_detector; /* a model bound to a backend and thread count */
typedef struct textq_result textq_result;     /* the text instances found in one image */

TEXTQ_API const char* textq_version(void);
/* Message of the last failure on this thread ("" if none). */
TEXTQ_API const char* textq_last_error(void);
/* "invalid argument", "invalid file", ... */
TEXTQ_API const char* textq_status_name(textq_status status);

/* ---- models ---- */
TEXTQ_API textq_status textq_model_load(const char* path, textq_model** out);
TEXTQ_API void textq_model_free(textq_model* model);
/* "fp32" or "int8" (pointer owned by the model). */
TEXTQ_API textq_status textq_model_precision(const textq_model* model, const char** out);

/* MMOCR TextSnake checkpoint (.pth) -> textq model file; mmocr_version 0 or 1. */
TEXTQ_API textq_status textq_convert(const char* checkpoint, const char* output, int mmocr_version);

typedef struct textq_quantize_options {
  const char* method;     /* "mse" (default), "kl", "minmax", "percentile" */
  double percentile;      /* for "percentile"; default 99.99 */
  int num_images;         /* calibration images (0 = all); default 100 */
  uint64_t seed;          /* of the image selection; default 0 */
  int threads;            /* 0 = all cores */
  const char* calib_root; /* image root when calib is an annotation json; NULL = its folder */
} textq_quantize_options;
TEXTQ_API void textq_quantize_options_init(textq_quantize_options* options);
/* INT8 model from an FP32 model file, calibrated on `calib` (a folder of
 * images or an annotation json); options may be NULL (defaults). The other
 * steps are `textq quantize`'s defaults (the head's 1x1 conv folded into the
 * deconv that feeds it; docs/quantization.md). */
TEXTQ_API textq_status textq_quantize(const char* model_path, const char* calib, const char* output,
                                      const textq_quantize_options* options);

/* ---- detection ---- */
typedef enum textq_backend { TEXTQ_BACKEND_ONEDNN = 0, TEXTQ_BACKEND_REFERENCE = 1 } textq_backend;
/* As stored: FP32 or INT8 as the model file says. BF16: the FP32 layers run
 * with bf16 weights and activations, f32 accumulation (oneDNN backend, CPUs
 * with AVX-512 BF16 or AMX; refused elsewhere). */
typedef enum textq_precision { TEXTQ_PRECISION_AS_STORED = 0, TEXTQ_PRECISION_BF16 = 1 } textq_precision;
typedef struct textq_detector_options {
  int threads;               /* 0 = all cores */
  textq_backend backend;     /* default TEXTQ_BACKEND_ONEDNN */
  textq_precision precision; /* default TEXTQ_PRECISION_AS_STORED */
} textq_detector_options;
TEXTQ_API void textq_detector_options_init(textq_detector_options* options);
/* The detector keeps a reference to the model: free it before the model. */
TEXTQ_API textq_status textq_detector_create(const textq_model* model, const textq_detector_options* options,
                                             textq_detector** out);
TEXTQ_API void textq_detector_free(textq_detector* detector);
/* An 8-bit BGR image, height x width pixels, rows row_stride bytes apart
 * (>= 3 * width); read in place, not copied. */
TEXTQ_API textq_status textq_detect(textq_detector* detector, const uint8_t* bgr, int height, int width,
                                    size_t row_stride, textq_result** out);
/* The same from an image file. */
TEXTQ_API textq_status textq_detect_file(textq_detector* detector, const char* image_path, textq_result** out);

TEXTQ_API size_t textq_result_count(const textq_result* result);
/* Instance i: *xy points at num_points (x, y) pairs in image pixels, owned by the result. */
TEXTQ_API textq_status textq_result_polygon(const textq_result* result, size_t i, const double** xy, size_t* num_points);
TEXTQ_API textq_status textq_result_score(const textq_result* result, size_t i, double* score);
TEXTQ_API void textq_result_free(textq_result* result);

/* ---- evaluation ---- */
/* MMOCR hmean-IoU of a predictions file (textq detect -o) against an
 * annotation json; metric "mmocr0" or "mmocr1" (NULL = "mmocr0"). *table
 * receives exactly what `textq eval --preds P --ann A --metric M` prints;
 * free it with textq_string_free. */
TEXTQ_API textq_status textq_evaluate(const char* preds_path, const char* ann_path, const char* metric, char** table);
/* The same table from the part files of `textq eval --shard I/N` (all N). */
TEXTQ_API textq_status textq_merge_eval_parts(const char* const* part_paths, size_t count, char** table);
TEXTQ_API void textq_string_free(char* text);

#ifdef __cplusplus
}
#endif

#endif /* TEXTQ_TEXTQ_H */
