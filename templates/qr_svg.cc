#include "templates/qr_svg.h"

#include <qrencode.h>

namespace sandbot {

std::string QrSvg(const std::string& text) {
  if (text.empty() || text.size() > 1000) return "";
  QRcode* code = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == nullptr) return "";
  const int width = code->width;
  const int size = width + 8;  // a quiet zone of 4 modules each side
  std::string path;
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      if (code->data[y * width + x] & 1) {
        path += "M" + std::to_string(x + 4) + " " + std::to_string(y + 4) + "h1v1h-1z";
      }
    }
  }
  QRcode_free(code);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 " +
         std::to_string(size) + " " + std::to_string(size) +
         "\" width=\"180\" height=\"180\" role=\"img\" aria-label=\"QR code of the main URL\">"
         "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"" +
         path + "\"/></svg>";
}

}  // namespace sandbot
