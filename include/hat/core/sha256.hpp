// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits: the checksum that run
// manifests record for every input and output file.
#pragma once

#include <string>
#include <string_view>

namespace hat {

std::string sha256_hex(std::string_view bytes);

// For the tests: the portable computation, and whether sha256_hex() uses the processor's SHA
// instructions instead.
std::string sha256_hex_portable(std::string_view bytes);
bool sha256_has_hardware();

}  // namespace hat
