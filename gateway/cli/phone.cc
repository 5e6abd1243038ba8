#include "gateway/cli/phone.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <string_view>
#include <utility>

namespace shg::cli {
namespace {

constexpr char kUsage[] =
    "usage: shg-gateway phone --phone MSISDN [--url http://127.0.0.1:8080] [--channel at-ke]\n"
    "                         [--key SECRET] [--service-code *384*7#] [--network-code 63902]\n"
    "  --phone         the simulated phone's number, e.g. +254700000001 (required)\n"
    "  --url           gateway base URL, http:// or https:// (default http://127.0.0.1:8080)\n"
    "  --channel       Africa's Talking channel id; posts to /channels/ID/ussd (default at-ke)\n"
    "  --key           the channel's callback secret, sent as ?key=SECRET (default none)\n"
    "  --service-code  the USSD code dialled (default *384*7#)\n"
    "  --network-code  networkCode sent with each request (default 63902)\n"
    "At a CON screen type your reply and press Enter; 'q' quits.\n";

constexpr long kConnectTimeoutMs = 5000;
constexpr long kTotalTimeoutMs = 15000;
constexpr size_t kMaxBodyBytes = 1 << 20;
constexpr size_t kScreenWidth = 30;  // characters inside the display frame

Status Usage(const std::string& problem) { return Status::InvalidArgument(problem + "\n" + kUsage); }

bool ValidChannel(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

bool ValidPhone(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  return s.size() >= 5 && s.size() <= 15 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// application/x-www-form-urlencoded, as browsers and Africa's Talking send it.
std::string FormEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '*' || c == '-' || c == '.' || c == '_') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string Trim(std::string s) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  s.erase(s.begin(), std::find_if_not(s.begin(), s.end(), space));
  s.erase(std::find_if_not(s.rbegin(), s.rend(), space).base(), s.end());
  return s;
}

std::string NewSessionId() {
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(v));
  return std::string("sim-") + hex;
}

// --- Screen rendering ------------------------------------------------------

// Splits UTF-8 text into code points (each a view of 1-4 bytes), so that
// wrapping and padding count characters, not bytes.
std::vector<std::string_view> CodePoints(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t n = 1;
    while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// Word-wraps one line to at most `width` code points per row.
std::vector<std::vector<std::string_view>> Wrap(std::string_view line, size_t width) {
  std::vector<std::string_view> cps = CodePoints(line);
  std::vector<std::vector<std::string_view>> rows;
  size_t start = 0;
  while (cps.size() - start > width) {
    size_t cut = start + width;  // break after the last space that fits
    for (size_t i = start + width; i > start; --i) {
      if (cps[i] == " ") {
        cut = i;
        break;
      }
    }
    rows.emplace_back(cps.begin() + static_cast<std::ptrdiff_t>(start), cps.begin() + static_cast<std::ptrdiff_t>(cut));
    start = cut;
    while (start < cps.size() && cps[start] == " ") ++start;
  }
  rows.emplace_back(cps.begin() + static_cast<std::ptrdiff_t>(start), cps.end());
  return rows;
}

void PrintScreen(std::ostream& out, std::string_view text, bool con) {
  const std::string border = "  +" + std::string(kScreenWidth + 2, '-') + "+\n";
  out << "\n" << border;
  std::string_view rest = text;
  while (true) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (const auto& row : Wrap(line, kScreenWidth)) {
      out << "  | ";
      for (std::string_view cp : row) out << cp;
      out << std::string(kScreenWidth - row.size(), ' ') << " |\n";
    }
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  out << border;
  out << "  " << (con ? "CON" : "END") << ", " << CodePoints(text).size() << "/160 characters"
      << (con ? "  (reply, or q to quit)" : "  (session ended)") << "\n";
}

// --- HTTP ------------------------------------------------------------------

void CurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  size_t n = size * count;
  if (body->size() + n > kMaxBodyBytes) return 0;  // aborts the transfer
  body->append(data, n);
  return n;
}

struct HttpAnswer {
  long status = 0;
  std::string body;
};

class Client {
 public:
  explicit Client(std::string url) : url_(std::move(url)) {
    CurlGlobalInit();
    curl_ = curl_easy_init();
  }
  ~Client() {
    if (curl_) curl_easy_cleanup(curl_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // POSTs a form body; the connection is reused between calls (keep-alive).
  Result<HttpAnswer> PostForm(const std::string& form) {
    if (!curl_) return Status::Internal("curl_easy_init failed");
    HttpAnswer answer;
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, kTotalTimeoutMs);
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, "shg-gateway-phone");
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(form.size()));
    curl_easy_setopt(curl_, CURLOPT_COPYPOSTFIELDS, form.c_str());  // application/x-www-form-urlencoded
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &AppendBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer.body);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
    CURLcode rc = curl_easy_perform(curl_);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);
    if (rc != CURLE_OK) {
      std::string message = error[0] ? error : curl_easy_strerror(rc);
      return Status::Unavailable(message);
    }
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &answer.status);
    return answer;
  }

 private:
  std::string url_;
  CURL* curl_ = nullptr;
};

std::string BaseUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Reads one line; false on end of input.
bool ReadLine(std::istream& in, std::string* line) {
  if (!std::getline(in, *line)) return false;
  *line = Trim(*line);
  return true;
}

}  // namespace

const char* PhoneUsage() { return kUsage; }

Result<PhoneOptions> ParsePhoneArgs(const std::vector<std::string>& args) {
  PhoneOptions o;
  // Help wins over any mistake next to it: it is how one finds the right flags.
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      PhoneOptions help;
      help.help = true;
      return help;
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    if (flag.rfind("--", 0) != 0) return Usage("unexpected argument '" + flag + "'");
    std::string value;
    if (size_t eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    } else if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
      value = args[++i];
    } else {
      return Usage("missing value for " + flag);
    }
    if (flag == "--url") {
      o.url = value;
    } else if (flag == "--channel") {
      o.channel = value;
    } else if (flag == "--phone") {
      o.phone = value;
    } else if (flag == "--key") {
      o.key = value;
    } else if (flag == "--service-code") {
      o.service_code = value;
    } else if (flag == "--network-code") {
      o.network_code = value;
    } else {
      return Usage("unknown flag " + flag);
    }
  }
  if (o.phone.empty()) return Usage("--phone is required");
  if (!ValidPhone(o.phone)) return Usage("--phone must be digits with an optional leading '+', e.g. +254700000001");
  if (o.url.rfind("http://", 0) != 0 && o.url.rfind("https://", 0) != 0) {
    return Usage("--url must start with http:// or https://");
  }
  if (o.url.find_first_of("?# ") != std::string::npos) return Usage("--url must not contain a query");
  if (!ValidChannel(o.channel)) return Usage("--channel must be letters, digits, '-' or '_'");
  if (o.service_code.empty()) return Usage("--service-code must not be empty");
  return o;
}

int RunPhone(const PhoneOptions& options, std::istream& in, std::ostream& out) {
  const std::string endpoint = BaseUrl(options.url) + "/channels/" + options.channel + "/ussd";
  Client client(options.key.empty() ? endpoint : endpoint + "?key=" + FormEncode(options.key));
  const std::string fixed_fields = "&serviceCode=" + FormEncode(options.service_code) +
                                   "&phoneNumber=" + FormEncode(options.phone) +
                                   "&networkCode=" + FormEncode(options.network_code) + "&text=";
  while (true) {
    const std::string session_id = NewSessionId();
    out << "Dialling " << options.service_code << " from " << options.phone << " (session " << session_id
        << ", POST " << endpoint << ")\n";
    std::string text;  // all inputs so far, joined with '*'
    while (true) {
      Result<HttpAnswer> answer = client.PostForm("sessionId=" + FormEncode(session_id) + fixed_fields +
                                                  FormEncode(text));
      if (!answer.ok()) {
        out << "Network error: " << answer.status().message() << " (POST " << endpoint << ")\n";
        return 1;
      }
      const std::string& body = answer->body;
      if (answer->status != 200) {
        out << "HTTP " << answer->status << " from POST " << endpoint << "\n";
        out << (body.empty() ? "(empty body)" : body) << "\n";
        return 1;
      }
      const bool con = body.rfind("CON ", 0) == 0;
      const bool end = body.rfind("END ", 0) == 0;
      if (!con && !end) {
        out << "Unexpected answer (must start with \"CON \" or \"END \"; a real network would drop the "
               "session):\n"
            << body << "\n";
        return 1;
      }
      PrintScreen(out, std::string_view(body).substr(4), con);
      if (end) break;
      std::string input;
      while (true) {
        out << "> " << std::flush;
        if (!ReadLine(in, &input)) {
          out << "\n";
          return 0;
        }
        if (input == "q" || input == "Q") {
          out << "Hung up.\n";
          return 0;
        }
        if (!input.empty()) break;
      }
      // Africa's Talking semantics: text carries every input of the session.
      // Inputs are never empty here, so an empty text means "no input yet".
      if (!text.empty()) text += '*';
      text += input;
    }
    out << "Dial again? [y/N] " << std::flush;
    std::string again;
    if (!ReadLine(in, &again)) {
      out << "\n";
      return 0;
    }
    if (again != "y" && again != "Y" && again != "yes") return 0;
  }
}

}  // namespace shg::cli
