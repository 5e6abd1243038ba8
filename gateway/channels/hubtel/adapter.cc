#include "gateway/channels/hubtel/adapter.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "domain/utf8.h"
#include "gateway/channels/json.h"

namespace shg::channels {
namespace {

constexpr int64_t kMaxSequence = 100000;
constexpr size_t kMaxProviderIdLength = 128;

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// The first member of `*object` whose name equals `key` ignoring ASCII
// case; nullptr when there is none or `object` is null or not an object.
const boost::json::value* FindMember(const boost::json::value* object, std::string_view key) {
  const boost::json::object* members = object != nullptr ? object->if_object() : nullptr;
  if (members == nullptr) return nullptr;
  for (const boost::json::key_value_pair& m : *members) {
    if (EqualsIgnoreCase(m.key(), key)) return &m.value();
  }
  return nullptr;
}

// A string member, or an integer literal in decimal (ids and numbers that
// some senders put in JSON without quotes).
std::optional<std::string> StringOrInteger(const boost::json::value& v) {
  if (const boost::json::string* s = v.if_string()) return std::string(*s);
  if (std::optional<int64_t> n = JsonInt64(&v)) return std::to_string(*n);
  return std::nullopt;
}


Status Missing(std::string_view field) {
  return Status::InvalidArgument("missing field: " + std::string(field));
}
Status Invalid(std::string_view field) {
  return Status::InvalidArgument("invalid value of field: " + std::string(field));
}

enum class Check { kPrintable, kPhone };

// A required short text member (string, or integer literal).
Status ReadShort(const boost::json::value& root, std::string_view field, size_t max_length,
                 Check check, std::string* out) {
  const boost::json::value* v = FindMember(&root, field);
  if (v == nullptr || v->is_null()) return Missing(field);
  std::optional<std::string> s = StringOrInteger(*v);
  if (!s) return Invalid(field);
  if (s->empty()) return Status::InvalidArgument("empty field: " + std::string(field));
  if (s->size() > max_length) {
    return Status::InvalidArgument("field too long: " + std::string(field));
  }
  bool ok = check == Check::kPhone ? IsPhoneChars(*s) : IsPrintableAscii(*s);
  if (!ok) return Status::InvalidArgument("invalid characters in field: " + std::string(field));
  *out = std::move(*s);
  return Status::Ok();
}

std::string FirstLine(std::string_view text) {
  size_t nl = text.find('\n');
  std::string_view line = nl == std::string_view::npos ? text : text.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return std::string(line);
}

http::Response Json(const boost::json::object& body) {
  http::Response r;
  r.status = 200;
  r.content_type = "application/json";
  r.body = boost::json::serialize(body);
  return r;
}

// Hubtel's Status in a send reply: at the top level, else under Data.
std::optional<int64_t> ReplyStatus(const boost::json::value& root) {
  for (const boost::json::value* scope : {&root, FindMember(&root, "Data")}) {
    if (const boost::json::value* s = FindMember(scope, "Status")) return JsonInteger(s, 18);
  }
  return std::nullopt;
}

std::string ReplyMessageId(const boost::json::value& root) {
  for (const boost::json::value* scope : {&root, FindMember(&root, "Data")}) {
    if (const boost::json::value* id = FindMember(scope, "MessageId")) {
      std::optional<std::string> s = StringOrInteger(*id);
      if (s && s->size() <= kMaxProviderIdLength && IsPrintableAscii(*s)) return *s;
      return "";
    }
  }
  return "";
}

class HubtelAdapter final : public Adapter {
 public:
  explicit HubtelAdapter(config::ChannelSettings settings) : Adapter(std::move(settings)) {}

  Result<UssdCallback> ParseUssd(const http::Request& request, bool end_route) const override {
    if (end_route) return Status::NotFound("hubtel ends USSD sessions on the ussd route");
    if (request.body.size() > kHubtelMaxBodyBytes) {
      return Status::InvalidArgument("body too large");
    }
    JsonLimits limits;
    limits.max_bytes = kHubtelMaxBodyBytes;
    limits.max_depth = 8;
    Result<boost::json::value> parsed = ParseJson(request.body, limits);
    if (!parsed.ok()) return Status::InvalidArgument("malformed JSON body");
    const boost::json::value& root = *parsed;
    if (!root.is_object()) return Status::InvalidArgument("JSON body is not an object");

    const boost::json::value* type_value = FindMember(&root, "Type");
    if (type_value == nullptr || type_value->is_null()) return Missing("Type");
    if (!type_value->is_string()) return Invalid("Type");
    const std::string_view type = type_value->get_string();
    enum class Kind { kInitiation, kResponse, kRelease, kTimeout } kind;
    if (EqualsIgnoreCase(type, "Initiation")) {
      kind = Kind::kInitiation;
    } else if (EqualsIgnoreCase(type, "Response")) {
      kind = Kind::kResponse;
    } else if (EqualsIgnoreCase(type, "Release")) {
      kind = Kind::kRelease;
    } else if (EqualsIgnoreCase(type, "Timeout")) {
      kind = Kind::kTimeout;
    } else {
      return Status::InvalidArgument("unknown value of field: Type");
    }

    UssdCallback cb;
    std::string session_id;
    SHG_RETURN_IF_ERROR(
        ReadShort(root, "SessionId", kHubtelMaxSessionIdLength, Check::kPrintable, &session_id));
    if (kind == Kind::kRelease || kind == Kind::kTimeout) {
      cb.kind = UssdCallback::Kind::kEnded;
      cb.session_id = std::move(session_id);
      cb.end_status = kind == Kind::kRelease ? "release" : "timeout";
      return cb;
    }

    UssdRequest& req = cb.request;
    cb.kind = UssdCallback::Kind::kStep;
    req.session_id = std::move(session_id);
    SHG_RETURN_IF_ERROR(
        ReadShort(root, "Mobile", kHubtelMaxMobileLength, Check::kPhone, &req.phone));
    SHG_RETURN_IF_ERROR(ReadShort(root, "ServiceCode", kHubtelMaxServiceCodeLength,
                                  Check::kPrintable, &req.service_code));

    const boost::json::value* seq = FindMember(&root, "Sequence");
    if (seq == nullptr || seq->is_null()) return Missing("Sequence");
    std::optional<int64_t> sequence = JsonInteger(seq, 18);
    if (!sequence || *sequence < 1 || *sequence > kMaxSequence) return Invalid("Sequence");
    req.step = static_cast<int>(*sequence - 1);

    if (kind == Kind::kResponse) {
      const boost::json::value* message = FindMember(&root, "Message");
      if (message == nullptr || message->is_null()) return Missing("Message");
      std::optional<std::string> input = StringOrInteger(*message);
      if (!input) return Invalid("Message");
      if (input->size() > kHubtelMaxMessageBytes) {
        return Status::InvalidArgument("field too long: Message");
      }
      req.input = std::move(*input);
    }

    // A cosmetic field (metrics label): a bad one is dropped, not fatal.
    if (const boost::json::value* op = FindMember(&root, "Operator");
        op != nullptr && op->is_string()) {
      const std::string_view name = op->get_string();
      if (!name.empty() && name.size() <= kHubtelMaxOperatorLength && IsPrintableAscii(name)) {
        req.network = name;
      }
    }
    req.channel = id();
    return cb;
  }

  http::Response FormatUssd(const UssdCallback& callback, const UssdReply& reply) const override {
    if (callback.kind == UssdCallback::Kind::kEnded) {
      return Json({{"SessionId", callback.session_id}, {"Type", "Release"}, {"Message", ""}});
    }
    // Screens name members (free text): the body must stay valid UTF-8.
    const std::string text = SanitizeUtf8(reply.text);
    return Json({{"SessionId", callback.request.session_id},
                 {"Type", reply.end ? "Release" : "Response"},
                 {"Message", text},
                 {"Label", FirstLine(text)},
                 {"DataType", reply.end ? "display" : "input"},
                 {"FieldType", "text"}});
  }

  HttpCall BuildSend(const OutboundSms& sms) const override {
    std::string base = settings_.api_base_url.empty() ? kHubtelDefaultApiBase
                                                      : settings_.api_base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    HttpCall call;
    call.method = "POST";
    call.url = base + "/v1/messages/send";
    call.headers = {{"Accept", "application/json"}};
    call.content_type = "application/json";
    call.basic_user = settings_.username;
    call.basic_password = settings_.secret;
    boost::json::object body;
    if (!settings_.sender.empty()) body["From"] = settings_.sender;
    body["To"] = sms.to;
    body["Content"] = SanitizeUtf8(sms.text);  // free text, see FormatUssd
    body["RegisteredDelivery"] = true;
    body["ClientReference"] = std::to_string(sms.message_id);
    call.body = boost::json::serialize(body);
    return call;
  }

  SendResult ClassifySend(const HttpOutcome& o) const override {
    SendResult r;
    if (ClassifyCommon(o, &r)) return r;
    const std::string code = "HTTP " + std::to_string(o.status);
    JsonLimits limits;
    limits.max_bytes = 64 * 1024;
    limits.max_depth = 8;
    Result<boost::json::value> parsed = ParseJson(o.body, limits);
    std::optional<int64_t> status;
    if (parsed.ok() && parsed->is_object()) status = ReplyStatus(*parsed);
    if (o.status >= 200 && o.status < 300) {
      if (!status) return {SendClass::kPermanent, "", code + " unexpected reply", 0};
      if (*status == 0) return {SendClass::kAccepted, ReplyMessageId(*parsed), "accepted", 0};
      return {SendClass::kPermanent, "", "Hubtel status " + std::to_string(*status), 0};
    }
    std::string reason = code + " rejected";
    if (status) reason += " (Hubtel status " + std::to_string(*status) + ")";
    return {SendClass::kPermanent, "", std::move(reason), 0};
  }
};

}  // namespace

std::unique_ptr<Adapter> MakeHubtelAdapter(const config::ChannelSettings& settings) {
  return std::make_unique<HubtelAdapter>(settings);
}

}  // namespace shg::channels
