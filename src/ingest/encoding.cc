#include "ingest/encoding.h"

#include <unicode/ucnv.h>

#include <algorithm>
#include <cstring>

namespace xinyong::ingest {

std::string_view EncodingName(Encoding e) { return e == Encoding::kUtf8 ? "utf-8" : "gb18030"; }

size_t ValidUtf8Prefix(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    // Fast path over ASCII, eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return i;
    }
    i += len;
  }
  return i;
}

namespace {

// True when GB18030 decodes `s` without an illegal sequence (an incomplete final character is
// allowed, since a sample may cut one).
bool DecodesAsGb18030(std::string_view s) {
  UErrorCode err = U_ZERO_ERROR;
  UConverter* cnv = ucnv_open("GB18030", &err);
  if (U_FAILURE(err)) return false;
  ucnv_setToUCallBack(cnv, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &err);
  std::u16string buf(s.size() + 4, u'\0');
  UChar* target = reinterpret_cast<UChar*>(buf.data());
  const char* src = s.data();
  ucnv_toUnicode(cnv, &target, target + buf.size(), &src, s.data() + s.size(), nullptr,
                 /*flush=*/false, &err);
  ucnv_close(cnv);
  return U_SUCCESS(err);
}

}  // namespace

Result<Encoding> DetectEncoding(std::string_view sample, std::string_view source) {
  auto fail = [&](std::string why) {
    return Status::InvalidArgument(std::string(source) + ": " + why);
  };
  if (sample.starts_with("\xFF\xFE") || sample.starts_with("\xFE\xFF")) {
    return fail("the file is UTF-16; save it as UTF-8 or GBK");
  }
  if (sample.find('\0') != std::string_view::npos) {
    return fail("the file contains NUL bytes and looks binary, not CSV or JSON text");
  }
  size_t valid = ValidUtf8Prefix(sample);
  if (valid == sample.size()) return Encoding::kUtf8;
  // A multi-byte character may be cut at the end of the sample: a lead byte and fewer
  // continuation bytes than it announces. (GBK text ending in a two-byte character such as
  // C4 D0 is not that: D0 is no continuation byte.)
  const std::string_view tail = sample.substr(valid);
  const auto lead = static_cast<unsigned char>(tail[0]);
  const size_t length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                        : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (length > tail.size() &&
      std::all_of(tail.begin() + 1, tail.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
      })) {
    return Encoding::kUtf8;
  }
  if (DecodesAsGb18030(sample)) return Encoding::kGb18030;
  return fail("the bytes are neither UTF-8 nor GBK/GB18030 (first bad byte at offset " +
              std::to_string(valid) + ")");
}

struct Gb18030Decoder::Impl {
  UConverter* from = nullptr;
  UConverter* to = nullptr;
  UChar pivot[1024];
  UChar* pivot_source = pivot;
  UChar* pivot_target = pivot;
  ~Impl() {
    if (from) ucnv_close(from);
    if (to) ucnv_close(to);
  }
};

Result<std::unique_ptr<Gb18030Decoder>> Gb18030Decoder::Create() {
  std::unique_ptr<Gb18030Decoder> d(new Gb18030Decoder());
  d->impl_ = std::make_unique<Impl>();
  UErrorCode err = U_ZERO_ERROR;
  d->impl_->from = ucnv_open("GB18030", &err);
  d->impl_->to = ucnv_open("UTF-8", &err);
  if (U_FAILURE(err)) return Status::Internal(std::string("ICU converter: ") + u_errorName(err));
  // Illegal input becomes U+FFFD rather than ICU's default SUB control character.
  ucnv_setToUCallBack(d->impl_->from, UCNV_TO_U_CALLBACK_SUBSTITUTE, nullptr, nullptr, nullptr,
                      &err);
  return d;
}

Gb18030Decoder::~Gb18030Decoder() = default;

Status Gb18030Decoder::Decode(std::string_view chunk, bool last, std::string* out) {
  // ICU refuses a null source pointer (U_ILLEGAL_ARGUMENT_ERROR) even for zero bytes, which is
  // what an empty std::string_view{} holds.
  if (chunk.data() == nullptr) chunk = std::string_view("", 0);
  const char* src = chunk.data();
  const char* src_end = chunk.data() + chunk.size();
  size_t start = out->size();
  out->resize(start + chunk.size() * 2 + 16);  // GB18030 2 bytes → UTF-8 3 bytes at most 2x
  char* target = out->data() + start;
  for (;;) {
    UErrorCode err = U_ZERO_ERROR;
    ucnv_convertEx(impl_->to, impl_->from, &target, out->data() + out->size(), &src, src_end,
                   impl_->pivot, &impl_->pivot_source, &impl_->pivot_target,
                   impl_->pivot + 1024, /*reset=*/false, /*flush=*/last, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) {
      size_t used = static_cast<size_t>(target - out->data());
      out->resize(out->size() * 2);
      target = out->data() + used;
      continue;
    }
    if (U_FAILURE(err)) return Status::InvalidArgument(std::string("GB18030 decoding: ") + u_errorName(err));
    break;
  }
  out->resize(static_cast<size_t>(target - out->data()));
  return Status::Ok();
}

Result<std::string> Utf8ToGb18030(std::string_view utf8) {
  UErrorCode err = U_ZERO_ERROR;
  std::string out(utf8.size() * 2 + 16, '\0');
  int32_t n = ucnv_convert("GB18030", "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                           utf8.data(), static_cast<int32_t>(utf8.size()), &err);
  if (U_FAILURE(err)) return Status::InvalidArgument(std::string("GB18030 encoding: ") + u_errorName(err));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace xinyong::ingest
