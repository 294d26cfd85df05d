// One entry point per parser, shared by the libFuzzer targets
// (tests/fuzz/fuzz_<parser>.cpp) and the regression replay suite
// (tests/fuzz/replay/), so a kept crasher is replayed through exactly the code
// that found it.
//
// Contract checked here: on any input a parser either returns a result that
// satisfies a few cheap invariants, or throws textq::Error. Any other
// exception escapes (libFuzzer reports it as a crash; the replay test fails),
// and ASan/UBSan catch memory errors and undefined behaviour.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "core/npy.h"
#include "datasets/ctw1500.h"
#include "datasets/image_size.h"
#include "datasets/mmocr_json.h"
#include "datasets/text_labels.h"
#include "formats/model.h"
#include "formats/predictions.h"
#include "importers/onnx/onnx_import.h"
#include "importers/pytorch/pickle_vm.h"
#include "importers/pytorch/state_dict.h"
#include "importers/pytorch/torch_rebuild.h"
#include "textdet/image_header.h"
#include "textdet/image_io.h"
#include "textdet/jpeg_decode.h"
#include "textq/error.h"

namespace textq::fuzz {

// A broken invariant on an accepted input: not an Error, so it escapes.
inline void check(bool ok, const char* what) {
  if (!ok) throw std::logic_error(std::string("fuzz invariant broken: ") + what);
}

// An in-memory file for the path-based readers: one memfd reused for every
// input, opened by the parser through /proc/self/fd/N like any other path.
class MemFile {
 public:
  MemFile() {
    fd_ = ::memfd_create("textq-fuzz", 0);
    if (fd_ < 0) throw std::runtime_error("memfd_create failed");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { ::close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;

  const std::string& write(const uint8_t* data, size_t size) {
    if (::ftruncate(fd_, 0) != 0) throw std::runtime_error("ftruncate failed");
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) throw std::runtime_error("pwrite failed");
      done += static_cast<size_t>(n);
    }
    return path_;
  }

 private:
  int fd_ = -1;
  std::string path_;
};

inline MemFile& mem_file() {
  static MemFile f;
  return f;
}

inline std::string as_text(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Each run_* returns true when the input was accepted, false when it was
// refused with textq::Error.

inline bool run_npy(const uint8_t* data, size_t size) {
  Tensor t;
  try {
    t = npy_parse(std::vector<uint8_t>(data, data + size), "fuzz.npy");
  } catch (const Error&) {
    return false;
  }
  // What we accept we can write back, and it reads back identically.
  const Tensor again = npy_parse(npy_serialize(t), "roundtrip.npy");
  check(again.dtype() == t.dtype() && again.shape() == t.shape(), "npy round trip keeps dtype and shape");
  check(t.nbytes() == 0 || std::memcmp(again.raw(), t.raw(), t.nbytes()) == 0, "npy round trip keeps bytes");
  return true;
}

inline bool run_pth(const uint8_t* data, size_t size) {
  try {
    load_pth(mem_file().write(data, size));
    return true;
  } catch (const Error&) {
    return false;
  }
}

// The pickle VM and the tensor rebuild on a bare pickle; storages are zero
// buffers of the size the persistent id declares (capped, as a container would).
inline bool run_pickle(const uint8_t* data, size_t size) {
  try {
    PickleVm vm;
    BoundedReader in(data, size, "fuzz.pkl");
    const ObjId root = vm.load(in);
    check(root < vm.num_objects(), "pickle root is an object of the arena");
    std::map<std::string, std::vector<uint8_t>> storages;
    const StorageLoader load = [&](const StorageRef& ref) -> const uint8_t* {
      const uint64_t bytes = static_cast<uint64_t>(ref.numel) * dtype_size(ref.dtype);
      if (bytes > (1u << 20)) throw Error(ErrorKind::InvalidFile, "fuzz.pkl: storage larger than the fuzz cap");
      auto it = storages.find(ref.key);  // one byte more: data() of an empty storage is not null
      if (it == storages.end()) it = storages.emplace(ref.key, std::vector<uint8_t>(bytes + 1)).first;
      if (it->second.size() != bytes + 1) throw Error(ErrorKind::InvalidFile, "fuzz.pkl: storage size differs between uses");
      return it->second.data();
    };
    extract_state_dict(vm, root, "fuzz.pkl", load);
    return true;
  } catch (const Error&) {
    return false;
  }
}

inline bool run_model_file(const uint8_t* data, size_t size) {
  Model m;
  try {
    m = load_model(mem_file().write(data, size));
  } catch (const Error&) {
    return false;
  }
  check(m.graph.input >= 0 && static_cast<size_t>(m.graph.input) < m.graph.value_names.size(), "model input is a value");
  return true;
}

inline bool run_predictions(const uint8_t* data, size_t size) {
  PredictionsFile p;
  try {
    p = load_predictions(mem_file().write(data, size));
  } catch (const Error&) {
    return false;
  }
  for (const ImagePrediction& im : p.predictions) {
    check(im.polygons.size() == im.scores.size(), "one score per polygon");
    for (const auto& poly : im.polygons) {
      check(poly.size() >= 6 && poly.size() % 2 == 0, "polygons have an even count >= 6");
      for (double v : poly) check(std::isfinite(v), "polygon coordinates are finite");
    }
  }
  return true;
}

// Reads either MMOCR json, then writes both flavours (python_json.cpp).
inline bool run_mmocr_json(const uint8_t* data, size_t size) {
  try {
    const datasets::Dataset ds = datasets::read_annotation_json(mem_file().write(data, size));
    for (const auto& im : ds.images)
      for (const auto& inst : im.instances) check(inst.polygon.size() % 2 == 0, "polygon has an even count");
    datasets::write_mmocr0_json(ds, {"test", false, ""});
    datasets::write_mmocr1_json(ds, {"imgs/test", false});
    return true;
  } catch (const Error&) {
    return false;
  }
}

inline bool run_ctw1500_xml(const uint8_t* data, size_t size) {
  try {
    datasets::parse_ctw1500_xml(as_text(data, size), "fuzz.xml");
    return true;
  } catch (const Error&) {
    return false;
  }
}

inline bool run_ctw1500_txt(const uint8_t* data, size_t size) {
  try {
    for (const auto& inst : datasets::parse_ctw1500_txt(as_text(data, size), "fuzz.txt"))
      check(inst.polygon.size() % 2 == 0 && inst.polygon.size() >= 6, "CTW1500 polygon has >= 3 points");
    return true;
  } catch (const Error&) {
    return false;
  }
}

inline bool run_totaltext_txt(const uint8_t* data, size_t size) {
  try {
    for (const auto& inst : datasets::parse_totaltext_txt(as_text(data, size), "fuzz.txt"))
      check(inst.polygon.size() % 2 == 0 && inst.polygon.size() >= 6, "Total-Text polygon has >= 3 points");
    return true;
  } catch (const Error&) {
    return false;
  }
}

inline bool run_icdar2015_txt(const uint8_t* data, size_t size) {
  try {
    for (const auto& inst : datasets::parse_icdar2015_txt(as_text(data, size), "fuzz.txt"))
      check(inst.polygon.size() == 8, "ICDAR2015 quadrilateral has 8 numbers");
    return true;
  } catch (const Error&) {
    return false;
  }
}

inline bool run_image_header(const uint8_t* data, size_t size) {
  try {
    const ImageHeader h = read_image_header(std::vector<uint8_t>(data, data + size), "fuzz.img");
    check(h.width > 0 && h.height > 0, "accepted image header has a non-zero size");
    return true;
  } catch (const Error&) {
    return false;
  }
}

// Dataset-side image sizes (JPEG SOF + EXIF, PNG IHDR, else OpenCV decode).
inline bool run_image_size(const uint8_t* data, size_t size) {
  try {
    const std::string& path = mem_file().write(data, size);
    const datasets::ImageSize a = datasets::read_image_size(path, false);
    const datasets::ImageSize b = datasets::read_image_size(path, true);
    check(a.width > 0 && a.height > 0, "accepted image has a non-zero size");
    check((a.width == b.width && a.height == b.height) || (a.width == b.height && a.height == b.width),
          "EXIF orientation only swaps width and height");
    return true;
  } catch (const Error&) {
    return false;
  }
}

// JPEG decoding straight to BGR (libjpeg-turbo), behind the header check
// load_image_bgr runs first (with a 4-megapixel limit to keep runs fast).
// An accepted image must be OpenCV's decode, pixel for pixel.
inline bool run_jpeg_decode(const uint8_t* data, size_t size) {
  try {
    const std::vector<uint8_t> bytes(data, data + size);
    const ImageHeader h = read_image_header(bytes, "fuzz.jpg");
    if (h.format != "jpeg") return false;
    check_image_pixels("fuzz.jpg", h.format, h.width, h.height, 4'000'000);
    cv::Mat ours;
    if (!decode_jpeg_bgr(bytes.data(), bytes.size(), "fuzz.jpg", &ours)) return false;
    check(ours.type() == CV_8UC3 && ours.cols > 0 && ours.rows > 0, "decoded JPEG is non-empty 8-bit BGR");
    const cv::Mat ref = cv::imdecode(cv::Mat(1, static_cast<int>(size), CV_8U, const_cast<uint8_t*>(data)),
                                     cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
    check(!ref.empty() && ref.size() == ours.size() && cv::norm(ours, ref, cv::NORM_INF) == 0,
          "decoded JPEG equals OpenCV's decode");
    return true;
  } catch (const Error&) {
    return false;
  }
}

// ONNX import (protobuf parse, constant folding, translation, simplification);
// an accepted graph must verify and infer shapes for a small input or refuse it with Error.
inline bool run_onnx(const uint8_t* data, size_t size) {
  Graph g;
  OnnxImportInfo info;
  try {
    g = import_onnx_bytes(data, size, "fuzz.onnx", &info);
  } catch (const Error&) {
    return false;
  }
  g.verify();  // throws a textq::Error only if the importer let a bad graph through
  check(!g.outputs.empty(), "imported graph has outputs");
  try {
    g.infer_shapes({1, info.input_channels > 0 ? info.input_channels : 3, 64, 64});
  } catch (const Error&) {
  }
  return true;
}

struct Entry {
  const char* name;  // = fuzz target suffix and corpus/regression folder name
  bool (*run)(const uint8_t*, size_t);
};

inline const std::vector<Entry>& entries() {
  static const std::vector<Entry> all = {
      {"npy", run_npy},
      {"pth", run_pth},
      {"pickle", run_pickle},
      {"model_file", run_model_file},
      {"predictions", run_predictions},
      {"mmocr_json", run_mmocr_json},
      {"ctw1500_xml", run_ctw1500_xml},
      {"ctw1500_txt", run_ctw1500_txt},
      {"totaltext_txt", run_totaltext_txt},
      {"icdar2015_txt", run_icdar2015_txt},
      {"image_header", run_image_header},
      {"image_size", run_image_size},
      {"jpeg_decode", run_jpeg_decode},
      {"onnx", run_onnx},
  };
  return all;
}

}  // namespace textq::fuzz
