#include "common/status.h"

namespace qs {

Error with_context(const std::string& context, Error error) {
  error.message = context + ": " + error.message;
  return error;
}

}  // namespace qs
