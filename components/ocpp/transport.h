#pragma once

// The charge point's one network connection: a non-blocking TCP client on esphome::socket
// (host, ESP32, LibreTiny); for wss://, TLS through ESP-IDF's esp-tls on ESP32 and OpenSSL
// over that socket on the host platform. Nothing here blocks loop() for long: DNS is
// asynchronous on lwIP, connect and the TLS handshake are non-blocking.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "esphome/core/defines.h"
#include "esphome/components/socket/socket.h"

#ifdef USE_SOCKET_IMPL_LWIP_TCP
#error "ocpp: needs file-descriptor sockets (socket: implementation: bsd_sockets or lwip_sockets)"
#endif

#if defined(USE_ESP32) && defined(USE_OCPP_TLS)
#include "esp_tls.h"
#endif
#if defined(USE_HOST) && defined(USE_OCPP_TLS)
// OpenSSL, as ESPHome's http_request uses on the host platform.
#include <openssl/ssl.h>
#endif

namespace esphome::ocpp {

class Transport {
 public:
  enum class State : uint8_t { IDLE, RESOLVING, CONNECTING, OPEN, FAILED };

  /// Starts connecting; progress through poll().
  void open(const std::string &host, uint16_t port, bool secure, uint64_t now_ms);
  /// Drops the connection (if any) at once.
  void close();
  /// Advances resolving/connecting; returns the state after it.
  State poll(uint64_t now_ms);
  State state() const { return this->state_; }
  /// Bytes read (> 0), 0 when nothing is waiting, -1 when the connection is gone (EOF/error).
  int read(uint8_t *buf, size_t len);
  /// Bytes written (>= 0, 0 = try later), -1 when the connection is gone.
  int write(const uint8_t *buf, size_t len);
  /// Why the last failure happened (for the log).
  const char *last_error() const { return this->error_; }

 protected:
  void fail_(const char *why);
  void start_connect_(uint64_t now_ms);
#if defined(USE_HOST) && defined(USE_OCPP_TLS)
  bool start_tls_(uint64_t now_ms);
  int tls_error_(int ret);
  SSL_CTX *ssl_ctx_{nullptr};
  SSL *ssl_{nullptr};
  bool tls_ready_{false};
#endif
#ifdef USE_HOST
  bool resolve_host_();
#else
  void start_dns_();
#endif

  State state_{State::IDLE};
  std::string host_;
  uint16_t port_{0};
  bool secure_{false};
  uint64_t started_ms_{0};
  const char *error_{""};
  std::unique_ptr<socket::Socket> sock_;
  // The resolved IPv4 address in network order (lwIP writes it from its own task).
  volatile uint32_t addr_v4_{0};
  volatile int8_t dns_done_{0};  // 0 pending, 1 resolved, -1 failed
#if defined(USE_ESP32) && defined(USE_OCPP_TLS)
  esp_tls_t *tls_{nullptr};
  esp_tls_cfg_t tls_cfg_{};
#endif

 public:
  /// lwIP's DNS answer (called from the TCP/IP task): `ok` with an IPv4 address in network order.
  void on_dns_(bool ok, uint32_t addr_v4) {
    this->addr_v4_ = addr_v4;
    this->dns_done_ = ok ? 1 : -1;
  }
};

}  // namespace esphome::ocpp
