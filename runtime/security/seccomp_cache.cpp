// A cache of compiled seccomp programs. libseccomp needs ~2 ms of CPU for a docker-sized
// profile on x86-64 alone and ~15 ms with the x86 and x32 architectures engines add, far more
// than the rest of a container start; engines pass the same profile to every container, so
// after the first start the program is read back from a file instead.
//
// Trust: a cached program is what the container gets, so the file must be ours and the key
// stored in it must equal, byte for byte, the key of the profile asked for (the file name is
// only a hash of it; a collision is a miss, never a wrong filter). Files and directory not
// owned by us or writable by others are ignored.
#include <fcntl.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "security/security.hpp"

namespace skiff::runtime::security {
namespace {

constexpr char kMagic[8] = {'S', 'K', 'S', 'E', 'C', 'C', '1', '\n'};

void put_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void put_str(std::string& out, const std::string& s) {
    put_u32(out, static_cast<uint32_t>(s.size()));
    out += s;
}
void put_u64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
void put_opt(std::string& out, const std::optional<uint32_t>& v) {
    out += v ? '\1' : '\0';
    put_u32(out, v.value_or(0));
}

// Bump whenever compile_seccomp would produce a different program for the same profile, so
// programs cached by an older skiff are not reused.
constexpr uint32_t kCompilerGeneration = 2; // 2: per-arch programs + ENOSYS stub

// Everything the compiled program depends on, length-prefixed so no two inputs share a key.
std::string cache_key(const oci::Seccomp& p) {
    std::string k;
    put_u32(k, kCompilerGeneration);
    const scmp_version* v = seccomp_version();
    put_u32(k, v->major);
    put_u32(k, v->minor);
    put_u32(k, v->micro);
    put_u32(k, seccomp_arch_native());
    put_str(k, p.default_action);
    put_opt(k, p.default_errno_ret);
    put_u32(k, static_cast<uint32_t>(p.architectures.size()));
    for (const auto& a : p.architectures) put_str(k, a);
    put_u32(k, static_cast<uint32_t>(p.flags.size()));
    for (const auto& f : p.flags) put_str(k, f);
    put_str(k, p.listener_path);
    put_str(k, p.listener_metadata);
    put_u32(k, static_cast<uint32_t>(p.syscalls.size()));
    for (const auto& s : p.syscalls) {
        put_u32(k, static_cast<uint32_t>(s.names.size()));
        for (const auto& n : s.names) put_str(k, n);
        put_str(k, s.action);
        put_opt(k, s.errno_ret);
        put_u32(k, static_cast<uint32_t>(s.args.size()));
        for (const auto& a : s.args) {
            put_u32(k, a.index);
            put_u64(k, a.value);
            put_u64(k, a.value_two);
            put_str(k, a.op);
        }
    }
    return k;
}

std::string file_name(const std::string& key) {
    uint64_t h = 1469598103934665603ull; // FNV-1a: a name, not a check (the key is compared)
    for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
    char buf[32];
    snprintf(buf, sizeof buf, "%016llx.bpf", static_cast<unsigned long long>(h));
    return buf;
}

bool trusted(const struct stat& st) { return st.st_uid == geteuid() && !(st.st_mode & 022); }

bool read_all(int fd, std::string& out, size_t size) {
    out.resize(size);
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(fd, out.data() + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

// File: magic, key (u32 length + bytes), flags u32, wants_listener u8, bpf (u32 length + bytes).
std::optional<SeccompProgram> load_cached(const std::string& path, const std::string& key) {
    int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    struct Closer {
        int fd;
        ~Closer() { close(fd); }
    } closer{fd};
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !trusted(st)) return std::nullopt;
    std::string data;
    if (!read_all(fd, data, static_cast<size_t>(st.st_size))) return std::nullopt;

    size_t pos = 0;
    auto take = [&](size_t n) -> const char* {
        if (data.size() - pos < n) return nullptr;
        const char* p = data.data() + pos;
        pos += n;
        return p;
    };
    auto take_u32 = [&](uint32_t& v) {
        const char* p = take(4);
        if (p) std::memcpy(&v, p, 4);
        return p != nullptr;
    };
    const char* magic = take(sizeof kMagic);
    if (!magic || std::memcmp(magic, kMagic, sizeof kMagic) != 0) return std::nullopt;
    uint32_t key_len = 0, flags = 0, bpf_len = 0;
    if (!take_u32(key_len) || key_len != key.size()) return std::nullopt;
    const char* stored_key = take(key_len);
    if (!stored_key || std::memcmp(stored_key, key.data(), key_len) != 0) return std::nullopt;
    const char* listener = nullptr;
    if (!take_u32(flags) || !(listener = take(1)) || !take_u32(bpf_len)) return std::nullopt;
    const char* bpf = take(bpf_len);
    if (!bpf || pos != data.size() || bpf_len == 0 || bpf_len % 8 != 0) return std::nullopt;

    SeccompProgram program;
    program.flags = flags;
    program.wants_listener = *listener != 0;
    program.bpf.assign(bpf, bpf + bpf_len);
    return program;
}

// Best effort: a cache that cannot be written only costs the next start a compile.
void store(const std::string& dir, const std::string& name, const std::string& key,
           const SeccompProgram& program) {
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return;
    struct stat st;
    if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || !trusted(st)) return;

    std::string data(kMagic, sizeof kMagic);
    put_str(data, key);
    put_u32(data, program.flags);
    data += program.wants_listener ? '\1' : '\0';
    put_u32(data, static_cast<uint32_t>(program.bpf.size()));
    data.append(reinterpret_cast<const char*>(program.bpf.data()), program.bpf.size());

    // Written under a private name and renamed, so readers never see half a file.
    const std::string final_path = dir + "/" + name;
    const std::string tmp = final_path + ".tmp." + std::to_string(getpid());
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return;
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<size_t>(n);
    }
    bool written = done == data.size();
    if (close(fd) != 0) written = false;
    if (!written || rename(tmp.c_str(), final_path.c_str()) != 0) unlink(tmp.c_str());
}

} // namespace

Result<SeccompProgram> compile_seccomp_cached(const oci::Seccomp& profile,
                                              const std::string& cache_dir) {
    if (cache_dir.empty() || (profile.default_action.empty() && profile.syscalls.empty()))
        return compile_seccomp(profile);
    const std::string key = cache_key(profile);
    const std::string name = file_name(key);
    if (auto hit = load_cached(cache_dir + "/" + name, key)) {
        hit->listener_path = profile.listener_path;
        hit->listener_metadata = profile.listener_metadata;
        return std::move(*hit);
    }
    auto program = SKIFF_TRY(compile_seccomp(profile));
    store(cache_dir, name, key, program);
    return program;
}

} // namespace skiff::runtime::security
