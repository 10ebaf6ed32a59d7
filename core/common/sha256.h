#pragma once
// SHA-256 of a file, as lowercase hex: how stats files and reports name the
// exact model they belong to. OpenSSL's libcrypto does the hashing.

#include <filesystem>
#include <span>
#include <string>

#include "common/status.h"

namespace qs {

Result<std::string> sha256_file(const std::filesystem::path& path);
std::string sha256_hex(std::span<const std::byte> bytes);

}  // namespace qs
