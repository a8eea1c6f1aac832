#include "pull_push.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "fs.hpp"
#include "skiff/oci/image/digest.hpp"

namespace skiff::image {

Result<void> run_parallel(size_t jobs, int parallel,
                          const std::function<std::unique_ptr<http::Session>()>& make_session,
                          const std::function<Result<void>(http::Session&, size_t)>& job) {
    std::atomic<size_t> next{0};
    std::mutex err_mu;
    std::optional<Error> first_error;
    auto worker = [&]() {
        auto session = make_session();
        while (true) {
            size_t i = next++;
            if (i >= jobs) return;
            {
                std::lock_guard<std::mutex> lk(err_mu);
                if (first_error) return;
            }
            auto r = job(*session, i);
            if (!r) {
                std::lock_guard<std::mutex> lk(err_mu);
                if (!first_error) first_error = r.error();
                return;
            }
        }
    };
    size_t n = size_t(std::max(1, std::min<int>(parallel, int(jobs))));
    std::vector<std::thread> threads;
    for (size_t i = 1; i < n; ++i) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
    if (first_error) return *first_error;
    return ok();
}

namespace {

std::string sources_path(const Store& store, const std::string& digest) {
    return store.root() + "/blob-sources/" + digest_hex(digest);
}

std::string source_line(const Reference& repo) { return repo.registry_host() + "/" + repo.path; }

std::vector<std::string> read_lines(const std::string& path) {
    std::vector<std::string> out;
    auto text = fs::read_file(path, 1 << 20);
    if (!text) return out;
    size_t pos = 0;
    while (pos < text->size()) {
        size_t nl = text->find('\n', pos);
        if (nl == std::string::npos) break; // a torn last line
        out.push_back(text->substr(pos, nl - pos));
        pos = nl + 1;
    }
    return out;
}

} // namespace

void note_blob_source(const Store& store, const std::string& digest, const Reference& repo) {
    if (!validate_digest(digest)) return;
    std::string path = sources_path(store, digest);
    std::string line = source_line(repo);
    auto have = read_lines(path);
    if (std::find(have.begin(), have.end(), line) != have.end()) return;
    ::mkdir(fs::dirname(path).c_str(), 0700);
    fs::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!fd) return;
    line += "\n";
    (void)fs::write_all(fd.get(), line.data(), line.size(), path); // one append: lines stay whole
}

std::vector<std::string> blob_sources(const Store& store, const std::string& digest, const Reference& repo) {
    std::vector<std::string> out;
    if (!validate_digest(digest)) return out;
    const std::string host = repo.registry_host() + "/", self = source_line(repo);
    for (const auto& l : read_lines(sources_path(store, digest)))
        if (l != self && l.rfind(host, 0) == 0 && l.size() > host.size() &&
            std::find(out.begin(), out.end(), l.substr(host.size())) == out.end())
            out.push_back(l.substr(host.size()));
    return out;
}

} // namespace skiff::image
