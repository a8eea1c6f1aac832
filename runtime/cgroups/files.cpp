// Reading and writing cgroup interface files, making and removing cgroup directories.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>

#include "cgroups/internal.hpp"

namespace skiff::runtime::cgroups::detail {

std::string join(const std::string& dir, const std::string& name) {
    if (dir.empty()) return name;
    if (dir.back() == '/') return dir + name;
    return dir + "/" + name;
}

namespace {

// 0 or the errno of the failed open/read.
int read_all(const std::string& path, std::string& out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            return err;
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return 0;
}

} // namespace

void sleep_us(long us) {
    timespec ts{us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

Result<std::string> read_file(const std::string& path) {
    std::string out;
    if (int err = read_all(path, out)) return errno_error("read " + path, err);
    return out;
}

Result<std::optional<std::string>> read_optional(const std::string& path) {
    std::string out;
    int err = read_all(path, out);
    if (err == ENOENT) return std::optional<std::string>{};
    if (err) return errno_error("read " + path, err);
    return std::optional<std::string>{std::move(out)};
}

Result<void> write_file(const std::string& path, const std::string& value,
                        const std::string& field) {
    const std::string prefix = field.empty() ? "" : field + ": ";
    // O_TRUNC is ignored by cgroupfs; it keeps a plain-file tree (tests) equal to the last write.
    int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        return Error{prefix + "open " + path + ": " + std::strerror(err), err};
    }
    ssize_t n;
    do {
        n = ::write(fd, value.data(), value.size());
    } while (n < 0 && errno == EINTR);
    int err = errno;
    ::close(fd);
    if (n < 0)
        return Error{prefix + "write " + path + " \"" + value + "\": " + std::strerror(err), err};
    if (static_cast<size_t>(n) != value.size())
        return Error{prefix + "write " + path + " \"" + value + "\": short write", EIO};
    return ok();
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\n");
    if (b == std::string::npos) return {};
    size_t e = s.find_last_not_of(" \t\n");
    return s.substr(b, e - b + 1);
}

std::vector<std::string> split_ws(const std::string& s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
        size_t b = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') ++i;
        if (i > b) out.push_back(s.substr(b, i - b));
    }
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v)
        if (x == s) return true;
    return false;
}

std::map<std::string, uint64_t> parse_flat_keyed(const std::string& text) {
    std::map<std::string, uint64_t> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        size_t sp = line.find(' ');
        if (sp == std::string::npos) continue;
        out[line.substr(0, sp)] = std::strtoull(line.c_str() + sp + 1, nullptr, 10);
    }
    return out;
}

Result<void> mkdir_p(const std::string& path, std::vector<std::string>& created) {
    if (::mkdir(path.c_str(), 0755) == 0) {
        created.push_back(path);
        return ok();
    }
    if (errno == EEXIST) {
        struct stat st;
        if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return ok();
        return Error{"mkdir " + path + ": exists and is not a directory", EEXIST};
    }
    if (errno != ENOENT) return errno_error("mkdir " + path);
    size_t slash = path.find_last_of('/');
    if (slash == 0 || slash == std::string::npos) return errno_error("mkdir " + path);
    SKIFF_CHECK(mkdir_p(path.substr(0, slash), created));
    if (::mkdir(path.c_str(), 0755) != 0) {
        if (errno == EEXIST) return ok(); // made concurrently by another runtime
        return errno_error("mkdir " + path);
    }
    created.push_back(path);
    return ok();
}

Result<void> remove_cgroup_tree(const std::string& path) {
    // Most cgroups have no children: then one rmdir is the whole job.
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return ok();
    if (errno != EBUSY && errno != ENOTEMPTY) return errno_error("rmdir " + path);
    if (DIR* d = ::opendir(path.c_str())) {
        std::vector<std::string> children;
        while (dirent* e = ::readdir(d)) {
            if (e->d_type != DT_DIR) continue;
            std::string n = e->d_name;
            if (n == "." || n == "..") continue;
            children.push_back(join(path, n));
        }
        ::closedir(d);
        for (const auto& c : children) SKIFF_CHECK(remove_cgroup_tree(c));
    } else if (errno == ENOENT) {
        return ok();
    } else {
        return errno_error("opendir " + path);
    }
    // Tasks that were just killed leave the cgroup only once the kernel has finished their exit;
    // retry for up to about 2 s before reporting the cgroup as busy.
    long delay = 100, waited = 0;
    for (;;) {
        if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return ok();
        if (errno != EBUSY || waited > 2000000) break;
        sleep_us(delay);
        waited += delay;
        delay = delay < 100000 ? delay * 2 : delay;
    }
    int err = errno;
    if (err == EBUSY) {
        std::vector<pid_t> left;
        (void)collect_pids(path, left);
        std::string list;
        for (size_t i = 0; i < left.size() && i < 8; ++i)
            list += (i ? " " : "") + std::to_string(left[i]);
        return Error{"rmdir " + path + ": " + std::strerror(err) + " (processes still in it: " +
                         (list.empty() ? "none listed, still exiting" : list) + ")",
                     err};
    }
    return errno_error("rmdir " + path, err);
}

void remove_created(const std::vector<std::string>& created) {
    for (auto it = created.rbegin(); it != created.rend(); ++it) ::rmdir(it->c_str());
}

Result<void> collect_pids(const std::string& dir, std::vector<pid_t>& out) {
    auto procs = SKIFF_TRY(read_optional(join(dir, "cgroup.procs")));
    if (!procs) return ok(); // removed meanwhile
    for (const auto& tok : split_ws(*procs)) out.push_back(static_cast<pid_t>(std::atoi(tok.c_str())));
    DIR* d = ::opendir(dir.c_str());
    if (!d) return errno == ENOENT ? ok() : Result<void>(errno_error("opendir " + dir));
    std::vector<std::string> children;
    while (dirent* e = ::readdir(d)) {
        if (e->d_type != DT_DIR) continue;
        std::string n = e->d_name;
        if (n != "." && n != "..") children.push_back(join(dir, n));
    }
    ::closedir(d);
    for (const auto& c : children) SKIFF_CHECK(collect_pids(c, out));
    return ok();
}

} // namespace skiff::runtime::cgroups::detail
