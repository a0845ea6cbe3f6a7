#pragma once
// Which malloc serves this process, for `vikno version` and the start line of `vikno serve`: the build
// links jemalloc ahead of libc (VIKNO_JEMALLOC), and an operator who rebuilt without it, or preloads
// another allocator, should see which one runs rather than guess from a profile.

#include <dlfcn.h>

namespace vikno::gateway::cli {

inline const char* allocator_name() {
    // mallctl is jemalloc's own entry point; glibc has none of that name.
    return dlsym(RTLD_DEFAULT, "mallctl") != nullptr ? "jemalloc" : "glibc malloc";
}

}  // namespace vikno::gateway::cli
