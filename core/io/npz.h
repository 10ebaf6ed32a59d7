#pragma once
// NumPy's .npz archives: a zip file whose members are .npy images named
// "<key>.npy". numpy.savez writes the members stored (uncompressed),
// numpy.savez_compressed deflated; both switch to zip64 records for large
// data. We use libzip for the container, which also checks every member's
// CRC as it is read.

#include <filesystem>
#include <span>
#include <vector>

#include "common/status.h"
#include "io/npy.h"

namespace qs::io {

// Every member, in archive order, named by its key (member name minus
// ".npy"). Errors read "<path>: ..." or "<path>: member 'x.npy': ...".
Result<std::vector<Array>> read_npz(const std::filesystem::path& path);

enum class ZipCompression { kStored, kDeflate };

// Writes the arrays as "<name>.npy" members, atomically: the archive is
// built in a temporary file beside `path` and renamed into place only when
// complete, so a failure leaves any existing file untouched. Names must be
// non-empty and unique.
Status write_npz(const std::filesystem::path& path, std::span<const Array> arrays,
                 ZipCompression compression = ZipCompression::kStored);

}  // namespace qs::io
