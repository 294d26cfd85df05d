// Dropping single-pixel components before contour tracing (decoder speed).
#pragma once

#include <opencv2/core.hpp>

namespace textq {

// mask: CV_8U. Sets to 0 every non-zero pixel whose 8 neighbours are all zero
// (pixels outside the mask count as zero); returns how many were cleared.
// Such a pixel is a component of its own: cv::findContours traces it as a
// one-point contour of area 0 and leaves every other contour, and their
// order, as it was (no component is 8-adjacent to it, and clearing it cannot
// isolate another pixel).
int clear_isolated_pixels(cv::Mat& mask);

}  // namespace textq
