// A blocking HTTP client over libcurl for integration tests: real loopback
// HTTP to a real server. Not thread-safe per instance (one easy handle,
// reused so keep-alive works as a provider's client would).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace shg::testing {

struct HttpResult {
  long status = 0;       // 0 when the request failed below HTTP
  std::string body;
  std::string content_type;
  std::string error;     // curl's message when status == 0
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `extra_headers` are "Name: value" lines.
  HttpResult Get(const std::string& url, const std::vector<std::string>& extra_headers = {});
  // application/x-www-form-urlencoded; values are url-encoded here.
  // `extra_headers` are "Name: value" lines.
  HttpResult PostForm(const std::string& url,
                      const std::vector<std::pair<std::string, std::string>>& fields,
                      const std::vector<std::string>& extra_headers = {});
  HttpResult PostRaw(const std::string& url, const std::string& body, const std::string& content_type,
                     const std::vector<std::string>& extra_headers = {});

 private:
  void* curl_;
};

}  // namespace shg::testing
