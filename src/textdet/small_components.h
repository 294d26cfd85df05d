// Dropping the centre mask's components too small to pass the decoder's
// contour-area test before contour tracing (decoder speed).
#pragma once

#include <opencv2/core.hpp>

namespace textq {

// mask: CV_8U. Sets to 0 every 8-connected component of non-zero pixels whose
// pixel bounding box, w x h pixels, has (w - 1) * (h - 1) < min_area; returns
// how many components were cleared.
//
// Why cv::findContours then gives the contours it gave before minus those
// whose cv::contourArea is below min_area, in the same order: the outer
// border of a component runs through the centres of its own pixels and winds
// around any point at most once, so its area is at most that of the box of
// those centres, (w - 1) * (h - 1); components are never 8-adjacent, so
// clearing one changes no other's border nor where the raster scan meets it;
// and a component inside a hole of a cleared one lies strictly inside its box,
// so it is cleared too. A lone pixel (box 1 x 1, area 0) is the common case
// on noisy maps; min_area <= 0 clears nothing.
int clear_small_components(cv::Mat& mask, double min_area);

}  // namespace textq
