#include "backends/onednn/onednn_common.h"

#include <oneapi/dnnl/dnnl_debug.h>

namespace textq::onednn {

std::string describe_dnnl_error(const dnnl::error& e) {
  return std::string("oneDNN ") + dnnl_status2str(e.status) + " (" + e.what() + ")";
}

memory::dims to_dims(const Shape& shape) { return memory::dims(shape.begin(), shape.end()); }

Shape to_shape(const memory::dims& dims) { return Shape(dims.begin(), dims.end()); }

memory::desc plain_nchw(const Shape& shape) { return memory::desc(to_dims(shape), Dt::f32, Tag::nchw); }

Tag activation_tag(const memory::desc& md) {
  static const Tag kTags[] = {Tag::nchw, Tag::nhwc, Tag::nChw8c, Tag::nChw16c};
  if (md.dims().size() != 4) return Tag::undef;
  for (Tag t : kTags)
    if (md == memory::desc(md.dims(), md.data_type(), t)) return t;
  return Tag::undef;
}

}  // namespace textq::onednn
