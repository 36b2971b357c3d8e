#include "report/qr.h"

#include <qrencode.h>

#include <memory>

namespace xinyong::report {

Result<QrMatrix> EncodeQr(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("a QR code needs some text");
  const std::string s(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(s.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!code) {
    return Status::InvalidArgument("the verification URL cannot be made into a QR code (" +
                                   std::to_string(text.size()) + " bytes)");
  }
  QrMatrix m;
  m.size = code->width;
  m.dark.resize(static_cast<size_t>(m.size * m.size));
  for (size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = code->data[i] & 1;
  return m;
}

std::string QrSvg(const QrMatrix& m, int pixels) {
  const int total = m.size + 8;
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(pixels) +
                    "\" height=\"" + std::to_string(pixels) + "\" viewBox=\"0 0 " +
                    std::to_string(total) + " " + std::to_string(total) +
                    "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" "
                    "fill=\"#fff\"/><path fill=\"#000\" d=\"";
  for (int y = 0; y < m.size; ++y) {
    for (int x = 0; x < m.size; ++x) {
      if (m.at(x, y)) {
        out += "M" + std::to_string(x + 4) + " " + std::to_string(y + 4) + "h1v1h-1z";
      }
    }
  }
  out += "\"/></svg>";
  return out;
}

}  // namespace xinyong::report
