#include "bot/tls_probe.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>

namespace sandbot {

namespace {

struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

// The last OpenSSL error of this thread, emptied.
unsigned long TakeError(std::string* text) {
  unsigned long last = 0;
  for (unsigned long e; (e = ERR_get_error()) != 0;) last = e;
  if (last != 0) {
    char buf[256];
    ERR_error_string_n(last, buf, sizeof buf);
    *text = buf;
  }
  return last;
}

// A TLS alert the engine sent about our certificate (RFC 8446 §6.2):
// bad_certificate 42 … unknown_ca 48, certificate_required 116.
bool IsClientCertificateAlert(unsigned long err) {
  if (err == 0 || ERR_GET_LIB(err) != ERR_LIB_SSL) return false;
  const int reason = ERR_GET_REASON(err);
  if (reason < SSL_AD_REASON_OFFSET) return false;
  const int alert = reason - SSL_AD_REASON_OFFSET;
  return (alert >= 42 && alert <= 46) || alert == 48 || alert == 116;
}

int Connect(const std::string& host, int port, int timeout_seconds, std::string* why) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    *why = "cannot resolve " + host + ": " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{timeout_seconds, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) *why = "nobody answers on " + host + ":" + std::to_string(port);
  return fd;
}

std::unique_ptr<SSL_CTX, CtxFree> LoadContext(const EngineTls& tls, std::string* why) {
  std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  std::string err;
  if (!ctx) {
    TakeError(&err);
    *why = "OpenSSL cannot make a TLS context: " + err;
    return nullptr;
  }
  // A key behind a passphrase would make OpenSSL prompt on the terminal of a
  // daemon: no prompt, the key is refused below instead.
  SSL_CTX_set_default_passwd_cb(ctx.get(), [](char*, int, int, void*) { return 0; });
  ERR_clear_error();
  if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca.c_str(), nullptr) != 1) {
    TakeError(&err);
    *why = tls.ca + " is not a PEM CA certificate (" + err + ")";
    return nullptr;
  }
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.cert.c_str()) != 1) {
    TakeError(&err);
    *why = tls.cert + " is not a PEM certificate (" + err + ")";
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), tls.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    TakeError(&err);
    *why = tls.key + " is not an unencrypted PEM private key (" + err + ")";
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    TakeError(&err);
    *why = tls.key + " is not the key of " + tls.cert;
    return nullptr;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  return ctx;
}

}  // namespace

std::string CheckTlsFiles(const EngineTls& tls) {
  std::string why;
  LoadContext(tls, &why);
  return why;
}

std::string ProbeTls(const std::string& host, int port, const EngineTls& tls, int timeout_seconds) {
  std::string why;
  auto ctx = LoadContext(tls, &why);
  if (!ctx) return why;
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  if (!ssl) return "OpenSSL cannot make a TLS session";
  // The same name check as the transport: an IP address against the
  // certificate's IP SANs, a name against its DNS names.
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
  in6_addr any;
  const bool is_ip =
      inet_pton(AF_INET, host.c_str(), &any) == 1 || inet_pton(AF_INET6, host.c_str(), &any) == 1;
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    SSL_set_tlsext_host_name(ssl.get(), host.c_str());
  }
  int fd = Connect(host, port, timeout_seconds, &why);
  if (fd < 0) return why;
  SSL_set_fd(ssl.get(), fd);
  ERR_clear_error();
  std::string err;
  const std::string ours = " (" + tls.cert + ")";
  std::string result;
  if (SSL_connect(ssl.get()) != 1) {
    const long verify = SSL_get_verify_result(ssl.get());
    const unsigned long e = TakeError(&err);
    if (verify != X509_V_OK) {
      result = verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH
                   ? "the engine's certificate is not issued for " + host +
                         " (no matching subject alternative name)"
                   : std::string("the engine's certificate is not trusted by ") + tls.ca + ": " +
                         X509_verify_cert_error_string(verify);
    } else if (IsClientCertificateAlert(e)) {
      result = "the engine refused our client certificate" + ours + ": " + err +
               "; it must be signed by the CA the engine trusts (dockerd --tlscacert)";
    } else {
      result = "the TLS handshake failed: " + (err.empty() ? "connection closed" : err) +
               " (is the engine listening with --tlsverify?)";
    }
  } else {
    // TLS 1.3: the engine judges our certificate after the handshake
    // completed on our side; its verdict arrives on the first read.
    const std::string ping =
        "GET /_ping HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
    char buf[64];
    if (SSL_write(ssl.get(), ping.data(), static_cast<int>(ping.size())) <= 0 ||
        SSL_read(ssl.get(), buf, sizeof buf) <= 0) {
      const unsigned long e = TakeError(&err);
      result = IsClientCertificateAlert(e)
                   ? "the engine refused our client certificate" + ours + ": " + err +
                         "; it must be signed by the CA the engine trusts (dockerd --tlscacert)"
                   : "the engine closed the TLS connection: " +
                         (err.empty() ? std::string("no reason given") : err);
    }
  }
  SSL_shutdown(ssl.get());
  close(fd);
  return result;
}

}  // namespace sandbot
