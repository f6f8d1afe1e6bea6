// The two SHA-256 computations (portable and, where the processor has them, the SHA
// instructions) give the same digest for every message length around the block and padding
// boundaries and for a long message; the portable one is checked against the FIPS 180-4
// vectors in test_cli_contract.cpp (Sha256.NistVectors), which go through sha256_hex().
#include <gtest/gtest.h>

#include <string>

#include "hat/core/sha256.hpp"

TEST(Sha256, HardwareAndPortableAgree) {
  if (!hat::sha256_has_hardware()) GTEST_SKIP() << "no SHA instructions on this processor";
  std::string msg;
  unsigned x = 12345;
  for (int n = 0; n <= 300; ++n) {
    EXPECT_EQ(hat::sha256_hex(msg), hat::sha256_hex_portable(msg)) << "length " << n;
    x = x * 1103515245u + 12345u;
    msg.push_back(static_cast<char>(x >> 16));
  }
  msg.resize(1 << 20);
  for (size_t i = 300; i < msg.size(); ++i) msg[i] = static_cast<char>(i * 2654435761u >> 24);
  EXPECT_EQ(hat::sha256_hex(msg), hat::sha256_hex_portable(msg));
  EXPECT_EQ(hat::sha256_hex_portable("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
