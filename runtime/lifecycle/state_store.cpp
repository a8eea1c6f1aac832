#include "state_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>

namespace skiff::runtime {
namespace {

using json = nlohmann::ordered_json;

const char* status_name(oci::Status s) {
    switch (s) {
    case oci::Status::Creating: return "creating";
    case oci::Status::Created: return "created";
    case oci::Status::Running: return "running";
    case oci::Status::Paused: return "paused";
    case oci::Status::Stopped: return "stopped";
    }
    return "unknown";
}

Result<oci::Status> status_from(const std::string& s) {
    for (auto st : {oci::Status::Creating, oci::Status::Created, oci::Status::Running,
                    oci::Status::Paused, oci::Status::Stopped})
        if (s == status_name(st)) return st;
    return Error{"unknown status \"" + s + "\""};
}

json hooks_json(const std::vector<oci::Hook>& hooks) {
    json a = json::array();
    for (const auto& h : hooks) {
        json o;
        o["path"] = h.path;
        if (!h.args.empty()) o["args"] = h.args;
        if (!h.env.empty()) o["env"] = h.env;
        if (h.timeout) o["timeout"] = *h.timeout;
        a.push_back(std::move(o));
    }
    return a;
}

std::vector<oci::Hook> hooks_from(const json& a) {
    std::vector<oci::Hook> out;
    for (const auto& o : a) {
        oci::Hook h;
        h.path = o.at("path").get<std::string>();
        if (o.contains("args")) h.args = o["args"].get<std::vector<std::string>>();
        if (o.contains("env")) h.env = o["env"].get<std::vector<std::string>>();
        if (o.contains("timeout")) h.timeout = o["timeout"].get<int>();
        out.push_back(std::move(h));
    }
    return out;
}

Result<void> mkdir_p(const std::string& path, mode_t mode) {
    if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return ok();
    if (errno != ENOENT) return errno_error("mkdir " + path);
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos || slash == 0) return errno_error("mkdir " + path);
    SKIFF_CHECK(mkdir_p(path.substr(0, slash), 0755));
    if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return ok();
    return errno_error("mkdir " + path);
}

Result<void> remove_tree_at(int parent, const char* name) {
    int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return ok();
        if (errno == ENOTDIR || errno == ELOOP) {
            if (::unlinkat(parent, name, 0) == 0 || errno == ENOENT) return ok();
        }
        return errno_error(std::string("open ") + name);
    }
    DIR* d = ::fdopendir(fd);
    if (!d) {
        ::close(fd);
        return errno_error(std::string("opendir ") + name);
    }
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        if (e->d_type == DT_DIR) {
            auto r = remove_tree_at(::dirfd(d), e->d_name);
            if (!r) {
                ::closedir(d);
                return r;
            }
        } else if (::unlinkat(::dirfd(d), e->d_name, 0) != 0 && errno != ENOENT) {
            Error err = errno_error("unlink " + n);
            ::closedir(d);
            return err;
        }
    }
    ::closedir(d);
    if (::unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
        return errno_error(std::string("rmdir ") + name);
    return ok();
}

Result<UniqueFd> open_locked_dir(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return errno_error("open " + path);
    while (::flock(fd.get(), LOCK_EX) != 0)
        if (errno != EINTR) return errno_error("lock " + path);
    return fd;
}

} // namespace

std::string rfc3339_now() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    tm t{};
    ::gmtime_r(&ts.tv_sec, &t);
    char buf[64];
    size_t n = ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
    std::snprintf(buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
    return buf;
}

std::string dump_record(const Record& r) {
    json j;
    j["ociVersion"] = oci::kSpecVersion;
    j["id"] = r.id;
    j["status"] = status_name(r.status);
    j["pid"] = r.init_pid;
    j["bundle"] = r.bundle;
    if (!r.annotations.empty()) j["annotations"] = r.annotations;
    json s;
    s["rootfs"] = r.rootfs;
    s["created"] = r.created;
    s["configPath"] = r.config_path;
    s["initStartTime"] = r.init_start_time;
    s["cgroup"] = r.cgroup;
    s["isolation"] = r.isolation == Isolation::Vm ? "vm" : "container";
    s["systemdCgroup"] = r.systemd_cgroup;
    if (!r.poststart.empty()) s["poststart"] = hooks_json(r.poststart);
    if (!r.poststop.empty()) s["poststop"] = hooks_json(r.poststop);
    j["skiff"] = std::move(s);
    return j.dump();
}

Result<Record> parse_record(const std::string& text, const std::string& source) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error{source + ": not a JSON object"};
    Record r;
    try {
        r.id = j.at("id").get<std::string>();
        r.status = SKIFF_TRY(status_from(j.at("status").get<std::string>()));
        r.init_pid = j.value("pid", 0);
        r.bundle = j.value("bundle", "");
        if (j.contains("annotations"))
            r.annotations = j["annotations"].get<std::map<std::string, std::string>>();
        const json& s = j.at("skiff");
        r.rootfs = s.value("rootfs", "");
        r.created = s.value("created", "");
        r.config_path = s.value("configPath", "");
        r.init_start_time = s.value("initStartTime", uint64_t{0});
        r.cgroup = s.value("cgroup", "");
        r.isolation = s.value("isolation", "container") == "vm" ? Isolation::Vm
                                                                 : Isolation::Container;
        r.systemd_cgroup = s.value("systemdCgroup", false);
        if (s.contains("poststart")) r.poststart = hooks_from(s["poststart"]);
        if (s.contains("poststop")) r.poststop = hooks_from(s["poststop"]);
    } catch (const json::exception& e) {
        return Error{source + ": " + e.what()};
    }
    return r;
}

Result<void> write_file_atomic(const std::string& path, const std::string& content, mode_t mode) {
    std::string tmp = path + ".tmp";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd) return errno_error("open " + tmp);
    size_t off = 0;
    while (off < content.size()) {
        ssize_t n = ::write(fd.get(), content.data() + off, content.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            Error e = errno_error("write " + tmp);
            ::unlink(tmp.c_str());
            return e;
        }
        off += size_t(n);
    }
    fd.reset();
    // Replacing an existing file by rename makes ext4 (auto_da_alloc) start writing the new one
    // out at once, and removing it later (delete) then waits for that disk write: 5-35 ms on
    // our machines. Swapping the two names and unlinking the old content starts no write.
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
        ::unlink(tmp.c_str());
        return ok();
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        Error e = errno_error("rename " + tmp);
        ::unlink(tmp.c_str());
        return e;
    }
    return ok();
}

Result<std::string> read_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errno_error("open " + path);
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_error("read " + path);
        }
        if (n == 0) break;
        out.append(buf, size_t(n));
    }
    return out;
}

Result<ContainerDir> ContainerDir::create(const std::string& root, const std::string& id) {
    SKIFF_CHECK(mkdir_p(root, 0700));
    std::string final_path = root + "/" + id;
    if (::access(final_path.c_str(), F_OK) == 0)
        return Error{"container with given ID already exists", EEXIST};
    // Made under a temporary name and renamed into place once locked, so that another command
    // never sees (and never cleans up) a directory whose creator has not locked it yet.
    std::string tmp = root + "/.creating-" + id + "-" + std::to_string(::getpid());
    if (::mkdir(tmp.c_str(), 0711) != 0) return errno_error("mkdir " + tmp);
    auto fd = open_locked_dir(tmp);
    if (!fd) {
        ::rmdir(tmp.c_str());
        return std::move(fd).error();
    }
    if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
        int err = errno;
        ::rmdir(tmp.c_str());
        if (err == EEXIST || err == ENOTEMPTY)
            return Error{"container with given ID already exists", EEXIST};
        return errno_error("rename " + tmp + " to " + final_path, err);
    }
    ContainerDir d;
    d.path_ = final_path;
    d.id_ = id;
    d.dir_ = std::move(*fd);
    return d;
}

Result<ContainerDir> ContainerDir::open(const std::string& root, const std::string& id) {
    std::string path = root + "/" + id;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR) return Error{"container does not exist", ENOENT};
        return errno_error("open " + path);
    }
    while (::flock(fd.get(), LOCK_EX) != 0)
        if (errno != EINTR) return errno_error("lock " + path);
    // The directory may have been removed while we waited for the lock.
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0 || st.st_nlink == 0)
        return Error{"container does not exist", ENOENT};
    ContainerDir d;
    d.path_ = path;
    d.id_ = id;
    d.dir_ = std::move(fd);
    return d;
}

Result<Record> ContainerDir::load() const {
    std::string p = file("state.json");
    auto text = read_file(p);
    if (!text) {
        if (text.error().code == ENOENT) return Error{"container does not exist", ENOENT};
        return std::move(text).error();
    }
    return parse_record(*text, p);
}

Result<void> ContainerDir::save(const Record& record) const {
    return write_file_atomic(file("state.json"), dump_record(record));
}

Result<void> ContainerDir::remove() const {
    auto slash = path_.find_last_of('/');
    std::string parent = path_.substr(0, slash);
    UniqueFd pfd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!pfd) return errno_error("open " + parent);
    return remove_tree_at(pfd.get(), path_.c_str() + slash + 1);
}

Result<std::vector<std::string>> list_ids(const std::string& root) {
    std::vector<std::string> ids;
    DIR* d = ::opendir(root.c_str());
    if (!d) {
        if (errno == ENOENT) return ids;
        return errno_error("open " + root);
    }
    while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
        ids.emplace_back(e->d_name);
    }
    ::closedir(d);
    std::sort(ids.begin(), ids.end());
    return ids;
}

Result<Record> read_record(const std::string& root, const std::string& id) {
    std::string p = root + "/" + id + "/state.json";
    auto text = read_file(p);
    if (!text) {
        if (text.error().code == ENOENT) return Error{"container does not exist", ENOENT};
        return std::move(text).error();
    }
    return parse_record(*text, p);
}

} // namespace skiff::runtime
