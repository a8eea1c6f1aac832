// `ps`: runs the host's ps (default -ef) and keeps the header and the lines whose PID column
// is one of the container's processes, like runc.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "args.hpp"

extern char** environ;

namespace skiff::cli {
namespace {

Result<std::string> run_ps(const std::vector<std::string>& args) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return errno_error("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_adddup2(&fa, p[1], 2);
    std::vector<char*> argv{const_cast<char*>("ps")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid;
    int rc = ::posix_spawnp(&pid, "ps", &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(p[1]);
    if (rc != 0) {
        ::close(p[0]);
        return errno_error("exec ps", rc);
    }
    std::string output;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(p[0], buf, sizeof buf)) > 0) output.append(buf, size_t(n));
    ::close(p[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return Error{"ps failed: " + output};
    return output;
}

std::vector<std::string> fields(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> f;
    std::string w;
    while (in >> w) f.push_back(w);
    return f;
}

} // namespace

const Verb kPs{"ps", "[command options] <container-id> [ps options]",
               "ps displays the processes running inside a container",
               {{"format,f", true, "select one of: table or json (default: \"table\")"}},
               [](const runtime::Context& ctx, const Args& a) {
                   std::string format = a.value("format", "table");
                   if (format != "table" && format != "json") return fail("invalid format option");
                   auto pids = runtime::pids(ctx, a.positional[0]);
                   if (!pids) return fail(pids.error());
                   if (format == "json") {
                       if (pids->empty()) {
                           out("null\n");
                           return 0;
                       }
                       std::string s = "[";
                       for (size_t i = 0; i < pids->size(); ++i)
                           s += (i ? "," : "") + std::to_string((*pids)[i]);
                       out(s + "]\n");
                       return 0;
                   }
                   std::vector<std::string> ps_args(a.positional.begin() + 1, a.positional.end());
                   if (ps_args.empty()) ps_args = {"-ef"};
                   auto output = run_ps(ps_args);
                   if (!output) return fail(output.error());
                   std::istringstream in(*output);
                   std::string header;
                   std::getline(in, header);
                   auto h = fields(header);
                   auto it = std::find(h.begin(), h.end(), "PID");
                   if (it == h.end()) return fail("couldn't find PID field in ps output");
                   size_t idx = size_t(it - h.begin());
                   std::string s = header + "\n";
                   for (std::string line; std::getline(in, line);) {
                       auto f = fields(line);
                       if (f.size() <= idx) continue;
                       pid_t p = pid_t(std::atoi(f[idx].c_str()));
                       if (std::find(pids->begin(), pids->end(), p) != pids->end())
                           s += line + "\n";
                   }
                   out(s);
                   return 0;
               },
               1, -1};

} // namespace skiff::cli
