// Polygon geometry through the GEOS C API (reentrant `_r` functions), doing
// exactly the calls Shapely 1.8 makes for the MMOCR polygon helpers, so that
// areas, buffer(0) repairs and overlay results are bit-identical to MMOCR run
// with the same GEOS build.
#pragma once

#include <string>
#include <vector>

typedef struct GEOSContextHandle_HS* GEOSContextHandle_t;
typedef struct GEOSGeom_t GEOSGeometry;

namespace textq::eval {

// One GEOS context; not shared between threads. Owns nothing else.
class GeosContext {
 public:
  GeosContext();
  ~GeosContext();
  GeosContext(const GeosContext&) = delete;
  GeosContext& operator=(const GeosContext&) = delete;
  GEOSContextHandle_t handle() const { return handle_; }
  // Last message GEOS reported (for error text).
  const std::string& last_error() const { return last_error_; }
  void set_last_error(const std::string& m) { last_error_ = m; }

 private:
  GEOSContextHandle_t handle_;
  std::string last_error_;
};

// An owned GEOS geometry (move-only).
class Geometry {
 public:
  Geometry() = default;
  Geometry(GeosContext* ctx, GEOSGeometry* g) : ctx_(ctx), g_(g) {}
  ~Geometry();
  Geometry(Geometry&& o) noexcept : ctx_(o.ctx_), g_(o.g_) { o.g_ = nullptr; }
  Geometry& operator=(Geometry&& o) noexcept;
  Geometry(const Geometry&) = delete;
  Geometry& operator=(const Geometry&) = delete;
  const GEOSGeometry* get() const { return g_; }
  explicit operator bool() const { return g_ != nullptr; }

 private:
  GeosContext* ctx_ = nullptr;
  GEOSGeometry* g_ = nullptr;
};

struct Envelope {
  double xmin = 0, ymin = 0, xmax = -1, ymax = -1;  // empty when xmin > xmax
  bool empty() const { return xmin > xmax; }
  bool overlaps(const Envelope& o) const {
    return !empty() && !o.empty() && xmin <= o.xmax && o.xmin <= xmax && ymin <= o.ymax && o.ymin <= ymax;
  }
};

// Shapely `Polygon(points.reshape(-1, 2))`: the ring gets a closing point when
// it has exactly 3 points or its first and last points differ (Shapely 1.8's
// rule). `coords` holds x0,y0,x1,y1,... (even count >= 6, checked by callers).
Geometry make_shapely_polygon(GeosContext& ctx, const std::vector<double>& coords);

bool is_valid(GeosContext& ctx, const Geometry& g);
double area(GeosContext& ctx, const Geometry& g);
Envelope envelope(GeosContext& ctx, const Geometry& g);

// Shapely 1.8 `g.buffer(0)` (round caps/joins, mitre 5, 16 quadrant segments).
Geometry buffer0(GeosContext& ctx, const Geometry& g);
// MMOCR 0.x `poly_make_valid`: g if valid else buffer(0) (a MultiPolygon stays).
Geometry make_valid_mmocr0(GeosContext& ctx, const Geometry& g);
// MMOCR 1.x `poly_make_valid`: as 0.x, then a non-Polygon result is replaced
// by its convex hull.
Geometry make_valid_mmocr1(GeosContext& ctx, const Geometry& g);

// Area of a ∩ b (GEOSIntersection), area of a ∪ b (GEOSUnion); operand order
// is kept as MMOCR passes it. Throws if GEOS fails.
double intersection_area(GeosContext& ctx, const Geometry& a, const Geometry& b);
double union_area(GeosContext& ctx, const Geometry& a, const Geometry& b);
bool intersects(GeosContext& ctx, const Geometry& a, const Geometry& b);

// Area of the raw polygon of `coords` (Shapely's `Polygon(...).area`), used by
// the converters for the COCO `area` field.
double shapely_polygon_area(const std::vector<double>& coords);
// Area and perimeter of the same polygon (Shapely's `.area`, `.length`), for
// the DB decoder's unclip distance.
void shapely_polygon_area_length(const std::vector<double>& coords, double* area, double* length);

}  // namespace textq::eval
