// Encodes replies in RESP2 or RESP3 (chosen per client by HELLO) into an output buffer.
// Handlers only ever talk to this class, so protocol-version differences live in one place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strongbox::engine {

// Told of every error reply a writer encodes (INFO errorstats counts them).
class ErrorObserver {
 public:
  virtual ~ErrorObserver() = default;
  virtual void OnErrorReply(std::string_view message) = 0;
};

class RespWriter {
 public:
  explicit RespWriter(std::string* out, int protocol_version = 2)
      : out_(out), protocol_version_(protocol_version) {}

  int protocol_version() const { return protocol_version_; }
  void set_protocol_version(int version) { protocol_version_ = version; }
  std::string* buffer() { return out_; }
  void set_error_observer(ErrorObserver* observer) { error_observer_ = observer; }

  void SimpleString(std::string_view s);  // +OK
  // `message` must start with an error code, e.g. "ERR syntax error", "WRONGTYPE ...".
  void Error(std::string_view message);
  void Integer(int64_t value);
  void Bulk(std::string_view s);
  void Null();                      // RESP2: $-1, RESP3: _
  void NullArray();                 // RESP2: *-1, RESP3: _
  void ArrayHeader(int64_t count);  // *N
  void MapHeader(int64_t pairs);    // RESP3: %N, RESP2: *2N
  void SetHeader(int64_t count);    // RESP3: ~N, RESP2: *N
  void PushHeader(int64_t count);   // RESP3: >N, RESP2: *N
  // RESP3: ,<double>; RESP2: bulk string. Formatting follows Redis (inf, -inf, %.17g).
  void Double(double value);
  void Boolean(bool value);                 // RESP3: #t/#f, RESP2: :1/:0
  void Verbatim(std::string_view text);     // RESP3: =N\r\ntxt:..., RESP2: bulk
  void BigNumber(std::string_view digits);  // RESP3: (, RESP2: bulk

  // Redis's canonical double formatting used in replies and logged effects.
  static std::string FormatDouble(double value);

 private:
  void Header(char type, int64_t n);
  std::string* out_;
  int protocol_version_;
  ErrorObserver* error_observer_ = nullptr;
};

}  // namespace strongbox::engine
