#include "server/static_files.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "server/target.h"

#ifndef XINYONG_SOURCE_DIR
#define XINYONG_SOURCE_DIR "."
#endif

namespace xinyong::server {

namespace fs = std::filesystem;

namespace {

Response NotFound() {
  return StatusResponse(Status::NotFound("no such file"));
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    char c = s[s.size() - suffix.size() + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != suffix[i]) return false;
  }
  return true;
}

}  // namespace

std::string DefaultWebRoot() {
  if (const char* s = std::getenv("XINYONG_WEB"); s != nullptr && *s != '\0') return s;
  return std::string(XINYONG_SOURCE_DIR) + "/web";
}

StaticFiles::StaticFiles(const std::string& root) {
  std::error_code ec;
  fs::path canonical = fs::canonical(root, ec);
  root_ = ec ? fs::absolute(root).lexically_normal().string() : canonical.string();
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string_view StaticFiles::ContentTypeFor(std::string_view path) {
  struct Type {
    std::string_view ext, type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".pdf", "application/pdf"},
  };
  for (const auto& t : kTypes) {
    if (EndsWith(path, t.ext)) return t.type;
  }
  return "application/octet-stream";
}

Response StaticFiles::Serve(const Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    Response r = ErrorResponse(405, "method_not_allowed",
                               "portal files can only be read with GET or HEAD",
                               boost::json::object{{"allow", "GET, HEAD"}});
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  ParsedTarget target;
  std::string error;
  if (!ParseTarget(request.target, &target, &error)) {
    return StatusResponse(Status::InvalidArgument(error));
  }
  fs::path rel;
  for (const auto& seg : target.segments) {
    // ".", "..", hidden files, and anything a decoded slash or backslash could smuggle in.
    if (seg.empty() || seg.front() == '.' || seg.find('/') != std::string::npos ||
        seg.find('\\') != std::string::npos) {
      return NotFound();
    }
    rel /= seg;
  }
  const bool wants_directory = target.path.ends_with('/') || target.segments.empty();
  fs::path full = fs::path(root_) / rel;
  std::error_code ec;
  if (wants_directory || fs::is_directory(full, ec)) full /= "index.html";
  fs::path canonical = fs::canonical(full, ec);
  if (ec) return NotFound();
  const std::string resolved = canonical.string();
  if (!resolved.starts_with(root_ + "/")) return NotFound();  // a link out of the root
  if (!fs::is_regular_file(canonical, ec)) return NotFound();
  auto size = fs::file_size(canonical, ec);
  if (ec || size > kMaxFileBytes) return NotFound();

  std::ifstream in(canonical, std::ios::binary);
  if (!in) return NotFound();
  Response r;
  r.status = 200;
  r.content_type = std::string(ContentTypeFor(resolved));
  r.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  // The portal changes with each release and has no build step that fingerprints file names:
  // let browsers keep files but revalidate them.
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

}  // namespace xinyong::server
