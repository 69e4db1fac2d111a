// A small self-contained JSON reader for the command files that wabt's wast2json writes.
//
// Strings are decoded to UTF-8 (\uXXXX escapes, including surrogate pairs, become UTF-8; a
// \u0000 escape becomes a NUL byte inside the std::string). Numbers keep their source text so
// that callers can parse integers without going through a double. Objects keep their key order.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spec::json {

class ParseError : public std::runtime_error {
 public:
  ParseError(size_t line, size_t column, const std::string& what);
  size_t line() const { return line_; }
  size_t column() const { return column_; }

 private:
  size_t line_;
  size_t column_;
};

class Value {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };
  using Array = std::vector<Value>;
  using Object = std::vector<std::pair<std::string, Value>>;

  Value() = default;
  static Value null() { return Value(); }
  static Value boolean(bool b);
  static Value number(std::string text);
  static Value string(std::string s);
  static Value array(Array a);
  static Value object(Object o);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_number() const { return kind_ == Kind::Number; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_array() const { return kind_ == Kind::Array; }
  bool is_object() const { return kind_ == Kind::Object; }

  bool as_bool() const;                 // throws std::logic_error on the wrong kind
  const std::string& as_string() const; // string contents, or a number's source text
  const Array& as_array() const;
  const Object& as_object() const;
  double as_double() const;             // numbers only
  long long as_int() const;             // numbers only; throws when not an exact integer

  // Object member lookup; nullptr when absent or when this is not an object.
  const Value* find(std::string_view key) const;
  // Member as a string, or `fallback` when absent or not a string.
  std::string get_string(std::string_view key, std::string_view fallback = {}) const;
  // Member as an integer, or `fallback` when absent or not a number.
  long long get_int(std::string_view key, long long fallback = 0) const;

 private:
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  std::string text_;  // String contents or Number source text
  std::shared_ptr<Array> array_;
  std::shared_ptr<Object> object_;
};

// Parses a whole document (one value, surrounded by optional whitespace). Throws ParseError.
Value parse(std::string_view text);
// Reads and parses a file. Throws ParseError, or std::runtime_error when it cannot be read.
Value parse_file(const std::string& path);

const char* kind_name(Value::Kind k);

}  // namespace spec::json
