#include "runtime/kernel.h"

namespace qs::runtime {

tl::unexpected<Error> OpContext::error(const std::string& message) const {
  return fail(cat("op #", op_index_, " ", format::op_name(op_.code.builtin), ": ", message));
}

}  // namespace qs::runtime
