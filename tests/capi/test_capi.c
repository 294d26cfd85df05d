/* The C API from C: every entry point's success and failure paths, run from
 * the source tree (ctest sets the working directory). Usage: test_capi TMPDIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textq/textq.h"

static int failures = 0;
#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, \
              __LINE__, #cond, textq_last_error());                          \
      ++failures;                                                            \
    }                                                                        \
  } while (0)

static const char* kPreds = "tests/data/eval/ctw1500_mini_preds.json";
static const char* kAnn = "tests/data/datasets/ctw1500-mini/instances_test.json";
static const char* kCheckpoint = "demo/textsnake_demo.pth";
static const char* kImage = "demo/ctw1500/test_images/1001.jpg";
static const char* kCalib = "demo/ctw1500_calib/train_images";

static void test_errors(const char* tmp) {
  textq_model* m = NULL;
  CHECK(textq_model_load("no/such/model.textq", &m) == TEXTQ_IO);
  CHECK(m == NULL);
  CHECK(strstr(textq_last_error(), "no/such/model.textq") != NULL);
  CHECK(strchr(textq_last_error(), '\n') == NULL); /* one line */
  CHECK(textq_model_load(NULL, &m) == TEXTQ_INVALID_ARGUMENT);
  CHECK(strcmp(textq_last_error(), "path must not be NULL") == 0);

  char path[1024];
  snprintf(path, sizeof path, "%s/garbage.textq", tmp);
  FILE* f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f) {
    fputs("this is not a textq model", f);
    fclose(f);
  }
  CHECK(textq_model_load(path, &m) == TEXTQ_INVALID_FILE);
  CHECK(strstr(textq_last_error(), path) != NULL);

  char* table = NULL;
  CHECK(textq_evaluate(kPreds, kAnn, "mmocr2", &table) == TEXTQ_INVALID_ARGUMENT);
  CHECK(table == NULL);
  CHECK(strcmp(textq_last_error(), "--metric must be mmocr0 or mmocr1, got mmocr2") == 0);
  CHECK(textq_evaluate(kAnn, kAnn, NULL, &table) == TEXTQ_INVALID_FILE);
  CHECK(textq_merge_eval_parts(NULL, 0, &table) == TEXTQ_INVALID_ARGUMENT);
  const char* none[1] = {"no/such/part.json"};
  CHECK(textq_merge_eval_parts(none, 1, &table) == TEXTQ_IO);
  CHECK(textq_convert("no/such.pth", path, 0) == TEXTQ_IO);
  CHECK(textq_convert(kCheckpoint, path, 2) == TEXTQ_INVALID_ARGUMENT);
  CHECK(strcmp(textq_status_name(TEXTQ_INVALID_FILE), "invalid file") == 0);
}

/* Numbers are MMOCR 0.6's own on these fixtures (tests/cli/eval_preds.sh). */
static void test_evaluate(void) {
  char* table = NULL;
  CHECK(textq_evaluate(kPreds, kAnn, "mmocr0", &table) == TEXTQ_OK);
  CHECK(table != NULL);
  if (!table) return;
  const char* head = "Evaluating hmean-iou...\nthr 0.30, recall: 0.571, precision: 0.571, hmean: 0.571\n";
  CHECK(strncmp(table, head, strlen(head)) == 0);
  CHECK(strstr(table, "\nthr 0.90, recall: 0.429, precision: 0.750, hmean: 0.545\n") != NULL);
  CHECK(strstr(table, "\nbest (mmocr0): thr 0.70, recall: 0.5714, precision: 0.8000, hmean: 0.6667 (gt: 7, det: 5, matched: 4)\n") != NULL);
  textq_string_free(table);
}

static int same_results(const textq_result* a, const textq_result* b) {
  if (textq_result_count(a) != textq_result_count(b)) return 0;
  for (size_t i = 0; i < textq_result_count(a); ++i) {
    const double *pa, *pb;
    size_t na, nb;
    double sa, sb;
    if (textq_result_polygon(a, i, &pa, &na) || textq_result_polygon(b, i, &pb, &nb)) return 0;
    if (textq_result_score(a, i, &sa) || textq_result_score(b, i, &sb)) return 0;
    if (na != nb || sa != sb || memcmp(pa, pb, 2 * na * sizeof(double)) != 0) return 0;
  }
  return 1;
}

static void test_convert_detect_quantize(const char* tmp) {
  char fp32[1024], int8[1024];
  snprintf(fp32, sizeof fp32, "%s/demo_fp32.textq", tmp);
  snprintf(int8, sizeof int8, "%s/demo_int8.textq", tmp);
  CHECK(textq_convert(kCheckpoint, fp32, 0) == TEXTQ_OK);
  textq_model* model = NULL;
  CHECK(textq_model_load(fp32, &model) == TEXTQ_OK);
  if (!model) return;
  const char* precision = NULL;
  CHECK(textq_model_precision(model, &precision) == TEXTQ_OK && strcmp(precision, "fp32") == 0);

  textq_detector_options opt;
  textq_detector_options_init(&opt);
  opt.threads = 1;
  textq_detector* det = NULL;
  opt.threads = -1;
  CHECK(textq_detector_create(model, &opt, &det) == TEXTQ_INVALID_ARGUMENT);
  opt.threads = 1;
  CHECK(textq_detector_create(model, &opt, &det) == TEXTQ_OK);
  if (!det) return;

  textq_result* r = NULL;
  CHECK(textq_detect_file(det, kImage, &r) == TEXTQ_OK);
  CHECK(textq_result_count(r) > 0);
  for (size_t i = 0; i < textq_result_count(r); ++i) {
    const double* xy;
    size_t n;
    double s;
    CHECK(textq_result_polygon(r, i, &xy, &n) == TEXTQ_OK && n >= 3);
    CHECK(textq_result_score(r, i, &s) == TEXTQ_OK && s > 0 && s <= 1);
  }
  const double* xy;
  size_t n;
  CHECK(textq_result_polygon(r, textq_result_count(r), &xy, &n) == TEXTQ_INVALID_ARGUMENT);
  textq_result_free(r);
  CHECK(textq_detect_file(det, "no/such.jpg", &r) == TEXTQ_IO);

  /* A synthetic image, tight and with padded rows: the same pixels, the same result. */
  const int h = 96, w = 160, pad = 13;
  unsigned char* tight = malloc((size_t)h * w * 3);
  unsigned char* padded = malloc((size_t)h * (w * 3 + pad));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w * 3; ++x) {
      const unsigned char v = (unsigned char)((y / 12 % 2) && x / 3 > 20 && x / 3 < 140 ? 20 : 230);
      tight[(size_t)y * w * 3 + x] = v;
      padded[(size_t)y * (w * 3 + pad) + x] = v;
    }
  textq_result *ra = NULL, *rb = NULL;
  CHECK(textq_detect(det, tight, h, w, (size_t)w * 3, &ra) == TEXTQ_OK);
  CHECK(textq_detect(det, padded, h, w, (size_t)w * 3 + pad, &rb) == TEXTQ_OK);
  CHECK(ra && rb && same_results(ra, rb));
  textq_result_free(ra);
  textq_result_free(rb);
  CHECK(textq_detect(det, tight, h, w, (size_t)w * 3 - 1, &ra) == TEXTQ_INVALID_ARGUMENT);
  CHECK(strstr(textq_last_error(), "stride") != NULL);
  CHECK(textq_detect(det, tight, 0, w, (size_t)w * 3, &ra) == TEXTQ_INVALID_ARGUMENT);
  free(tight);
  free(padded);
  textq_detector_free(det);

  /* Values outside the enums (a C caller can store any int there) are
     refused with the value, not read as some other backend. */
  opt.backend = (textq_backend)7;
  CHECK(textq_detector_create(model, &opt, &det) == TEXTQ_INVALID_ARGUMENT);
  CHECK(strstr(textq_last_error(), "backend must be") != NULL && strstr(textq_last_error(), "got 7") != NULL);
  opt.backend = TEXTQ_BACKEND_ONEDNN;
  opt.precision = (textq_precision)-3;
  CHECK(textq_detector_create(model, &opt, &det) == TEXTQ_INVALID_ARGUMENT);
  CHECK(strstr(textq_last_error(), "precision must be") != NULL && strstr(textq_last_error(), "got -3") != NULL);

  /* bf16: refused on the reference backend; on oneDNN it runs where the CPU
     has AVX-512 BF16 and is refused as unsupported elsewhere. */
  opt.precision = TEXTQ_PRECISION_BF16;
  opt.backend = TEXTQ_BACKEND_REFERENCE;
  CHECK(textq_detector_create(model, &opt, &det) == TEXTQ_INVALID_ARGUMENT);
  CHECK(strstr(textq_last_error(), "bf16") != NULL);
  opt.backend = TEXTQ_BACKEND_ONEDNN;
  const textq_status bf16 = textq_detector_create(model, &opt, &det);
  CHECK(bf16 == TEXTQ_OK || (bf16 == TEXTQ_UNSUPPORTED && strstr(textq_last_error(), "bf16") != NULL));
  if (bf16 == TEXTQ_OK) {
    CHECK(textq_detect_file(det, kImage, &r) == TEXTQ_OK);
    CHECK(textq_result_count(r) > 0);
    textq_result_free(r);
    textq_detector_free(det);
  }
  textq_model_free(model);

  textq_quantize_options q;
  textq_quantize_options_init(&q);
  CHECK(strcmp(q.method, "mse") == 0 && q.num_images == 100);
  q.method = "minmax";
  q.num_images = 2;
  q.threads = 1;
  CHECK(textq_quantize(fp32, kCalib, int8, &q) == TEXTQ_OK);
  CHECK(textq_model_load(int8, &model) == TEXTQ_OK);
  CHECK(model && textq_model_precision(model, &precision) == TEXTQ_OK && strcmp(precision, "int8") == 0);
  textq_model_free(model);
  CHECK(textq_quantize(int8, kCalib, fp32, &q) == TEXTQ_INVALID_ARGUMENT);
  CHECK(strstr(textq_last_error(), "already INT8") != NULL);
  q.method = "median";
  CHECK(textq_quantize(fp32, kCalib, int8, &q) == TEXTQ_INVALID_ARGUMENT);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_capi TMPDIR\n");
    return 2;
  }
  CHECK(strcmp(textq_version(), "0.1.0") == 0);
  test_errors(argv[1]);
  test_evaluate();
  test_convert_detect_quantize(argv[1]);
  textq_model_free(NULL);
  textq_detector_free(NULL);
  textq_result_free(NULL);
  textq_string_free(NULL);
  if (failures) {
    fprintf(stderr, "test_capi: %d check(s) failed\n", failures);
    return 1;
  }
  printf("test_capi: ok\n");
  return 0;
}
