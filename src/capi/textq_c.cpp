// The C API (include/textq/textq.h) over the C++ library: every entry point
// runs its body inside guard(), which turns any exception into a status and
// the thread's last-error message, so nothing C++ crosses the boundary.
#include "textq/textq.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "api/eval_shard.h"
#include "api/evaluate.h"
#include "api/convert.h"
#include "api/quantize.h"
#include "formats/model.h"
#include "pipeline/detector.h"
#include "textdet/image_io.h"
#include "textq/error.h"

struct textq_model {
  textq::Model model;
};

struct textq_detector {
  const textq_model* model = nullptr;
  std::unique_ptr<textq::Detector> detector;
};

struct textq_result {
  std::vector<textq::TextInstance> instances;
};

namespace {

thread_local std::string g_last_error;

textq_status status_of(textq::ErrorKind kind) {
  switch (kind) {
    case textq::ErrorKind::InvalidArgument: return TEXTQ_INVALID_ARGUMENT;
    case textq::ErrorKind::InvalidFile: return TEXTQ_INVALID_FILE;
    case textq::ErrorKind::UnsupportedModel: return TEXTQ_UNSUPPORTED;
    case textq::ErrorKind::Io: return TEXTQ_IO;
    case textq::ErrorKind::Internal: return TEXTQ_INTERNAL;
  }
  return TEXTQ_INTERNAL;
}

textq_status fail(textq_status status, const std::string& message) {
  try {
    g_last_error = message;
  } catch (...) {
    g_last_error.clear();
  }
  return status;
}

template <class Fn>
textq_status guard(Fn&& fn) {
  try {
    fn();
    return TEXTQ_OK;
  } catch (const textq::Error& e) {
    return fail(status_of(e.kind()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(TEXTQ_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(TEXTQ_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(TEXTQ_INTERNAL, "internal error: unknown exception");
  }
}

void need(const void* p, const char* what) {
  if (!p) throw textq::Error(textq::ErrorKind::InvalidArgument, std::string(what) + " must not be NULL");
}

char* copy_string(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (!out) throw std::bad_alloc();
  std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

// A C caller may store any int in an enum field; in C++ reading an enum
// object that holds a value outside its enumerators' range is undefined (and
// UBSan's -fsanitize=enum stops on it). Read the field's bytes as the int
// they are, check that, and only then convert.
template <typename Enum>
int enum_field_as_int(const Enum& field) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized on the platforms textq builds for");
  int v;
  std::memcpy(&v, &field, sizeof v);
  return v;
}

}  // namespace

extern "C" {

const char* textq_version(void) { return "0.1.0"; }

const char* textq_last_error(void) { return g_last_error.c_str(); }

const char* textq_status_name(textq_status status) {
  switch (status) {
    case TEXTQ_OK: return "ok";
    case TEXTQ_INVALID_ARGUMENT: return "invalid argument";
    case TEXTQ_INVALID_FILE: return "invalid file";
    case TEXTQ_UNSUPPORTED: return "unsupported";
    case TEXTQ_IO: return "i/o error";
    case TEXTQ_INTERNAL: return "internal error";
  }
  return "unknown status";
}

textq_status textq_model_load(const char* path, textq_model** out) {
  return guard([&] {
    need(path, "path");
    need(out, "out");
    *out = nullptr;
    auto m = std::make_unique<textq_model>();
    m->model = textq::load_model(path);
    *out = m.release();
  });
}

void textq_model_free(textq_model* model) { delete model; }

textq_status textq_model_precision(const textq_model* model, const char** out) {
  return guard([&] {
    need(model, "model");
    need(out, "out");
    *out = model->model.info.precision.c_str();
  });
}

textq_status textq_convert(const char* checkpoint, const char* output, int mmocr_version) {
  return guard([&] {
    need(checkpoint, "checkpoint");
    need(output, "output");
    textq::TextSnakeBuildOptions opt;
    opt.mmocr_version = mmocr_version;
    textq::save_model(textq::convert_textsnake_checkpoint(checkpoint, opt), output);
  });
}

void textq_quantize_options_init(textq_quantize_options* o) {
  if (!o) return;
  const textq::QuantizeRequest d;
  o->method = "mse";
  o->percentile = d.percentile;
  o->num_images = d.num;
  o->seed = d.seed;
  o->threads = d.threads;
  o->calib_root = nullptr;
}

textq_status textq_quantize(const char* model_path, const char* calib, const char* output,
                            const textq_quantize_options* options) {
  return guard([&] {
    need(model_path, "model_path");
    need(calib, "calib");
    need(output, "output");
    textq_quantize_options o;
    textq_quantize_options_init(&o);
    if (options) o = *options;
    textq::QuantizeRequest r;
    r.calib = calib;
    if (o.calib_root) r.calib_root = o.calib_root;
    if (o.method) r.method = o.method;
    r.percentile = o.percentile;
    if (o.num_images < 0) throw textq::Error(textq::ErrorKind::InvalidArgument, "num_images must be >= 0");
    r.num = o.num_images;
    r.seed = o.seed;
    r.threads = o.threads;
    textq::quantize_model_file(model_path, output, r);
  });
}

void textq_detector_options_init(textq_detector_options* o) {
  if (!o) return;
  o->threads = 0;
  o->backend = TEXTQ_BACKEND_ONEDNN;
  o->precision = TEXTQ_PRECISION_AS_STORED;
}

textq_status textq_detector_create(const textq_model* model, const textq_detector_options* options,
                                   textq_detector** out) {
  return guard([&] {
    need(model, "model");
    need(out, "out");
    *out = nullptr;
    textq_detector_options o;
    textq_detector_options_init(&o);
    if (options) o = *options;
    if (o.threads < 0 || o.threads > 1024)
      throw textq::Error(textq::ErrorKind::InvalidArgument, "threads must be in [0, 1024], got " + std::to_string(o.threads));
    const int backend = enum_field_as_int(o.backend), precision = enum_field_as_int(o.precision);
    if (backend != TEXTQ_BACKEND_ONEDNN && backend != TEXTQ_BACKEND_REFERENCE)
      throw textq::Error(textq::ErrorKind::InvalidArgument,
                         "backend must be TEXTQ_BACKEND_ONEDNN or TEXTQ_BACKEND_REFERENCE, got " + std::to_string(backend));
    if (precision != TEXTQ_PRECISION_AS_STORED && precision != TEXTQ_PRECISION_BF16)
      throw textq::Error(textq::ErrorKind::InvalidArgument,
                         "precision must be TEXTQ_PRECISION_AS_STORED or TEXTQ_PRECISION_BF16, got " + std::to_string(precision));
    textq::DetectorOptions d;
    d.backend = o.backend == TEXTQ_BACKEND_ONEDNN ? textq::BackendKind::OneDnn : textq::BackendKind::Reference;
    d.exec.threads = o.threads;
    d.exec.bf16 = o.precision == TEXTQ_PRECISION_BF16;  // the executor refuses it where it cannot run
    auto det = std::make_unique<textq_detector>();
    det->model = model;
    det->detector = std::make_unique<textq::Detector>(model->model, d);
    *out = det.release();
  });
}

void textq_detector_free(textq_detector* detector) { delete detector; }

textq_status textq_detect(textq_detector* detector, const uint8_t* bgr, int height, int width, size_t row_stride,
                          textq_result** out) {
  return guard([&] {
    need(detector, "detector");
    need(bgr, "bgr");
    need(out, "out");
    *out = nullptr;
    if (height <= 0 || width <= 0 || row_stride < static_cast<size_t>(width) * 3)
      throw textq::Error(textq::ErrorKind::InvalidArgument,
                         "image " + std::to_string(height) + "x" + std::to_string(width) + " with row stride " +
                             std::to_string(row_stride) + ": need height, width > 0 and stride >= 3 * width");
    const cv::Mat image(height, width, CV_8UC3, const_cast<uint8_t*>(bgr), row_stride);
    auto r = std::make_unique<textq_result>();
    r->instances = detector->detector->detect(image).instances;
    *out = r.release();
  });
}

textq_status textq_detect_file(textq_detector* detector, const char* image_path, textq_result** out) {
  return guard([&] {
    need(detector, "detector");
    need(image_path, "image_path");
    need(out, "out");
    *out = nullptr;
    const cv::Mat image = textq::load_image_bgr(image_path);
    auto r = std::make_unique<textq_result>();
    r->instances = detector->detector->detect(image).instances;
    *out = r.release();
  });
}

size_t textq_result_count(const textq_result* result) { return result ? result->instances.size() : 0; }

textq_status textq_result_polygon(const textq_result* result, size_t i, const double** xy, size_t* num_points) {
  return guard([&] {
    need(result, "result");
    need(xy, "xy");
    need(num_points, "num_points");
    if (i >= result->instances.size())
      throw textq::Error(textq::ErrorKind::InvalidArgument, "instance " + std::to_string(i) + " of a result with " +
                                                                std::to_string(result->instances.size()));
    *xy = result->instances[i].polygon.data();
    *num_points = result->instances[i].polygon.size() / 2;
  });
}

textq_status textq_result_score(const textq_result* result, size_t i, double* score) {
  return guard([&] {
    need(result, "result");
    need(score, "score");
    if (i >= result->instances.size())
      throw textq::Error(textq::ErrorKind::InvalidArgument, "instance " + std::to_string(i) + " of a result with " +
                                                                std::to_string(result->instances.size()));
    *score = result->instances[i].score;
  });
}

void textq_result_free(textq_result* result) { delete result; }

textq_status textq_evaluate(const char* preds_path, const char* ann_path, const char* metric, char** table) {
  return guard([&] {
    need(preds_path, "preds_path");
    need(ann_path, "ann_path");
    need(table, "table");
    *table = nullptr;
    const auto r = textq::evaluate_prediction_file(preds_path, ann_path, metric ? metric : "mmocr0");
    *table = copy_string(textq::eval::format_eval_report(r));
  });
}

textq_status textq_merge_eval_parts(const char* const* part_paths, size_t count, char** table) {
  return guard([&] {
    need(part_paths, "part_paths");
    need(table, "table");
    *table = nullptr;
    std::vector<std::string> paths;
    for (size_t i = 0; i < count; ++i) {
      need(part_paths[i], "part_paths[i]");
      paths.emplace_back(part_paths[i]);
    }
    *table = copy_string(textq::eval::format_eval_report(textq::merge_eval_part_files(paths).result));
  });
}

void textq_string_free(char* text) { std::free(text); }

}  // extern "C"
