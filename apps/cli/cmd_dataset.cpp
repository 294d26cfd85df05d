// textq dataset ctw1500 RAW_ROOT -o OUT_DIR: the MMOCR annotation files of a
// raw SCUT-CTW1500 tree, byte-identical to MMOCR's converters:
//   0.x instances_training.json / instances_test.json (ctw1500_converter.py)
//   1.x textdet_train.json / textdet_test.json (dataset preparer)
#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.h"
#include "core/file_util.h"
#include "datasets/ctw1500.h"
#include "datasets/mmocr_json.h"
#include "textq/error.h"

namespace textq::cli {

namespace {

namespace fs = std::filesystem;

struct DatasetOptions {
  std::string root, out_dir, format = "both";
};

bool ds_has_images(const std::string& root, datasets::Ctw1500Split split) {
  const bool train = split == datasets::Ctw1500Split::Train;
  const fs::path r(root);
  return train ? fs::is_directory(r / "imgs/training") || fs::is_directory(r / "textdet_imgs/train")
               : fs::is_directory(r / "imgs/test") || fs::is_directory(r / "textdet_imgs/test");
}

bool has_split(const std::string& root, datasets::Ctw1500Split split) {
  if (split == datasets::Ctw1500Split::Test) return fs::is_directory(fs::path(root) / "annotations/test");
  return fs::is_directory(fs::path(root) / "annotations/training") ||
         fs::is_directory(fs::path(root) / "annotations/train");
}

void run_ctw1500(const DatasetOptions& o, const GlobalOptions& global) {
  if (o.format != "both" && o.format != "mmocr0" && o.format != "mmocr1")
    throw Error(ErrorKind::InvalidArgument, "--format must be mmocr0, mmocr1 or both, got " + o.format);
  if (!fs::is_directory(o.root)) throw Error(ErrorKind::Io, o.root + ": not a directory");
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw Error(ErrorKind::Io, "cannot create " + o.out_dir + ": " + ec.message());
  int written = 0;
  for (auto split : {datasets::Ctw1500Split::Train, datasets::Ctw1500Split::Test}) {
    if (!has_split(o.root, split)) continue;
    const bool train = split == datasets::Ctw1500Split::Train;
    if (o.format != "mmocr1") {
      const auto ds = datasets::read_ctw1500_split(o.root, split, {false});  // EXIF ignored, as 0.x
      const std::string out = (fs::path(o.out_dir) / (train ? "instances_training.json" : "instances_test.json")).string();
      write_text_atomic(out, datasets::write_mmocr0_json(ds, {train ? "training" : "test", false}));
      if (!global.quiet) std::printf("wrote %s (%zu images)\n", out.c_str(), ds.images.size());
      ++written;
    }
    if (o.format != "mmocr0") {
      const auto ds = datasets::read_ctw1500_split(o.root, split, {true});  // EXIF applied, as 1.x
      const std::string out = (fs::path(o.out_dir) / (train ? "textdet_train.json" : "textdet_test.json")).string();
      write_text_atomic(out, datasets::write_mmocr1_json(ds, {train ? "textdet_imgs/train" : "textdet_imgs/test", train}));
      if (!global.quiet) std::printf("wrote %s (%zu images)\n", out.c_str(), ds.images.size());
      ++written;
    }
    if (!global.quiet && !ds_has_images(o.root, split))
      std::fprintf(stderr, "note: no image folder for the %s split; width and height are written as 0\n",
                   train ? "train" : "test");
  }
  if (!written)
    throw Error(ErrorKind::Io, o.root + ": no CTW1500 label folders (annotations/training, annotations/train, annotations/test)");
}

}  // namespace

void register_dataset(CLI::App& app, const GlobalOptions& global) {
  CLI::App* cmd = app.add_subcommand("dataset", "Convert a raw text-detection dataset to MMOCR annotation files");
  cmd->require_subcommand(1);
  auto o = std::make_shared<DatasetOptions>();
  CLI::App* ctw = cmd->add_subcommand("ctw1500", "SCUT-CTW1500 raw tree (imgs/, annotations/) -> MMOCR 0.x and 1.x json");
  ctw->add_option("raw_root", o->root, "raw dataset root (imgs/{training,test}, annotations/{training,test})")->required();
  ctw->add_option("-o,--out-dir", o->out_dir, "output folder")->required();
  ctw->add_option("--format", o->format, "mmocr0, mmocr1 or both [default: both]");
  ctw->callback([o, &global] { run_ctw1500(*o, global); });
}

}  // namespace textq::cli
