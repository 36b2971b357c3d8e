// RawConnection: a client TCP connection to the loopback address driven byte by byte, for tests
// that behave like misbehaving clients (a request left unfinished, sent one byte at a time, or by
// hundreds of connections at once). Sends never raise SIGPIPE. Not thread-safe; one per thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

namespace xinyong::test {

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; connected() says whether that worked.
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  // Sends all of `bytes`; false when the server has closed or reset the connection.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads what the server sent until it closes the connection or `timeout_ms` pass without a
  // byte; true when it closed (end of stream or reset). What arrived is appended to *received.
  bool WaitForClose(int timeout_ms, std::string* received = nullptr) {
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, timeout_ms);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return false;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return true;
      if (received != nullptr) received->append(buf, static_cast<size_t>(n));
    }
  }

  // True when the server has closed the connection by now (no waiting).
  bool ClosedByServer() { return WaitForClose(0); }

 private:
  int fd_ = -1;
};

}  // namespace xinyong::test
