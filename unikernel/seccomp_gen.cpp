// Build-time tool: writes the VMM's seccomp allowlist (seccomp.cpp) as raw BPF, which skiff-vmm
// embeds and loads without running libseccomp at start-up.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "seccomp.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: seccomp_gen OUTPUT.bpf\n");
        return 2;
    }
    auto filter = skiff::vmm::build_vmm_filter();
    if (!filter) {
        std::fprintf(stderr, "seccomp_gen: %s\n", filter.error().message.c_str());
        return 1;
    }
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || seccomp_export_bpf(filter->get(), fd) != 0) {
        std::perror(argv[1]);
        return 1;
    }
    return close(fd) == 0 ? 0 : 1;
}
