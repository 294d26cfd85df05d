#include "datasets/icdar2015.h"

#include <filesystem>

#include "core/file_util.h"
#include "datasets/image_size.h"
#include "datasets/raw_tree.h"
#include "datasets/text_labels.h"
#include "textq/error.h"

namespace fs = std::filesystem;

namespace textq::datasets {

std::optional<Icdar2015SplitDirs> find_icdar2015_split(const std::string& root, Icdar2015Split split) {
  const bool train = split == Icdar2015Split::Train;
  struct Layout {
    const char *img, *ann;
  };
  const Layout layouts[] = {
      train ? Layout{"ch4_training_images", "ch4_training_localization_transcription_gt"}
            : Layout{"ch4_test_images", "Challenge4_Test_Task1_GT"},
      train ? Layout{"textdet_imgs/train", "annotations/train"} : Layout{"textdet_imgs/test", "annotations/test"},
      train ? Layout{"imgs/training", "annotations/training"} : Layout{"imgs/test", "annotations/test"},
  };
  for (const Layout& l : layouts) {
    const fs::path img = fs::path(root) / l.img, ann = fs::path(root) / l.ann;
    if (fs::is_directory(img) && fs::is_directory(ann)) return Icdar2015SplitDirs{img.string(), ann.string(), l.img};
  }
  return std::nullopt;
}

Dataset read_icdar2015_split(const std::string& root, Icdar2015Split split, const Icdar2015ReadOptions& opt) {
  const bool train = split == Icdar2015Split::Train;
  const std::optional<Icdar2015SplitDirs> dirs = find_icdar2015_split(root, split);
  if (!dirs)
    throw Error(ErrorKind::Io, root + ": no ICDAR2015 " + (train ? "train" : "test") + " split (" +
                                   (train ? "ch4_training_images + ch4_training_localization_transcription_gt"
                                          : "ch4_test_images + Challenge4_Test_Task1_GT") +
                                   ", or textdet_imgs/ + annotations/ as MMOCR lays them out)");
  Dataset ds;
  for (const std::string& name : sorted_files(dirs->img_dir)) {
    if (!is_image_name(name)) continue;
    ImageAnnotation im;
    im.img_path = name;
    im.label_file = "gt_" + file_stem(name) + ".txt";
    const std::string image = (fs::path(dirs->img_dir) / name).string();
    const fs::path label = fs::path(dirs->ann_dir) / im.label_file;
    if (!fs::is_regular_file(label))
      throw Error(ErrorKind::Io, image + ": no label file " + im.label_file + " in " + dirs->ann_dir);
    const ImageSize sz = read_image_size(image, opt.apply_exif_orientation, opt.max_image_pixels);
    im.width = sz.width;
    im.height = sz.height;
    im.instances = parse_icdar2015_txt(read_file_text(label.string(), 1u << 28), label.string());
    ds.images.push_back(std::move(im));
  }
  if (ds.images.empty()) throw Error(ErrorKind::Io, dirs->img_dir + ": no images (*.jpg, *.png, *.jpeg)");
  return ds;
}

}  // namespace textq::datasets
