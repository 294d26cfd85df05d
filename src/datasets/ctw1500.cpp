#include "datasets/ctw1500.h"

#include <filesystem>

#include "core/file_util.h"
#include "datasets/image_size.h"
#include "datasets/python_json.h"
#include "datasets/raw_tree.h"
#include "datasets/text_labels.h"
#include "datasets/xml_lite.h"
#include "eval/geos_polygon.h"
#include "textq/error.h"

namespace fs = std::filesystem;

namespace textq::datasets {
namespace {

[[noreturn]] void bad(const std::string& where, const std::string& rule) {
  throw Error(ErrorKind::InvalidFile, where + ": " + rule);
}

int int_attr(const XmlElement& e, const char* key, const std::string& where) {
  auto it = e.attrs.find(key);
  if (it == e.attrs.end()) bad(where, std::string("<box> has no \"") + key + "\" attribute");
  const std::string& v = it->second;
  size_t i = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? 1 : 0;
  if (i == v.size() || v.size() > 12 || v.find_first_not_of("0123456789", i) != std::string::npos)
    bad(where, std::string("<box> attribute ") + key + "=\"" + v + "\" is not an integer");
  return std::stoi(v);
}

std::vector<TextInstance> read_labels(const std::string& path) {
  const std::string text = read_file_text(path, 1u << 28);
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".xml") == 0) return parse_ctw1500_xml(text, path);
  return parse_ctw1500_txt(text, path);
}

}  // namespace

std::vector<TextInstance> parse_ctw1500_xml(const std::string& text, const std::string& file) {
  check_utf8(text, file);
  const auto root = parse_xml(text, file);
  std::vector<TextInstance> out;
  for (const auto& image : root->children) {
    for (const auto& box : image->children) {
      const std::string where = file + ": <" + image->name + "> box " + std::to_string(out.size());
      if (box->children.size() < 2) bad(where, "needs <label> and <segs> as its first two children");
      const auto& segs = box->children[1]->text;
      if (!segs) bad(where, "<segs> is empty");
      // MMOCR: segs.strip().split(','), int() each, exactly 28 values
      std::string s = *segs;
      const size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
      s = a == std::string::npos ? "" : s.substr(a, b - a + 1);
      TextInstance inst;
      size_t start = 0;
      while (true) {
        const size_t k = s.find(',', start);
        const std::string f = s.substr(start, k == std::string::npos ? std::string::npos : k - start);
        const size_t fa = f.find_first_not_of(" \t\r\n"), fb = f.find_last_not_of(" \t\r\n");
        const std::string v = fa == std::string::npos ? "" : f.substr(fa, fb - fa + 1);
        const size_t d = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? 1 : 0;
        if (d == v.size() || v.size() > 12 || v.find_first_not_of("0123456789", d) != std::string::npos)
          bad(where, "<segs> value \"" + v.substr(0, 20) + "\" is not an integer");
        inst.polygon.push_back(std::stod(v));
        if (inst.polygon.size() > 28) break;
        if (k == std::string::npos) break;
        start = k + 1;
      }
      if (inst.polygon.size() != 28)
        bad(where, "<segs> has " + (inst.polygon.size() > 28 ? std::string("more than 28") : std::to_string(inst.polygon.size())) +
                       " values; CTW1500 needs 28 (14 points)");
      inst.text = box->children[0]->text;
      inst.ignore = false;  // 1.x parser: ignore = 0 for training boxes
      CocoFields c;
      c.bbox = {double(int_attr(*box, "left", where)), double(int_attr(*box, "top", where)),
                double(int_attr(*box, "width", where)), double(int_attr(*box, "height", where))};
      c.bbox_is_int = true;
      c.area = eval::shapely_polygon_area(inst.polygon);
      inst.coco = c;
      out.push_back(std::move(inst));
    }
  }
  return out;
}

std::optional<Ctw1500SplitDirs> find_ctw1500_split(const std::string& root, Ctw1500Split split) {
  const bool train = split == Ctw1500Split::Train;
  struct Layout {
    const char *ann, *img, *prefix0, *prefix1;
  };
  const Layout layouts[] = {
      train ? Layout{"annotations/training", "imgs/training", "training", "textdet_imgs/train"}
            : Layout{"annotations/test", "imgs/test", "test", "textdet_imgs/test"},
      train ? Layout{"annotations/train", "textdet_imgs/train", "training", "textdet_imgs/train"}
            : Layout{"annotations/test", "textdet_imgs/test", "test", "textdet_imgs/test"},
      train ? Layout{"ctw1500_train_labels", "train_images", "train_images", "train_images"}
            : Layout{"ctw1500_test_labels", "test_images", "test_images", "test_images"},
  };
  for (const Layout& l : layouts) {
    const fs::path ann = fs::path(root) / l.ann;
    if (!fs::is_directory(ann)) continue;
    Ctw1500SplitDirs d;
    d.ann_dir = ann.string();
    // An MMOCR tree may hold images under either version's folder.
    for (const char* img : {l.img, train ? "imgs/training" : "imgs/test", train ? "textdet_imgs/train" : "textdet_imgs/test"})
      if (fs::is_directory(fs::path(root) / img)) {
        d.img_dir = (fs::path(root) / img).string();
        break;
      }
    d.mmocr0_prefix = l.prefix0;
    // MMOCR names the label "<split>/<file>" (relative to annotations/); the
    // downloaded layout keeps labels in their own root-relative folder.
    d.mmocr0_segm_prefix = fs::path(l.ann).parent_path().empty() ? l.ann : l.prefix0;
    d.mmocr1_prefix = l.prefix1;
    return d;
  }
  return std::nullopt;
}

Dataset read_ctw1500_split(const std::string& root, Ctw1500Split split, const Ctw1500ReadOptions& opt) {
  const bool train = split == Ctw1500Split::Train;
  const std::optional<Ctw1500SplitDirs> dirs = find_ctw1500_split(root, split);
  if (!dirs)
    throw Error(ErrorKind::Io, root + ": no " + (train ? "train" : "test") + " label folder (" +
                                   (train ? "annotations/training, annotations/train or ctw1500_train_labels"
                                          : "annotations/test or ctw1500_test_labels") + ")");
  const std::string& img_dir = dirs->img_dir;
  const std::string& ann_dir = dirs->ann_dir;
  Dataset ds;
  if (!img_dir.empty()) {
    for (const std::string& name : sorted_files(img_dir)) {
      if (!is_image_name(name)) continue;
      const std::string s = file_stem(name);
      const std::vector<std::string> candidates =
          train ? std::vector<std::string>{s + ".xml", s + ".txt"} : std::vector<std::string>{"000" + s + ".txt", s + ".txt"};
      ImageAnnotation im;
      im.img_path = name;
      for (const auto& c : candidates)
        if (fs::is_regular_file(fs::path(ann_dir) / c)) {
          im.label_file = c;
          break;
        }
      if (im.label_file.empty())
        throw Error(ErrorKind::Io, (fs::path(img_dir) / name).string() + ": no label file " + candidates[0] +
                                       " (or " + candidates[1] + ") in " + ann_dir);
      const ImageSize sz = read_image_size((fs::path(img_dir) / name).string(), opt.apply_exif_orientation,
                                           opt.max_image_pixels);
      im.width = sz.width;
      im.height = sz.height;
      im.instances = read_labels((fs::path(ann_dir) / im.label_file).string());
      ds.images.push_back(std::move(im));
    }
    if (ds.images.empty()) throw Error(ErrorKind::Io, img_dir + ": no images (*.jpg, *.png, *.jpeg)");
    return ds;
  }
  // No images: list the label files instead (sizes unknown).
  for (const std::string& name : sorted_files(ann_dir)) {
    const bool xml = name.size() > 4 && name.compare(name.size() - 4, 4, ".xml") == 0;
    const bool txt = name.size() > 4 && name.compare(name.size() - 4, 4, ".txt") == 0;
    if (!xml && !txt) continue;
    std::string s = file_stem(name);
    if (!train && s.size() == 7 && s.compare(0, 3, "000") == 0) s = s.substr(3);
    ImageAnnotation im;
    im.img_path = s + ".jpg";
    im.label_file = name;
    im.instances = read_labels((fs::path(ann_dir) / name).string());
    ds.images.push_back(std::move(im));
  }
  if (ds.images.empty()) throw Error(ErrorKind::Io, ann_dir + ": no label files (*.xml, *.txt)");
  return ds;
}

}  // namespace textq::datasets
