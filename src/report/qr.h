// QR codes (libqrencode) for a report's verification URL, as a module matrix that the PDF
// renderer draws with cairo and the HTML renderer writes as inline SVG. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace xinyong::report {

struct QrMatrix {
  int size = 0;               // modules per side (without the quiet zone)
  std::vector<uint8_t> dark;  // size*size, row-major, 1 = dark module
  bool at(int x, int y) const { return dark[static_cast<size_t>(y * size + x)] != 0; }
};

// Encodes `text` (8-bit mode, error correction level M). InvalidArgument when it is too long
// for a QR code or empty.
Result<QrMatrix> EncodeQr(std::string_view text);
// An SVG drawing of the matrix with a 4-module quiet zone, `pixels` wide.
std::string QrSvg(const QrMatrix& m, int pixels);

}  // namespace xinyong::report
