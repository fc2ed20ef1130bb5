// RESP2/RESP3 reply encoding.
#include "engine/protocol/resp_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace strongbox::engine {

void RespWriter::Header(char type, int64_t n) {
  char buf[32];
  buf[0] = type;
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  (void)ec;
  *end++ = '\r';
  *end++ = '\n';
  out_->append(buf, static_cast<size_t>(end - buf));
}

void RespWriter::SimpleString(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n");
}

void RespWriter::Error(std::string_view message) {
  if (error_observer_ != nullptr) error_observer_->OnErrorReply(message);
  out_->push_back('-');
  // A CR or LF inside an error would break framing; Redis replaces them with spaces.
  for (char c : message) out_->push_back(c == '\r' || c == '\n' ? ' ' : c);
  out_->append("\r\n");
}

void RespWriter::Integer(int64_t value) { Header(':', value); }

void RespWriter::Bulk(std::string_view s) {
  Header('$', static_cast<int64_t>(s.size()));
  out_->append(s);
  out_->append("\r\n");
}

void RespWriter::Null() { out_->append(protocol_version_ >= 3 ? "_\r\n" : "$-1\r\n"); }
void RespWriter::NullArray() { out_->append(protocol_version_ >= 3 ? "_\r\n" : "*-1\r\n"); }
void RespWriter::ArrayHeader(int64_t count) { Header('*', count); }
void RespWriter::MapHeader(int64_t pairs) {
  protocol_version_ >= 3 ? Header('%', pairs) : Header('*', pairs * 2);
}
void RespWriter::SetHeader(int64_t count) { Header(protocol_version_ >= 3 ? '~' : '*', count); }
void RespWriter::PushHeader(int64_t count) { Header(protocol_version_ >= 3 ? '>' : '*', count); }

std::string RespWriter::FormatDouble(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (std::isnan(value)) return "nan";
  char buf[64];
  // %.17g round-trips every double, which keeps logged effects exact.
  int n = std::snprintf(buf, sizeof(buf), "%.17g", value);
  return std::string(buf, static_cast<size_t>(n));
}

void RespWriter::Double(double value) {
  if (protocol_version_ >= 3) {
    out_->push_back(',');
    out_->append(FormatDouble(value));
    out_->append("\r\n");
  } else {
    Bulk(FormatDouble(value));
  }
}

void RespWriter::Boolean(bool value) {
  if (protocol_version_ >= 3) {
    out_->append(value ? "#t\r\n" : "#f\r\n");
  } else {
    Integer(value ? 1 : 0);
  }
}

void RespWriter::Verbatim(std::string_view text) {
  if (protocol_version_ >= 3) {
    Header('=', static_cast<int64_t>(text.size() + 4));
    out_->append("txt:");
    out_->append(text);
    out_->append("\r\n");
  } else {
    Bulk(text);
  }
}

void RespWriter::BigNumber(std::string_view digits) {
  if (protocol_version_ >= 3) {
    out_->push_back('(');
    out_->append(digits);
    out_->append("\r\n");
  } else {
    Bulk(digits);
  }
}

}  // namespace strongbox::engine
