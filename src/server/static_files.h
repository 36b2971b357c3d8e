// StaticFiles: the portal's files (web/) served for every non-API path. "/" and any directory
// serve its index.html. A path is refused (404, as if missing) when any decoded segment starts
// with '.', contains a backslash or NUL, or when the file resolves outside the root through a
// symbolic link — so no request reaches a file outside the web root.
// Thread-safety: immutable after construction; Serve may run on many threads at once.
#pragma once

#include <string>
#include <string_view>

#include "server/http_message.h"

namespace xinyong::server {

class StaticFiles {
 public:
  // `root` must name a directory; it is made canonical here.
  explicit StaticFiles(const std::string& root);

  // GET or HEAD of a path under the root; other methods get 405.
  Response Serve(const Request& request) const;

  const std::string& root() const { return root_; }

  // "text/html; charset=utf-8" for ".html", ... "application/octet-stream" when unknown.
  static std::string_view ContentTypeFor(std::string_view path);

  static constexpr size_t kMaxFileBytes = 32u << 20;

 private:
  std::string root_;  // canonical, without a trailing slash
};

// The portal directory when none is configured: $XINYONG_WEB, else <source dir>/web.
std::string DefaultWebRoot();

}  // namespace xinyong::server
