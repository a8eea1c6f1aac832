// config.json top level, process, root, mounts and hooks. The linux section is in linux_parse.cpp
// and its resources in resources_parse.cpp.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skiff/oci/isolation.hpp"
#include "skiff/oci/resources.hpp"
#include "skiff/oci/spec.hpp"
#include "known_values.hpp"
#include "spec_readers.hpp"

namespace skiff::oci::detail {

static bool read_absolute_path(const Val& v, std::string& out) {
    if (!read(v, out)) return false;
    if (out.empty() || out[0] != '/') return v.fail("must be an absolute path, got \"" + out + "\"");
    return true;
}

bool read(const Val& v, IdMapping& out) {
    if (!v.expect_object()) return false;
    read(v["containerID"], out.container_id);
    read(v["hostID"], out.host_id);
    if (!read_required(v, "size", out.size)) return false;
    if (out.size == 0) return v["size"].fail("must be greater than 0");
    return !v.reader->failed();
}

bool read(const Val& v, User& out) {
    if (!v.expect_object()) return false;
    read(v["uid"], out.uid);
    read(v["gid"], out.gid);
    read(v["umask"], out.umask);
    read(v["additionalGids"], out.additional_gids);
    read(v["username"], out.username);
    return !v.reader->failed();
}

bool read(const Val& v, Rlimit& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "type", out.type)) return false;
    if (!check_one_of(v["type"], out.type,
                      kRlimitTypes, "rlimit type"))
        return false;
    read(v["hard"], out.hard);
    read(v["soft"], out.soft);
    if (v.reader->failed()) return false;
    // setrlimit(2) would refuse it with a bare EINVAL; say which limit is wrong instead.
    if (out.soft > out.hard)
        return v.fail("soft limit " + std::to_string(out.soft) + " exceeds hard limit " +
                      std::to_string(out.hard));
    return true;
}

bool read(const Val& v, Capabilities& out) {
    if (!v.expect_object()) return false;
    read(v["bounding"], out.bounding);
    read(v["effective"], out.effective);
    read(v["inheritable"], out.inheritable);
    read(v["permitted"], out.permitted);
    read(v["ambient"], out.ambient);
    return !v.reader->failed();
}

bool read(const Val& v, ConsoleSize& out) {
    if (!v.expect_object()) return false;
    read(v["height"], out.height);
    read(v["width"], out.width);
    return !v.reader->failed();
}

bool read(const Val& v, Scheduler& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "policy", out.policy)) return false;
    if (!check_one_of(v["policy"], out.policy,
                      {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO",
                       "SCHED_IDLE", "SCHED_DEADLINE"},
                      "scheduler policy"))
        return false;
    read(v["nice"], out.nice);
    read(v["priority"], out.priority);
    if (read(v["flags"], out.flags)) {
        Val flags = v["flags"];
        for (size_t i = 0; i < out.flags.size(); ++i) {
            Val f{v.reader, &(*flags.j)[i], {&flags.where, Where::Index, {}, i}};
            if (!check_one_of(f, out.flags[i],
                              {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
                               "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
                               "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
                               "SCHED_FLAG_UTIL_CLAMP_MAX"},
                              "scheduler flag"))
                return false;
        }
    }
    read(v["runtime"], out.runtime);
    read(v["deadline"], out.deadline);
    read(v["period"], out.period);
    if (out.nice && (*out.nice < -20 || *out.nice > 19))
        return v["nice"].fail(std::to_string(*out.nice) + " is out of range (-20..19)");
    return !v.reader->failed();
}

bool read(const Val& v, IoPriority& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "class", out.klass)) return false;
    if (!check_one_of(v["class"], out.klass,
                      {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"},
                      "I/O priority class"))
        return false;
    if (read(v["priority"], out.priority) && (out.priority < 0 || out.priority > 7))
        return v["priority"].fail(std::to_string(out.priority) + " is out of range (0..7)");
    return !v.reader->failed();
}

bool read(const Val& v, Process& out) {
    if (!v.expect_object()) return false;
    read(v["terminal"], out.terminal);
    read(v["consoleSize"], out.console_size);
    read(v["user"], out.user);
    if (!read_required(v, "args", out.args)) return false;
    if (out.args.empty()) return v["args"].fail("must not be empty");
    if (read(v["env"], out.env)) {
        Val env = v["env"];
        for (size_t i = 0; i < out.env.size(); ++i) {
            size_t eq = out.env[i].find('=');
            if (eq == std::string::npos || eq == 0) {
                Val e{v.reader, &(*env.j)[i], {&env.where, Where::Index, {}, i}};
                return e.fail("invalid environment variable \"" + out.env[i] +
                              "\": expected NAME=value");
            }
        }
    }
    {
        Val cwd = v["cwd"];
        if (!cwd) {
            if (!v.reader->failed()) cwd.fail("required");
            return false;
        }
        if (!read_absolute_path(cwd, out.cwd)) return false;
    }
    read(v["capabilities"], out.capabilities);
    if (read(v["rlimits"], out.rlimits)) {
        for (size_t i = 1; i < out.rlimits.size(); ++i)
            for (size_t k = 0; k < i; ++k)
                if (out.rlimits[i].type == out.rlimits[k].type) {
                    Val rl = v["rlimits"];
                    Val item{v.reader, &(*rl.j)[i], {&rl.where, Where::Index, {}, i}};
                    return item["type"].fail("duplicate rlimit type \"" + out.rlimits[i].type +
                                             "\"");
                }
    }
    read(v["noNewPrivileges"], out.no_new_privileges);
    read(v["apparmorProfile"], out.apparmor_profile);
    if (read(v["oomScoreAdj"], out.oom_score_adj) &&
        (*out.oom_score_adj < -1000 || *out.oom_score_adj > 1000))
        return v["oomScoreAdj"].fail(std::to_string(*out.oom_score_adj) +
                                     " is out of range (-1000..1000)");
    read(v["selinuxLabel"], out.selinux_label);
    read(v["scheduler"], out.scheduler);
    read(v["ioPriority"], out.io_priority);
    return !v.reader->failed();
}

bool read(const Val& v, Root& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "path", out.path)) return false;
    if (out.path.empty()) return v["path"].fail("must not be empty");
    read(v["readonly"], out.readonly);
    return !v.reader->failed();
}

bool read(const Val& v, Mount& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "destination", out.destination)) return false;
    if (out.destination.empty()) return v["destination"].fail("must not be empty");
    read(v["type"], out.type);
    read(v["source"], out.source);
    read(v["options"], out.options);
    read(v["uidMappings"], out.uid_mappings);
    read(v["gidMappings"], out.gid_mappings);
    if (v.reader->failed()) return false;
    // An idmapped mount needs both maps (runc: "uidMappings and gidMappings must both be set").
    if (out.uid_mappings.empty() != out.gid_mappings.empty())
        return v[out.uid_mappings.empty() ? "uidMappings" : "gidMappings"].fail(
            "idmapped mount needs both uidMappings and gidMappings");
    return true;
}

bool read(const Val& v, Hook& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "path", out.path)) return false;
    if (!read_absolute_path(v["path"], out.path)) return false;
    read(v["args"], out.args);
    read(v["env"], out.env);
    if (read(v["timeout"], out.timeout) && *out.timeout <= 0)
        return v["timeout"].fail("must be greater than 0, got " + std::to_string(*out.timeout));
    return !v.reader->failed();
}

bool read(const Val& v, Hooks& out) {
    if (!v.expect_object()) return false;
    read(v["prestart"], out.prestart);
    read(v["createRuntime"], out.create_runtime);
    read(v["createContainer"], out.create_container);
    read(v["startContainer"], out.start_container);
    read(v["poststart"], out.poststart);
    read(v["poststop"], out.poststop);
    return !v.reader->failed();
}

static bool validate_spec(const Val& v, const Spec& spec);

bool read(const Val& v, Spec& out) {
    if (!v.expect_object()) return false;
    if (!read_required(v, "ociVersion", out.oci_version)) return false;
    if (out.oci_version.empty()) return v["ociVersion"].fail("must not be empty");
    if (!read_required(v, "process", out.process)) return false;
    if (!read_required(v, "root", out.root)) return false;
    read(v["hostname"], out.hostname);
    read(v["domainname"], out.domainname);
    read(v["mounts"], out.mounts);
    read(v["hooks"], out.hooks);
    if (Val annotations = v["annotations"]; read(annotations, out.annotations)) {
        // Fail at create, naming the file, rather than when the mode is first needed.
        if (auto it = out.annotations.find(kIsolationAnnotation); it != out.annotations.end())
            if (auto mode = parse_isolation(it->second); !mode)
                return Val{v.reader, nullptr,
                           {&annotations.where, Where::MapKey, kIsolationAnnotation, 0}}
                    .fail(mode.error().message);
    }
    read(v["linux"], out.linux_);
    if (v.reader->failed()) return false;
    return validate_spec(v, out);
}

// Rules that tie fields together, as runc's config validator applies them.
static bool validate_spec(const Val& v, const Spec& spec) {
    if (!spec.linux_) return true;
    const Linux& lx = *spec.linux_;
    Val linux_v = v["linux"];
    if (!spec.hostname.empty() && !lx.has_namespace("uts"))
        return v["hostname"].fail("setting the hostname needs a new uts namespace");
    if (!spec.domainname.empty() && !lx.has_namespace("uts"))
        return v["domainname"].fail("setting the domainname needs a new uts namespace");
    for (const auto& [key, value] : lx.sysctl) {
        (void)value;
        Where w{&linux_v.where, Where::Member, "sysctl", 0};
        Where kw{&w, Where::MapKey, key, 0};
        Val kv{v.reader, nullptr, kw};
        auto needs = [&](const char* ns) -> bool {
            if (lx.has_namespace(ns)) return true;
            return kv.fail("sysctl needs a new " + std::string(ns) + " namespace");
        };
        static constexpr std::string_view ipc_sysctls[] = {
            "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem",
            "kernel.shmall", "kernel.shmmax", "kernel.shm_rmid_forced", "kernel.shmmni"};
        bool is_ipc = key.starts_with("fs.mqueue.");
        for (auto s : ipc_sysctls) is_ipc = is_ipc || key == s;
        if (is_ipc) {
            if (!needs("ipc")) return false;
        } else if (key.starts_with("net.")) {
            if (!needs("network")) return false;
        } else if (key == "kernel.hostname" || key == "kernel.domainname") {
            if (!needs("uts")) return false;
        } else {
            return kv.fail("sysctl is not namespaced: it would change the host");
        }
    }
    return true;
}

} // namespace skiff::oci::detail

namespace skiff::oci {

Result<Spec> parse_spec(const std::string& json_text, const std::string& source) {
    return detail::read_document<Spec>(json_text, source);
}

Result<std::string> detail::read_small_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_error("open " + path);
    std::string text;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) text.reserve(static_cast<size_t>(st.st_size));
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            return errno_error("read " + path, err);
        }
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return text;
}

Result<Spec> load_spec(const std::string& path) {
    std::string text = SKIFF_TRY(detail::read_small_file(path));
    return parse_spec(text, path);
}

Result<Process> parse_process(const std::string& json_text, const std::string& source) {
    return detail::read_document<Process>(json_text, source);
}

Result<Process> load_process(const std::string& path) {
    std::string text = SKIFF_TRY(detail::read_small_file(path));
    return parse_process(text, path);
}

} // namespace skiff::oci
