#include "store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace skiff::skiffcli {

std::string containers_dir(const std::string& root) { return root + "/containers"; }
std::string container_dir(const std::string& root, const std::string& id) {
    return containers_dir(root) + "/" + id;
}
std::string record_path(const std::string& root, const std::string& id) {
    return container_dir(root, id) + "/container.json";
}
std::string log_path(const std::string& root, const std::string& id) {
    return container_dir(root, id) + "/container.log";
}
std::string monitor_lock_path(const std::string& root, const std::string& id) {
    return container_dir(root, id) + "/monitor.lock";
}

namespace {

std::string names_dir(const std::string& root) { return root + "/names"; }

Error no_such(const std::string& ref) { return Error{"No such container: " + ref, ENOENT}; }

bool is_hex(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
}

std::vector<std::string> list_ids(const std::string& root) {
    std::vector<std::string> ids;
    DIR* d = ::opendir(containers_dir(root).c_str());
    if (!d) return ids;
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n.size() == 64 && is_hex(n)) ids.push_back(n);
    }
    ::closedir(d);
    return ids;
}

} // namespace

RecordLock& RecordLock::operator=(RecordLock&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.fd_;
        o.fd_ = -1;
    }
    return *this;
}

RecordLock::~RecordLock() {
    if (fd_ >= 0) ::close(fd_);
}

Result<RecordLock> lock_record(const std::string& root, const std::string& id) {
    std::string dir = container_dir(root, id);
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return no_such(id);
        return errno_error("open " + dir);
    }
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int err = errno;
            ::close(fd);
            return errno_error("flock " + dir, err);
        }
    }
    RecordLock l;
    l.fd_ = fd;
    return l;
}

Result<std::string> read_whole_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_error("open " + path);
    std::string s;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            return errno_error("read " + path, err);
        }
        if (n == 0) break;
        s.append(buf, size_t(n));
    }
    ::close(fd);
    return s;
}

Result<void> replace_file(const std::string& path, const std::string& content, mode_t mode) {
    std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return errno_error("create " + tmp);
    size_t off = 0;
    while (off < content.size()) {
        ssize_t n = ::write(fd, content.data() + off, content.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            return errno_error("write " + tmp, err);
        }
        off += size_t(n);
    }
    ::close(fd);
    // No fsync: records change on every start and exit, and a state lost to a crash is put
    // right by the next command's reconciliation (status.hpp); rename keeps readers safe.
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return errno_error("rename " + tmp, err);
    }
    return ok();
}

Result<Record> load_record(const std::string& root, const std::string& id) {
    std::string path = record_path(root, id);
    auto text = read_whole_file(path);
    if (!text) {
        if (text.error().code == ENOENT || text.error().code == ENOTDIR) return no_such(id);
        return std::move(text).error();
    }
    return parse_record(*text, path);
}

Result<void> save_record(const std::string& root, const Record& r) {
    return replace_file(record_path(root, r.id), dump_record(r));
}

std::vector<Record> list_records(const std::string& root) {
    std::vector<Record> out;
    for (const auto& id : list_ids(root)) {
        auto r = load_record(root, id);
        if (r) out.push_back(std::move(*r));
    }
    std::sort(out.begin(), out.end(), [](const Record& a, const Record& b) { return a.created > b.created; });
    return out;
}

Result<std::string> resolve_container(const std::string& root, const std::string& ref_in) {
    std::string ref = !ref_in.empty() && ref_in[0] == '/' ? ref_in.substr(1) : ref_in;
    if (ref.empty()) return no_such(ref_in);
    if (ref.size() == 64 && is_hex(ref) && ::access(record_path(root, ref).c_str(), F_OK) == 0) return ref;
    // Names first, as docker: a name that looks like an id prefix is still the name.
    char target[128];
    ssize_t n = ::readlink((names_dir(root) + "/" + ref).c_str(), target, sizeof target - 1);
    if (n == 64) {
        std::string id(target, size_t(n));
        if (::access(record_path(root, id).c_str(), F_OK) == 0) return id;
    }
    if (!is_hex(ref)) return no_such(ref_in);
    std::string found;
    for (const auto& id : list_ids(root)) {
        if (id.compare(0, ref.size(), ref) != 0) continue;
        if (::access(record_path(root, id).c_str(), F_OK) != 0) continue;
        if (!found.empty()) return Error{"Multiple IDs found with provided prefix: " + ref_in};
        found = id;
    }
    if (found.empty()) return no_such(ref_in);
    return found;
}

Result<std::string> check_name(const std::string& name_in) {
    std::string name = !name_in.empty() && name_in[0] == '/' ? name_in.substr(1) : name_in;
    auto ok_char = [](char c, bool first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (!first && (c == '_' || c == '.' || c == '-'));
    };
    bool good = name.size() >= 2 && name.size() <= 255;
    for (size_t i = 0; good && i < name.size(); ++i) good = ok_char(name[i], i == 0);
    if (!good)
        return Error{"Invalid container name (" + name_in + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"};
    return name;
}

Result<void> reserve_name(const std::string& root, const std::string& name, const std::string& id) {
    std::string dir = names_dir(root);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return errno_error("mkdir " + dir);
    std::string link = dir + "/" + name;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (::symlink(id.c_str(), link.c_str()) == 0) return ok();
        if (errno != EEXIST) return errno_error("symlink " + link);
        char target[128];
        ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
        std::string owner = n > 0 ? std::string(target, size_t(n)) : "";
        // A claim whose container is gone (a crash between claim and record) is stale.
        bool stale = owner.size() == 64 && ::access(container_dir(root, owner).c_str(), F_OK) != 0;
        if (!stale || attempt > 0)
            return Error{"Conflict. The container name \"/" + name + "\" is already in use by container \"" +
                             owner + "\". You have to remove (or rename) that container to be able to reuse that name.",
                         EEXIST};
        ::unlink(link.c_str());
    }
    return ok();
}

void release_name(const std::string& root, const std::string& name, const std::string& id) {
    std::string link = names_dir(root) + "/" + name;
    char target[128];
    ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n > 0 && std::string(target, size_t(n)) == id) ::unlink(link.c_str());
}

bool monitor_alive(const std::string& root, const std::string& id) {
    int fd = ::open(monitor_lock_path(root, id).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return held;
}

} // namespace skiff::skiffcli
