// A browser-like HTTP client for the dashboard tests, over libcurl: real
// loopback HTTP, redirects NOT followed (tests look at the 303), response
// headers kept (Set-Cookie), and a cookie jar of name -> value that is sent
// back on every request like a browser's for Path=/staff. Header-only (the
// test binary globs *_test.cc). Not thread-safe.
#pragma once

#include <curl/curl.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace shg::testing {

struct WebResult {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string error;
  std::string Header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return "";
  }
  std::vector<std::string> SetCookies() const {
    std::vector<std::string> out;
    for (const auto& [n, v] : headers) {
      if (n == "set-cookie") out.push_back(v);
    }
    return out;
  }
  // The Set-Cookie line of cookie `name` ("" when none).
  std::string SetCookie(const std::string& name) const {
    for (const std::string& c : SetCookies()) {
      if (c.rfind(name + "=", 0) == 0) return c;
    }
    return "";
  }
};

class WebClient {
 public:
  explicit WebClient(std::string base) : base_(std::move(base)), curl_(curl_easy_init()) {}
  ~WebClient() { curl_easy_cleanup(curl_); }
  WebClient(const WebClient&) = delete;
  WebClient& operator=(const WebClient&) = delete;

  WebResult Get(const std::string& path) {
    curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    return Perform(path, nullptr);
  }
  WebResult Post(const std::string& path,
                 const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [k, v] : fields) {
      if (!body.empty()) body += '&';
      char* ek = curl_easy_escape(curl_, k.c_str(), static_cast<int>(k.size()));
      char* ev = curl_easy_escape(curl_, v.c_str(), static_cast<int>(v.size()));
      body += std::string(ek) + "=" + ev;
      curl_free(ek);
      curl_free(ev);
    }
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    struct curl_slist* h =
        curl_slist_append(nullptr, "Content-Type: application/x-www-form-urlencoded");
    WebResult r = Perform(path, h);
    curl_slist_free_all(h);
    return r;
  }

  std::map<std::string, std::string>& cookies() { return jar_; }

 private:
  static size_t Collect(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
  }
  static size_t HeaderLine(char* data, size_t size, size_t n, void* out) {
    std::string line(data, size * n);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(value.begin());
      static_cast<WebResult*>(out)->headers.emplace_back(std::move(name), std::move(value));
    }
    return size * n;
  }

  WebResult Perform(const std::string& path, struct curl_slist* headers) {
    WebResult r;
    std::string cookie;
    for (const auto& [k, v] : jar_) cookie += (cookie.empty() ? "" : "; ") + k + "=" + v;
    struct curl_slist* all = headers;
    std::vector<std::string> keep;
    if (!cookie.empty()) {
      keep.push_back("Cookie: " + cookie);
      all = curl_slist_append(all, keep.back().c_str());
    }
    curl_easy_setopt(curl_, CURLOPT_URL, (base_ + path).c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, all);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, HeaderLine);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(curl_);
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
    // `all` owns the Cookie line appended to the caller's list only when
    // the caller passed none; otherwise the caller frees its list (which
    // now includes the line).
    if (headers == nullptr && all != nullptr) curl_slist_free_all(all);
    if (rc != CURLE_OK) {
      r.error = curl_easy_strerror(rc);
      return r;
    }
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &r.status);
    // The jar, as a browser keeps it: Max-Age=0 deletes.
    for (const std::string& c : r.SetCookies()) {
      size_t eq = c.find('='), semi = c.find(';');
      if (eq == std::string::npos) continue;
      std::string name = c.substr(0, eq);
      std::string value = c.substr(eq + 1, semi == std::string::npos ? std::string::npos : semi - eq - 1);
      if (c.find("Max-Age=0") != std::string::npos) {
        jar_.erase(name);
      } else {
        jar_[name] = value;
      }
    }
    return r;
  }

  std::string base_;
  CURL* curl_;
  std::map<std::string, std::string> jar_;
};

}  // namespace shg::testing
