#pragma once
// Errors as values. Every failure a user can cause (a bad file, a bad
// argument) comes back as an Error whose message names the file and the
// element at fault; exceptions never cross a module or thread boundary.

#include <sstream>
#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace qs {

struct Error {
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

using Status = Result<void>;

inline tl::unexpected<Error> fail(std::string message) {
  return tl::unexpected<Error>(Error{std::move(message)});
}

// Concatenates anything streamable: cat("tensor ", 3, " has ", n, " bytes").
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

// Prefixes an error with context ("model.tflite: " + message).
Error with_context(const std::string& context, Error error);

}  // namespace qs
