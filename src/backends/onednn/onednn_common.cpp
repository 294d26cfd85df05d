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

memory::desc with_type(const memory::desc& md, Dt dt) {
  const Tag tag = activation_tag(md);
  return memory::desc(md.dims(), dt, tag == Tag::undef ? Tag::any : tag);
}

Dt to_dt(DType type) {
  switch (type) {
    case DType::f32: return Dt::f32;
    case DType::u8: return Dt::u8;
    case DType::i8: return Dt::s8;
    default: break;
  }
  throw Error(ErrorKind::UnsupportedModel, std::string("oneDNN backend: data type ") + dtype_name(type) +
                                               " is not an activation type (f32, u8, s8)");
}

dnnl::primitive_attr scale_attr(float scale) {
  dnnl::primitive_attr attr;
  if (scale != 1.f) attr.set_output_scales(0, {scale});
  return attr;
}

}  // namespace textq::onednn
