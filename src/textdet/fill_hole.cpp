#include "textdet/fill_hole.h"

#include <opencv2/imgproc.hpp>

namespace textq {

cv::Mat fill_hole(const cv::Mat& mask) {
  // Same canvas geometry as MMOCR: a one-pixel zero frame around the mask so
  // the seed (0,0) touches every border-connected background region.
  cv::Mat canvas = cv::Mat::zeros(mask.rows + 2, mask.cols + 2, CV_8U);
  mask.copyTo(canvas(cv::Rect(1, 1, mask.cols, mask.rows)));
  cv::Mat ff_mask = cv::Mat::zeros(mask.rows + 4, mask.cols + 4, CV_8U);
  cv::floodFill(canvas, ff_mask, cv::Point(0, 0), cv::Scalar(1));
  cv::Mat inner = canvas(cv::Rect(1, 1, mask.cols, mask.rows));
  cv::Mat out(mask.size(), CV_8U);
  for (int y = 0; y < mask.rows; ++y) {
    const uint8_t* c = inner.ptr<uint8_t>(y);
    const uint8_t* m = mask.ptr<uint8_t>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < mask.cols; ++x) o[x] = (c[x] == 0 || m[x] != 0) ? 1 : 0;
  }
  return out;
}

}  // namespace textq
