#include "tests/support/http_client.h"

#include <curl/curl.h>

namespace shg::testing {
namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

}  // namespace

HttpClient::HttpClient() : curl_(curl_easy_init()) {}
HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

static HttpResult Perform(CURL* c, const std::string& url) {
  HttpResult r;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    r.error = curl_easy_strerror(rc);
    return r;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  char* ct = nullptr;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
  if (ct) r.content_type = ct;
  return r;
}

HttpResult HttpClient::Get(const std::string& url, const std::vector<std::string>& extra_headers) {
  CURL* c = static_cast<CURL*>(curl_);
  struct curl_slist* headers = nullptr;
  for (const std::string& h : extra_headers) headers = curl_slist_append(headers, h.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  HttpResult r = Perform(c, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  return r;
}

HttpResult HttpClient::PostRaw(const std::string& url, const std::string& body,
                               const std::string& content_type,
                               const std::vector<std::string>& extra_headers) {
  CURL* c = static_cast<CURL*>(curl_);
  struct curl_slist* headers = curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str());
  for (const std::string& h : extra_headers) headers = curl_slist_append(headers, h.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  HttpResult r = Perform(c, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  return r;
}

HttpResult HttpClient::PostForm(const std::string& url,
                                const std::vector<std::pair<std::string, std::string>>& fields,
                                const std::vector<std::string>& extra_headers) {
  CURL* c = static_cast<CURL*>(curl_);
  std::string body;
  for (const auto& [k, v] : fields) {
    if (!body.empty()) body += '&';
    char* ek = curl_easy_escape(c, k.c_str(), static_cast<int>(k.size()));
    char* ev = curl_easy_escape(c, v.c_str(), static_cast<int>(v.size()));
    body += ek;
    body += '=';
    body += ev;
    curl_free(ek);
    curl_free(ev);
  }
  return PostRaw(url, body, "application/x-www-form-urlencoded", extra_headers);
}

}  // namespace shg::testing
