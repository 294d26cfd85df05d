// textq dataset ctw1500 RAW_ROOT -o OUT_DIR: the MMOCR annotation files of a
// raw SCUT-CTW1500 tree, byte-identical to MMOCR's converters:
//   0.x instances_training.json / instances_test.json (ctw1500_converter.py)
//   1.x textdet_train.json / textdet_test.json (dataset preparer)
// textq dataset icdar2015 RAW_ROOT -o OUT_DIR: MMOCR 1.x textdet_train.json /
// textdet_test.json of an ICDAR2015 tree (as downloaded from the RRC site or
// as MMOCR's preparer lays it out).
#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.h"
#include "core/file_util.h"
#include "datasets/ctw1500.h"
#include "datasets/icdar2015.h"
#include "datasets/mmocr_json.h"
#include "textq/error.h"

namespace textq::cli {

namespace {

namespace fs = std::filesystem;

struct DatasetOptions {
  std::string root, out_dir, format = "both";
};

// Both converters: the raw root must be a folder; the output folder is made.
void check_root_make_out_dir(const DatasetOptions& o) {
  if (!fs::is_directory(o.root)) throw Error(ErrorKind::Io, o.root + ": not a directory");
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw Error(ErrorKind::Io, "cannot create " + o.out_dir + ": " + ec.message());
}

void run_ctw1500(const DatasetOptions& o, const GlobalOptions& global) {
  if (o.format != "both" && o.format != "mmocr0" && o.format != "mmocr1")
    throw Error(ErrorKind::InvalidArgument, "--format must be mmocr0, mmocr1 or both, got " + o.format);
  check_root_make_out_dir(o);
  int written = 0;
  for (auto split : {datasets::Ctw1500Split::Train, datasets::Ctw1500Split::Test}) {
    const auto dirs = datasets::find_ctw1500_split(o.root, split);
    if (!dirs) continue;
    const bool train = split == datasets::Ctw1500Split::Train;
    if (o.format != "mmocr1") {
      const auto ds = datasets::read_ctw1500_split(o.root, split, {false, global.max_image_pixels});  // EXIF ignored, as 0.x
      const std::string out = (fs::path(o.out_dir) / (train ? "instances_training.json" : "instances_test.json")).string();
      write_text_atomic(out, datasets::write_mmocr0_json(ds, {dirs->mmocr0_prefix, false, dirs->mmocr0_segm_prefix}));
      if (!global.quiet) std::printf("wrote %s (%zu images)\n", out.c_str(), ds.images.size());
      ++written;
    }
    if (o.format != "mmocr0") {
      const auto ds = datasets::read_ctw1500_split(o.root, split, {true, global.max_image_pixels});  // EXIF applied, as 1.x
      const std::string out = (fs::path(o.out_dir) / (train ? "textdet_train.json" : "textdet_test.json")).string();
      write_text_atomic(out, datasets::write_mmocr1_json(ds, {dirs->mmocr1_prefix, train}));
      if (!global.quiet) std::printf("wrote %s (%zu images)\n", out.c_str(), ds.images.size());
      ++written;
    }
    if (!global.quiet && dirs->img_dir.empty())
      std::fprintf(stderr, "note: no image folder for the %s split; width and height are written as 0\n",
                   train ? "train" : "test");
  }
  if (!written)
    throw Error(ErrorKind::Io, o.root + ": no CTW1500 label folders (annotations/{training,train,test} or ctw1500_{train,test}_labels)");
}

void run_icdar2015(const DatasetOptions& o, const GlobalOptions& global) {
  check_root_make_out_dir(o);
  int written = 0;
  for (auto split : {datasets::Icdar2015Split::Train, datasets::Icdar2015Split::Test}) {
    const auto dirs = datasets::find_icdar2015_split(o.root, split);
    if (!dirs) continue;
    const bool train = split == datasets::Icdar2015Split::Train;
    const auto ds = datasets::read_icdar2015_split(o.root, split, {true, global.max_image_pixels});
    const std::string out = (fs::path(o.out_dir) / (train ? "textdet_train.json" : "textdet_test.json")).string();
    write_text_atomic(out, datasets::write_mmocr1_json(ds, {dirs->img_prefix, false}));
    if (!global.quiet) {
      size_t boxes = 0, cared = 0;
      for (const auto& im : ds.images)
        for (const auto& inst : im.instances) boxes++, cared += !inst.ignore;
      std::printf("wrote %s (%zu images, %zu boxes, %zu not ignored)\n", out.c_str(), ds.images.size(), boxes, cared);
    }
    ++written;
  }
  if (!written)
    throw Error(ErrorKind::Io, o.root + ": no ICDAR2015 split (ch4_training_images, ch4_test_images or textdet_imgs/{train,test}, "
                                        "each with its label folder)");
}

}  // namespace

void register_dataset(CLI::App& app, const GlobalOptions& global) {
  CLI::App* cmd = app.add_subcommand("dataset", "Convert a raw text-detection dataset to MMOCR annotation files");
  cmd->require_subcommand(1);
  auto o = std::make_shared<DatasetOptions>();
  CLI::App* ctw = cmd->add_subcommand("ctw1500", "SCUT-CTW1500 raw tree (MMOCR 0.x/1.x layout or as downloaded) -> MMOCR 0.x and 1.x json");
  ctw->add_option("raw_root", o->root, "raw dataset root (imgs/{training,test}, annotations/{training,test})")->required();
  ctw->add_option("-o,--out-dir", o->out_dir, "output folder")->required();
  ctw->add_option("--format", o->format, "mmocr0, mmocr1 or both [default: both]");
  ctw->callback([o, &global] { run_ctw1500(*o, global); });
  CLI::App* ic15 = cmd->add_subcommand("icdar2015", "ICDAR2015 raw tree (as downloaded or MMOCR 1.x layout) -> MMOCR 1.x json");
  ic15->add_option("raw_root", o->root, "raw dataset root (ch4_test_images + Challenge4_Test_Task1_GT, ...)")->required();
  ic15->add_option("-o,--out-dir", o->out_dir, "output folder")->required();
  ic15->callback([o, &global] { run_icdar2015(*o, global); });
}

}  // namespace textq::cli
