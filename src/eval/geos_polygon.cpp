#include "eval/geos_polygon.h"

#include <geos_c.h>

#include "textq/error.h"

namespace textq::eval {
namespace {

void on_geos_error_r(const char* message, void* userdata) {
  static_cast<GeosContext*>(userdata)->set_last_error(message ? message : "");
}

[[noreturn]] void fail(GeosContext& ctx, const char* what) {
  throw Error(ErrorKind::Internal, std::string("GEOS ") + what + " failed: " + ctx.last_error());
}

}  // namespace

GeosContext::GeosContext() : handle_(GEOS_init_r()) {
  if (!handle_) throw Error(ErrorKind::Internal, "GEOS_init_r failed");
  GEOSContext_setErrorMessageHandler_r(handle_, on_geos_error_r, this);
  GEOSContext_setNoticeMessageHandler_r(handle_, nullptr, nullptr);
}

GeosContext::~GeosContext() { GEOS_finish_r(handle_); }

Geometry::~Geometry() {
  if (g_) GEOSGeom_destroy_r(ctx_->handle(), g_);
}

Geometry& Geometry::operator=(Geometry&& o) noexcept {
  if (this != &o) {
    if (g_) GEOSGeom_destroy_r(ctx_->handle(), g_);
    ctx_ = o.ctx_;
    g_ = o.g_;
    o.g_ = nullptr;
  }
  return *this;
}

Geometry make_shapely_polygon(GeosContext& ctx, const std::vector<double>& coords) {
  const size_t m = coords.size() / 2;
  if (m < 3 || coords.size() % 2 != 0)
    throw Error(ErrorKind::InvalidArgument, "polygon needs an even number (>= 6) of coordinates, got " +
                                                std::to_string(coords.size()));
  const bool close = m == 3 || coords[0] != coords[2 * (m - 1)] || coords[1] != coords[2 * (m - 1) + 1];
  const size_t n = close ? m + 1 : m;
  auto h = ctx.handle();
  GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(n), 2);
  if (!seq) fail(ctx, "CoordSeq_create");
  for (size_t i = 0; i < m; ++i) GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned>(i), coords[2 * i], coords[2 * i + 1]);
  if (close) GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned>(m), coords[0], coords[1]);
  GEOSGeometry* ring = GEOSGeom_createLinearRing_r(h, seq);  // takes seq
  if (!ring) fail(ctx, "createLinearRing");
  GEOSGeometry* poly = GEOSGeom_createPolygon_r(h, ring, nullptr, 0);  // takes ring
  if (!poly) fail(ctx, "createPolygon");
  return Geometry(&ctx, poly);
}

bool is_valid(GeosContext& ctx, const Geometry& g) {
  char r = GEOSisValid_r(ctx.handle(), g.get());
  if (r == 2) fail(ctx, "isValid");
  return r == 1;
}

double area(GeosContext& ctx, const Geometry& g) {
  double a = 0;
  if (!GEOSArea_r(ctx.handle(), g.get(), &a)) fail(ctx, "Area");
  return a;
}

Envelope envelope(GeosContext& ctx, const Geometry& g) {
  Envelope e;
  char empty = GEOSisEmpty_r(ctx.handle(), g.get());
  if (empty == 2) fail(ctx, "isEmpty");
  if (empty) return e;
  if (!GEOSGeom_getExtent_r(ctx.handle(), g.get(), &e.xmin, &e.ymin, &e.xmax, &e.ymax)) fail(ctx, "getExtent");
  return e;
}

Geometry buffer0(GeosContext& ctx, const Geometry& g) {
  auto h = ctx.handle();
  GEOSBufferParams* p = GEOSBufferParams_create_r(h);
  if (!p) fail(ctx, "BufferParams_create");
  // The parameters Shapely 1.8 `buffer()` sets by default.
  GEOSBufferParams_setEndCapStyle_r(h, p, GEOSBUF_CAP_ROUND);
  GEOSBufferParams_setJoinStyle_r(h, p, GEOSBUF_JOIN_ROUND);
  GEOSBufferParams_setMitreLimit_r(h, p, 5.0);
  GEOSBufferParams_setQuadrantSegments_r(h, p, 16);
  GEOSBufferParams_setSingleSided_r(h, p, 0);
  GEOSGeometry* out = GEOSBufferWithParams_r(h, g.get(), p, 0.0);
  GEOSBufferParams_destroy_r(h, p);
  if (!out) fail(ctx, "buffer(0)");
  return Geometry(&ctx, out);
}

static Geometry clone(GeosContext& ctx, const Geometry& g) {
  GEOSGeometry* c = GEOSGeom_clone_r(ctx.handle(), g.get());
  if (!c) fail(ctx, "clone");
  return Geometry(&ctx, c);
}

Geometry make_valid_mmocr0(GeosContext& ctx, const Geometry& g) {
  return is_valid(ctx, g) ? clone(ctx, g) : buffer0(ctx, g);
}

Geometry make_valid_mmocr1(GeosContext& ctx, const Geometry& g) {
  Geometry fixed = make_valid_mmocr0(ctx, g);
  int type = GEOSGeomTypeId_r(ctx.handle(), fixed.get());
  if (type == -1) fail(ctx, "GeomTypeId");
  if (type == GEOS_POLYGON) return fixed;
  GEOSGeometry* hull = GEOSConvexHull_r(ctx.handle(), fixed.get());
  if (!hull) fail(ctx, "ConvexHull");
  return Geometry(&ctx, hull);
}

double intersection_area(GeosContext& ctx, const Geometry& a, const Geometry& b) {
  GEOSGeometry* r = GEOSIntersection_r(ctx.handle(), a.get(), b.get());
  if (!r) fail(ctx, "intersection");
  Geometry owned(&ctx, r);
  return area(ctx, owned);
}

double union_area(GeosContext& ctx, const Geometry& a, const Geometry& b) {
  GEOSGeometry* r = GEOSUnion_r(ctx.handle(), a.get(), b.get());
  if (!r) fail(ctx, "union");
  Geometry owned(&ctx, r);
  return area(ctx, owned);
}

bool intersects(GeosContext& ctx, const Geometry& a, const Geometry& b) {
  char r = GEOSIntersects_r(ctx.handle(), a.get(), b.get());
  if (r == 2) fail(ctx, "intersects");
  return r == 1;
}

double shapely_polygon_area(const std::vector<double>& coords) {
  static thread_local GeosContext ctx;
  Geometry g = make_shapely_polygon(ctx, coords);
  return area(ctx, g);
}

void shapely_polygon_area_length(const std::vector<double>& coords, double* area_out, double* length_out) {
  static thread_local GeosContext ctx;
  Geometry g = make_shapely_polygon(ctx, coords);
  *area_out = area(ctx, g);
  if (!GEOSLength_r(ctx.handle(), g.get(), length_out)) fail(ctx, "Length");
}

}  // namespace textq::eval
