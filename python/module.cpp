// textq._textq: the Python binding of the textq library (pybind11). The
// public names are re-exported by textq/__init__.py. Library errors become
// textq.Error subclasses carrying the message the CLI prints; detection reads
// the caller's numpy array in place and releases the GIL while it runs.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "api/convert.h"
#include "api/eval_shard.h"
#include "api/evaluate.h"
#include "api/image_prediction.h"
#include "api/quantize.h"
#include "api/scoring.h"
#include "datasets/mmocr_json.h"
#include "importers/pytorch/state_dict.h"
#include "pipeline/batch_detect.h"
#include "pipeline/detector.h"
#include "textq/error.h"

namespace py = pybind11;
namespace fs = std::filesystem;

namespace {

// Exception classes, created at import (textq.Error and one subclass per kind).
PyObject* g_error = nullptr;
PyObject* g_kind_error[5] = {};

PyObject* new_exception(py::module_& m, const char* name, PyObject* bases, const char* doc) {
  const std::string full = std::string("textq.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(full.c_str(), doc, bases, nullptr);
  if (!cls) throw py::error_already_set();
  m.add_object(name, py::handle(cls));
  return cls;
}

void register_errors(py::module_& m) {
  g_error = new_exception(m, "Error", PyExc_RuntimeError, "A textq failure; str(e) is the CLI's one-line message.");
  auto sub = [&](textq::ErrorKind kind, const char* name, PyObject* also, const char* doc) {
    PyObject* bases = also ? PyTuple_Pack(2, g_error, also) : PyTuple_Pack(1, g_error);
    g_kind_error[static_cast<int>(kind)] = new_exception(m, name, bases, doc);
    Py_DECREF(bases);
  };
  sub(textq::ErrorKind::InvalidArgument, "InvalidArgumentError", PyExc_ValueError, "A wrong argument or option value.");
  sub(textq::ErrorKind::InvalidFile, "InvalidFileError", nullptr, "A file that breaks its format's rules.");
  sub(textq::ErrorKind::UnsupportedModel, "UnsupportedError", nullptr, "A well-formed file textq does not handle.");
  sub(textq::ErrorKind::Io, "FileError", PyExc_OSError, "A missing, unreadable or unwritable file.");
  sub(textq::ErrorKind::Internal, "InternalError", nullptr, "A bug or a backend failure.");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const textq::Error& e) {
      PyErr_SetString(g_kind_error[static_cast<int>(e.kind())], e.what());
    }
  });
}

std::string path_arg(const py::object& p) { return py::str(py::module_::import("os").attr("fspath")(p)); }

textq::BackendKind backend_from_name(const std::string& name) {
  if (name == "onednn") return textq::BackendKind::OneDnn;
  if (name == "reference") return textq::BackendKind::Reference;
  throw textq::Error(textq::ErrorKind::InvalidArgument, "backend " + name + ": expected onednn or reference");
}

// A view of an HxWx3 uint8 array with packed BGR pixels (rows may be padded);
// anything else is refused rather than silently copied.
cv::Mat bgr_view(const py::array& a) {
  if (!py::isinstance<py::array_t<uint8_t>>(a) || a.ndim() != 3 || a.shape(2) != 3)
    throw textq::Error(textq::ErrorKind::InvalidArgument,
                       "image must be a numpy HxWx3 uint8 BGR array, got dtype " + std::string(py::str(a.dtype())) +
                           " with " + std::to_string(a.ndim()) + " dimensions");
  if (a.strides(2) != 1 || a.strides(1) != 3 || a.strides(0) < 3 * a.shape(1))
    throw textq::Error(textq::ErrorKind::InvalidArgument,
                       "image pixels must be packed BGR rows (strides (>= 3*W, 3, 1)); pass np.ascontiguousarray(image)");
  if (a.shape(0) <= 0 || a.shape(1) <= 0) throw textq::Error(textq::ErrorKind::InvalidArgument, "image is empty");
  return cv::Mat(static_cast<int>(a.shape(0)), static_cast<int>(a.shape(1)), CV_8UC3, const_cast<void*>(a.data()),
                 static_cast<size_t>(a.strides(0)));
}

py::list to_python(const std::vector<textq::TextInstance>& instances) {
  py::list out;
  for (const textq::TextInstance& inst : instances) {
    const py::ssize_t n = static_cast<py::ssize_t>(inst.polygon.size() / 2);
    py::array_t<float> poly({n, py::ssize_t{2}});
    float* d = poly.mutable_data();
    for (size_t i = 0; i < inst.polygon.size(); ++i) d[i] = static_cast<float>(inst.polygon[i]);
    out.append(py::make_tuple(poly, inst.score));
  }
  return out;
}

// A model file with one detector (one backend, one thread count).
class PyModel {
 public:
  PyModel(const py::object& path, int threads, const std::string& backend, const std::string& precision)
      : path_(path_arg(path)) {
    if (threads < 0 || threads > 1024)
      throw textq::Error(textq::ErrorKind::InvalidArgument, "threads must be in [0, 1024], got " + std::to_string(threads));
    // The CLI's --precision: fp32 runs the model as stored (FP32 or INT8).
    if (precision != "fp32" && precision != "bf16")
      throw textq::Error(textq::ErrorKind::InvalidArgument, "precision " + precision + ": expected fp32 or bf16");
    options_.backend = backend_from_name(backend);
    options_.exec.threads = threads;
    options_.exec.bf16 = precision == "bf16";  // the executor refuses it where it cannot run
    backend_ = backend;
    model_ = std::make_unique<textq::Model>(textq::load_model(path_));
    detector_ = std::make_unique<textq::Detector>(*model_, options_);
  }

  py::list detect(const py::array& image) {
    const cv::Mat bgr = bgr_view(image);
    std::vector<textq::TextInstance> instances;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      instances = detector_->detect(bgr).instances;
    }
    return to_python(instances);
  }

  py::list detect_batch(const std::vector<py::array>& images) {
    std::vector<cv::Mat> views;
    for (const py::array& a : images) views.push_back(bgr_view(a));
    std::vector<std::vector<textq::TextInstance>> results(views.size());
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      for (size_t i = 0; i < views.size(); ++i)
        results[i] = textq::with_error_context("image " + std::to_string(i), [&] { return detector_->detect(views[i]).instances; });
    }
    py::list out;
    for (const auto& r : results) out.append(to_python(r));
    return out;
  }

  // Detection over image files (run_batch_detection: decode of one image
  // overlaps the network of the next), as `textq detect` writes them.
  textq::PredictionsFile detect_files(const std::vector<std::string>& paths, uint64_t max_image_pixels) {
    std::vector<textq::BatchItem> items;
    for (const std::string& p : paths) items.push_back({p, {}});
    textq::BatchOptions batch;
    batch.max_image_pixels = max_image_pixels;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      textq::run_batch_detection(*detector_, items, nullptr, batch);
    }
    textq::PredictionsFile preds;
    preds.model = path_;
    for (const textq::BatchItem& item : items) preds.predictions.push_back(textq::to_image_prediction(item.path, item.detection));
    return preds;
  }

  const std::string& path() const { return path_; }
  const std::string& precision() const { return model_->info.precision; }
  int threads() const { return options_.exec.threads; }
  const std::string& backend() const { return backend_; }

 private:
  std::string path_, backend_;
  textq::DetectorOptions options_;
  std::unique_ptr<textq::Model> model_;
  std::unique_ptr<textq::Detector> detector_;
  std::mutex mutex_;  // a Detector runs one image at a time
};

// In-memory predictions: {img_path: [(polygon Nx2, score), ...]}.
textq::PredictionsFile predictions_from_dict(const py::dict& d) {
  textq::PredictionsFile preds;
  for (const auto& item : d) {
    textq::ImagePrediction p;
    p.img_path = path_arg(py::reinterpret_borrow<py::object>(item.first));
    for (const py::handle& det : py::reinterpret_borrow<py::sequence>(item.second)) {
      const py::tuple t = py::reinterpret_borrow<py::tuple>(det);
      if (t.size() != 2) throw textq::Error(textq::ErrorKind::InvalidArgument, p.img_path + ": a detection must be (polygon, score)");
      const auto poly = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(t[0]);
      if (!poly || poly.ndim() != 2 || poly.shape(1) != 2)
        throw textq::Error(textq::ErrorKind::InvalidArgument, p.img_path + ": a polygon must be an Nx2 array");
      p.polygons.emplace_back(poly.data(), poly.data() + poly.size());
      p.scores.push_back(t[1].cast<double>());
    }
    preds.predictions.push_back(std::move(p));
  }
  return preds;
}

std::string evaluate(const py::object& preds, const py::object& ann, const std::string& metric) {
  if (py::isinstance<py::dict>(preds)) {
    const std::string ann_path = path_arg(ann);
    size_t missing = 0;
    const auto r = textq::score_predictions(predictions_from_dict(preds.cast<py::dict>()), "predictions", 
                                            textq::datasets::read_annotation_json(ann_path), ann_path,
                                            textq::metric_rules_from_name(metric), &missing);
    return textq::eval::format_eval_report(r);
  }
  return textq::eval::format_eval_report(textq::evaluate_prediction_file(path_arg(preds), path_arg(ann), metric));
}

// One shard of a dataset evaluation, as `textq eval --shard I/N -o output`:
// detections of `model` over the block's images under img_root (or the
// predictions file `preds`), scored and written as an eval part.
std::string eval_shard(const py::object& ann, const std::string& shard, const py::object& output, const py::object& model,
                       const py::object& img_root, const py::object& preds, const std::string& metric) {
  const textq::ShardSpec spec = textq::parse_shard(shard);
  textq::metric_rules_from_name(metric);
  if (model.is_none() == preds.is_none())
    throw textq::Error(textq::ErrorKind::InvalidArgument, "eval_shard needs exactly one of model= and preds=");
  textq::EvalPartIdentity id;
  id.metric = metric;
  id.ann_path = path_arg(ann);
  id.ann_sha256 = textq::sha256_file(id.ann_path);
  const textq::datasets::Dataset dataset = textq::datasets::read_annotation_json(id.ann_path);
  textq::PredictionsFile predictions;
  if (!model.is_none()) {
    if (img_root.is_none()) throw textq::Error(textq::ErrorKind::InvalidArgument, "model= needs img_root=");
    PyModel& m = model.cast<PyModel&>();
    id.source_kind = "model";
    id.source_path = m.path();
    id.source_sha256 = textq::sha256_file(m.path());
    id.settings = "backend=" + m.backend();  // the CLI's runtime_settings without decoder overrides
    const std::string root = path_arg(img_root);
    std::vector<std::string> paths;
    std::vector<std::string> missing;
    for (const auto& im : textq::shard_dataset(dataset, spec).images) {
      paths.push_back((fs::path(root) / im.img_path).string());
      if (!fs::is_regular_file(paths.back())) missing.push_back(paths.back());
    }
    if (!missing.empty())
      throw textq::Error(textq::ErrorKind::Io, std::to_string(missing.size()) + " annotated images not found under " + root +
                                                   " (first: " + missing.front() + ")");
    predictions = m.detect_files(paths, textq::kDefaultMaxImagePixels);
  } else {
    id.source_kind = "preds";
    id.source_path = path_arg(preds);
    id.source_sha256 = textq::sha256_file(id.source_path);
    predictions = textq::load_predictions(id.source_path);
  }
  const std::string out = path_arg(output);
  textq::save_eval_part(textq::make_eval_part(id, spec, dataset, predictions), out);
  return out;
}

std::string merge_parts(const std::vector<py::object>& parts) {
  std::vector<std::string> paths;
  for (const auto& p : parts) paths.push_back(path_arg(p));
  return textq::eval::format_eval_report(textq::merge_eval_part_files(paths).result);
}

}  // namespace

PYBIND11_MODULE(_textq, m) {
  m.doc() = "textq: INT8 scene-text detection on CPU (TextSnake), MMOCR-exact evaluation";
  m.attr("__version__") = "0.1.0";
  register_errors(m);

  py::class_<PyModel>(m, "Model", "A textq model file ready to detect (one backend, one thread count).")
      .def(py::init<const py::object&, int, const std::string&, const std::string&>(), py::arg("path"),
           py::arg("threads") = 0, py::arg("backend") = "onednn", py::arg("precision") = "fp32")
      .def("detect", &PyModel::detect, py::arg("image"),
           "Text instances of an HxWx3 uint8 BGR image (read in place; the GIL is released): "
           "a list of (polygon float32 [N, 2], score)")
      .def("detect_batch", &PyModel::detect_batch, py::arg("images"), "detect() of each image, in order")
      .def_property_readonly("path", &PyModel::path)
      .def_property_readonly("precision", &PyModel::precision, "'fp32' or 'int8'")
      .def_property_readonly("threads", &PyModel::threads)
      .def_property_readonly("backend", &PyModel::backend);

  m.def(
      "convert",
      [](const py::object& checkpoint, const py::object& output, int mmocr, const std::string& style) {
        textq::TextSnakeBuildOptions opt;
        opt.mmocr_version = mmocr;
        if (style != "caffe" && style != "pytorch")
          throw textq::Error(textq::ErrorKind::InvalidArgument, "style must be caffe or pytorch, got " + style);
        opt.style = style == "pytorch" ? textq::ResNetStyle::Pytorch : textq::ResNetStyle::Caffe;
        const std::string ckpt = path_arg(checkpoint), out = path_arg(output);
        py::gil_scoped_release release;
        textq::save_model(textq::convert_textsnake_checkpoint(ckpt, opt), out);
      },
      py::arg("checkpoint"), py::arg("output"), py::arg("mmocr") = 0, py::arg("style") = "caffe",
      "MMOCR TextSnake checkpoint (.pth) -> textq model file (as `textq convert`)");

  m.def(
      "quantize",
      [](const py::object& model, const py::object& calib, const py::object& output, const std::string& method,
         int num, uint64_t seed, double percentile, int threads, const py::object& calib_root,
         const std::vector<std::string>& fp32_layers, bool int8_head, const std::string& backend, bool fold_head,
         bool fold_pointwise, bool equalize_dw, bool nonneg_shift, bool bias_correction, bool gptq) {
        textq::QuantizeRequest r;
        r.calib = path_arg(calib);
        if (!calib_root.is_none()) r.calib_root = path_arg(calib_root);
        r.method = method;
        if (num < 0) throw textq::Error(textq::ErrorKind::InvalidArgument, "num must be >= 0");
        r.num = num;
        r.seed = seed;
        r.percentile = percentile;
        r.threads = threads;
        r.fp32_layers = fp32_layers;
        r.int8_head = int8_head;
        r.backend = backend_from_name(backend);
        r.fold_head = fold_head;
        r.fold_pointwise = fold_pointwise;
        r.equalize_dw = equalize_dw;
        r.nonneg_shift = nonneg_shift;
        r.bias_correction = bias_correction;
        r.gptq = gptq;
        const std::string in = path_arg(model), out = path_arg(output);
        py::gil_scoped_release release;
        textq::quantize_model_file(in, out, r);
      },
      py::arg("model"), py::arg("calib"), py::arg("output"), py::arg("method") = "mse", py::arg("num") = 100,
      py::arg("seed") = 0, py::arg("percentile") = 99.99, py::arg("threads") = 0, py::arg("calib_root") = py::none(),
      py::arg("fp32_layers") = std::vector<std::string>{}, py::arg("int8_head") = false, py::arg("backend") = "onednn",
      py::arg("fold_head") = true, py::arg("fold_pointwise") = false, py::arg("equalize_dw") = true, py::arg("nonneg_shift") = false,
      py::arg("bias_correction") = false, py::arg("gptq") = false,
      "INT8 model file from an FP32 one, calibrated on a folder or annotation json (as `textq quantize`)");

  m.def("evaluate", &evaluate, py::arg("preds"), py::arg("ann"), py::arg("metric") = "mmocr0",
        "MMOCR hmean-IoU: the text `textq eval --preds P --ann A --metric M` prints. preds: a predictions file, or "
        "{img_path: [(polygon, score), ...]}");
  m.def("eval_shard", &eval_shard, py::arg("ann"), py::arg("shard"), py::arg("output"), py::arg("model") = py::none(),
        py::arg("img_root") = py::none(), py::arg("preds") = py::none(), py::arg("metric") = "mmocr0",
        "`textq eval --shard I/N -o output`: writes the part file of shard 'I/N' and returns its path");
  m.def("merge_parts", &merge_parts, py::arg("parts"),
        "`textq eval --merge parts...`: the table of the whole set from every shard's part file");
}
