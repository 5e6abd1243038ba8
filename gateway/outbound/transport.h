// Performs the HTTP requests that channel adapters describe (HttpCall), with
// libcurl. One Transport owns one easy handle and reuses it, so connections
// to a provider are kept alive between sends (and TLS sessions resumed).
//
// TLS peer and host verification are always on (the system CA store, or
// `ca_file`). Redirects are not followed: a send API that redirects is a
// configuration error and classified as such by the adapter.
//
// Thread-safety: a Transport is NOT thread-safe; use one per worker thread.
// CurlGlobalInit() must run once before any thread creates a Transport
// (Create calls it, guarded by std::call_once).
#pragma once

#include <memory>
#include <string>

#include "gateway/channels/channel.h"

namespace shg::outbound {

struct TransportOptions {
  int connect_timeout_ms = 5000;  // TCP + TLS handshake
  int total_timeout_ms = 15000;   // whole request, including the body
  std::string ca_file;            // "" = system default CA bundle
  size_t max_response_bytes = 1 << 20;  // a larger body is cut (kOther)
};

class Transport {
 public:
  Transport();
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Performs `call`. Never throws; failures below HTTP are reported in
  // HttpOutcome::failure (kConnect when nothing reached the peer, kTimeout,
  // kTls, kOther) with curl's error text (the URL is never included, since
  // some providers put credentials in it).
  channels::HttpOutcome Perform(const channels::HttpCall& call, const TransportOptions& options);

 private:
  void* curl_;  // CURL*
};

// curl_global_init, once per process (thread-safe).
void CurlGlobalInit();

}  // namespace shg::outbound
