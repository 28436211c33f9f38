#include "transport.h"

#include <cerrno>
#include <cstring>

#include "esphome/core/helpers.h"
#include "esphome/core/log.h"

#ifdef USE_HOST
#include <csignal>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#else
#include "lwip/dns.h"
#include "lwip/ip_addr.h"
#include "lwip/sockets.h"
#endif

#if defined(USE_ESP32) && defined(USE_OCPP_TLS)
#include "esp_crt_bundle.h"
#endif
#if defined(USE_HOST) && defined(USE_OCPP_TLS)
#include <openssl/err.h>
#include <openssl/x509v3.h>
#endif

namespace esphome::ocpp {

static const char *const TAG = "ocpp";

// Bounds on each phase of opening; the charge point retries with backoff after a failure.
static const uint64_t DNS_TIMEOUT_MS = 20000;
static const uint64_t CONNECT_TIMEOUT_MS = 10000;
static const uint64_t TLS_TIMEOUT_MS = 20000;

#ifndef USE_HOST
// lwIP calls this from its own task once the name is resolved (or not).
#if defined(USE_ESP8266) && LWIP_VERSION_MAJOR == 1
static void dns_found(const char *name, ip_addr_t *ipaddr, void *arg) {
#else
static void dns_found(const char *name, const ip_addr_t *ipaddr, void *arg) {
#endif
  auto *self = static_cast<Transport *>(arg);
  if (ipaddr == nullptr) {
    self->on_dns_(false, 0);
    return;
  }
#if LWIP_IPV6
  if (!IP_IS_V4(ipaddr)) {
    self->on_dns_(false, 0);
    return;
  }
  self->on_dns_(true, ip4_addr_get_u32(ip_2_ip4(ipaddr)));
#else
  self->on_dns_(true, ip4_addr_get_u32(ipaddr));
#endif
}
#endif

void Transport::open(const std::string &host, uint16_t port, bool secure, uint64_t now_ms) {
  this->close();
  this->host_ = host;
  this->port_ = port;
  this->secure_ = secure;
  this->started_ms_ = now_ms;
  this->error_ = "";
#ifdef USE_HOST
  // A peer that went away must not kill the process with SIGPIPE (OpenSSL writes with write()).
  signal(SIGPIPE, SIG_IGN);
#endif
  if (secure) {
#if defined(USE_ESP32) && defined(USE_OCPP_TLS)
    // esp-tls makes its own socket (and resolves the name itself).
    this->tls_ = esp_tls_init();
    if (this->tls_ == nullptr) {
      this->fail_("esp_tls_init failed (out of memory)");
      return;
    }
    this->tls_cfg_ = esp_tls_cfg_t{};
    this->tls_cfg_.non_block = true;
    this->tls_cfg_.timeout_ms = static_cast<int>(TLS_TIMEOUT_MS);
    // Server certificates are checked against ESP-IDF's root certificate bundle.
    this->tls_cfg_.crt_bundle_attach = esp_crt_bundle_attach;
    this->state_ = State::CONNECTING;
    return;
#elif !(defined(USE_HOST) && defined(USE_OCPP_TLS))
    this->fail_("wss:// needs TLS, which this platform's build does not have");
    return;
#endif
    // Host: OpenSSL over the TCP socket opened below, once it is connected.
  }
#ifdef USE_HOST
  if (!this->resolve_host_())
    return;
  this->start_connect_(now_ms);
#else
  this->start_dns_();
#endif
}

void Transport::close() {
#if defined(USE_HOST) && defined(USE_OCPP_TLS)
  if (this->ssl_ != nullptr) {
    SSL_free(this->ssl_);
    this->ssl_ = nullptr;
  }
  this->tls_ready_ = false;
#endif
#if defined(USE_ESP32) && defined(USE_OCPP_TLS)
  if (this->tls_ != nullptr) {
    esp_tls_conn_destroy(this->tls_);
    this->tls_ = nullptr;
  }
#endif
  if (this->sock_ != nullptr) {
    this->sock_->close();
    this->sock_.reset();
  }
  this->state_ = State::IDLE;
}

void Transport::fail_(const char *why) {
  this->error_ = why;
  this->close();
  this->state_ = State::FAILED;
}

#ifdef USE_HOST
bool Transport::resolve_host_() {
  // The host platform resolves synchronously (a local resolver answers at once).
  struct addrinfo hints {};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo *res = nullptr;
  if (getaddrinfo(this->host_.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) {
    this->fail_("could not resolve the host name");
    return false;
  }
  const auto *sin = reinterpret_cast<const struct sockaddr_in *>(res->ai_addr);
  this->addr_v4_ = sin->sin_addr.s_addr;
  freeaddrinfo(res);
  return true;
}
#else
void Transport::start_dns_() {
  this->dns_done_ = 0;
  ip_addr_t addr;
  err_t err;
  {
    LwIPLock lock;
    err = dns_gethostbyname_addrtype(this->host_.c_str(), &addr, dns_found, this, LWIP_DNS_ADDRTYPE_IPV4);
  }
  if (err == ERR_OK) {
#if LWIP_IPV6
    this->addr_v4_ = ip4_addr_get_u32(ip_2_ip4(&addr));
#else
    this->addr_v4_ = ip4_addr_get_u32(&addr);
#endif
    this->dns_done_ = 1;
  } else if (err != ERR_INPROGRESS) {
    this->fail_("could not resolve the host name");
    return;
  }
  this->state_ = State::RESOLVING;
}
#endif

void Transport::start_connect_(uint64_t now_ms) {
  this->sock_ = socket::socket(AF_INET, SOCK_STREAM, 0);
  if (this->sock_ == nullptr) {
    this->fail_("no free socket");
    return;
  }
  this->sock_->setblocking(false);
  int one = 1;
  this->sock_->setsockopt(IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  struct sockaddr_in addr {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(this->port_);
  addr.sin_addr.s_addr = this->addr_v4_;
  int r = this->sock_->connect(reinterpret_cast<const struct sockaddr *>(&addr), sizeof(addr));
  if (r != 0 && errno != EINPROGRESS && errno != EWOULDBLOCK && errno != EAGAIN) {
    this->fail_("connect refused");
    return;
  }
  this->started_ms_ = now_ms;
  this->state_ = State::CONNECTING;
}

Transport::State Transport::poll(uint64_t now_ms) {
  switch (this->state_) {
    case State::RESOLVING:
      if (this->dns_done_ > 0) {
        this->start_connect_(now_ms);
      } else if (this->dns_done_ < 0) {
        this->fail_("could not resolve the host name");
      } else if (now_ms - this->started_ms_ > DNS_TIMEOUT_MS) {
        this->fail_("DNS timed out");
      }
      break;
    case State::CONNECTING: {
#if defined(USE_ESP32) && defined(USE_OCPP_TLS)
      if (this->tls_ != nullptr) {
        int r = esp_tls_conn_new_async(this->host_.c_str(), static_cast<int>(this->host_.size()), this->port_,
                                       &this->tls_cfg_, this->tls_);
        if (r == 1) {
          this->state_ = State::OPEN;
        } else if (r < 0) {
          this->fail_("TLS connection failed (certificate, or the server refused)");
        } else if (now_ms - this->started_ms_ > TLS_TIMEOUT_MS) {
          this->fail_("TLS handshake timed out");
        }
        break;
      }
#endif
#if defined(USE_HOST) && defined(USE_OCPP_TLS)
      if (this->ssl_ != nullptr) {
        int r = SSL_connect(this->ssl_);
        if (r == 1) {
          this->tls_ready_ = true;
          this->state_ = State::OPEN;
        } else if (this->tls_error_(r) < 0) {
          // fail_ already called
        } else if (now_ms - this->started_ms_ > TLS_TIMEOUT_MS) {
          this->fail_("TLS handshake timed out");
        }
        break;
      }
#endif
      int fd = this->sock_->get_fd();
#ifdef USE_HOST
      struct pollfd pfd {};
      pfd.fd = fd;
      pfd.events = POLLOUT;
      int ready = ::poll(&pfd, 1, 0);
#else
      fd_set wfds;
      FD_ZERO(&wfds);
      FD_SET(fd, &wfds);
      struct timeval tv {};
      int ready = lwip_select(fd + 1, nullptr, &wfds, nullptr, &tv);
#endif
      if (ready < 0) {
        this->fail_("connect failed");
      } else if (ready > 0) {
        int err = 0;
        socklen_t len = sizeof(err);
        this->sock_->getsockopt(SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0) {
#if defined(USE_HOST) && defined(USE_OCPP_TLS)
          if (this->secure_) {
            if (this->start_tls_(now_ms))
              return this->poll(now_ms);
            break;
          }
#endif
          this->state_ = State::OPEN;
        } else {
          this->fail_(err == ECONNREFUSED ? "connection refused" : "connect failed");
        }
      } else if (now_ms - this->started_ms_ > CONNECT_TIMEOUT_MS) {
        this->fail_("connect timed out");
      }
      break;
    }
    default:
      break;
  }
  return this->state_;
}

int Transport::read(uint8_t *buf, size_t len) {
  if (this->state_ != State::OPEN)
    return -1;
#if defined(USE_ESP32) && defined(USE_OCPP_TLS)
  if (this->tls_ != nullptr) {
    ssize_t n = esp_tls_conn_read(this->tls_, buf, len);
    if (n > 0)
      return static_cast<int>(n);
    if (n == ESP_TLS_ERR_SSL_WANT_READ || n == ESP_TLS_ERR_SSL_WANT_WRITE)
      return 0;
    this->fail_(n == 0 ? "closed by the server" : "TLS read failed");
    return -1;
  }
#endif
#if defined(USE_HOST) && defined(USE_OCPP_TLS)
  if (this->ssl_ != nullptr) {
    int n = SSL_read(this->ssl_, buf, static_cast<int>(len));
    if (n > 0)
      return n;
    return this->tls_error_(n);
  }
#endif
  ssize_t n = this->sock_->read(buf, len);
  if (n > 0)
    return static_cast<int>(n);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return 0;
  this->fail_(n == 0 ? "closed by the server" : "read failed");
  return -1;
}

int Transport::write(const uint8_t *buf, size_t len) {
  if (this->state_ != State::OPEN)
    return -1;
#if defined(USE_ESP32) && defined(USE_OCPP_TLS)
  if (this->tls_ != nullptr) {
    ssize_t n = esp_tls_conn_write(this->tls_, buf, len);
    if (n >= 0)
      return static_cast<int>(n);
    if (n == ESP_TLS_ERR_SSL_WANT_READ || n == ESP_TLS_ERR_SSL_WANT_WRITE)
      return 0;
    this->fail_("TLS write failed");
    return -1;
  }
#endif
#if defined(USE_HOST) && defined(USE_OCPP_TLS)
  if (this->ssl_ != nullptr) {
    int n = SSL_write(this->ssl_, buf, static_cast<int>(len));
    if (n > 0)
      return n;
    return this->tls_error_(n);
  }
#endif
#ifdef USE_HOST
  // MSG_NOSIGNAL: a peer that went away must not kill the process with SIGPIPE.
  ssize_t n = this->sock_->send(buf, len, MSG_NOSIGNAL);
#else
  ssize_t n = this->sock_->write(buf, len);
#endif
  if (n >= 0)
    return static_cast<int>(n);
  if (errno == EAGAIN || errno == EWOULDBLOCK)
    return 0;
  this->fail_("write failed");
  return -1;
}

#if defined(USE_HOST) && defined(USE_OCPP_TLS)
bool Transport::start_tls_(uint64_t now_ms) {
  if (this->ssl_ctx_ == nullptr) {
    this->ssl_ctx_ = SSL_CTX_new(TLS_client_method());
    if (this->ssl_ctx_ == nullptr) {
      this->fail_("TLS context failed");
      return false;
    }
    SSL_CTX_set_min_proto_version(this->ssl_ctx_, TLS1_2_VERSION);
    // The system's roots (OpenSSL honours SSL_CERT_FILE / SSL_CERT_DIR).
    SSL_CTX_set_default_verify_paths(this->ssl_ctx_);
    SSL_CTX_set_verify(this->ssl_ctx_, SSL_VERIFY_PEER, nullptr);
  }
  this->ssl_ = SSL_new(this->ssl_ctx_);
  if (this->ssl_ == nullptr) {
    this->fail_("TLS session failed");
    return false;
  }
  // ocpp_cp_outgoing may hand a retried write from another address.
  SSL_set_mode(this->ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_set_fd(this->ssl_, this->sock_->get_fd());
  SSL_set_tlsext_host_name(this->ssl_, this->host_.c_str());
  // The certificate must name the host of the URL (a DNS name or an IP address).
  X509_VERIFY_PARAM *param = SSL_get0_param(this->ssl_);
  if (X509_VERIFY_PARAM_set1_ip_asc(param, this->host_.c_str()) != 1)
    SSL_set1_host(this->ssl_, this->host_.c_str());
  this->started_ms_ = now_ms;
  return true;
}

int Transport::tls_error_(int ret) {
  int err = SSL_get_error(this->ssl_, ret);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
    return 0;
  if (err == SSL_ERROR_ZERO_RETURN) {
    this->fail_("closed by the server");
    return -1;
  }
  long verify = SSL_get_verify_result(this->ssl_);
  if (!this->tls_ready_ && verify != X509_V_OK) {
    ESP_LOGW(TAG, "TLS: server certificate not accepted: %s", X509_verify_cert_error_string(verify));
    this->fail_("TLS: server certificate not accepted");
    return -1;
  }
  unsigned long e = ERR_get_error();
  if (e != 0) {
    char text[160];
    ERR_error_string_n(e, text, sizeof(text));
    ESP_LOGW(TAG, "TLS: %s", text);
  }
  ERR_clear_error();
  this->fail_(this->tls_ready_ ? "TLS connection failed" : "TLS handshake failed");
  return -1;
}
#endif

}  // namespace esphome::ocpp
