// Version and git commit of the build (written into every manifest).
#pragma once

namespace hat {
const char* version();
const char* git_commit();
}  // namespace hat
