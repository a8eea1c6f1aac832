// What pull and push share: progress callbacks serialized across threads, the pool of threads
// (each with a registry session of its own) that moves blobs, and the record of which
// repositories of a registry are known to hold a blob (push mounts from them, as docker).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http.hpp"
#include "skiff/oci/image/registry.hpp"
#include "skiff/oci/image/store.hpp"

namespace skiff::image {

class Progress {
public:
    explicit Progress(std::function<void(const BlobProgress&)> cb) : cb_(std::move(cb)) {}
    void operator()(const BlobProgress& p) {
        if (!cb_) return;
        std::lock_guard<std::mutex> lk(mu_);
        cb_(p);
    }

private:
    std::function<void(const BlobProgress&)> cb_;
    std::mutex mu_;
};

// Runs job(session, i) for every i < jobs on up to `parallel` threads (this one included), each
// with a session from make_session, taking jobs in order. After the first error no new job
// starts; that error is returned once all threads are done.
Result<void> run_parallel(size_t jobs, int parallel,
                          const std::function<std::unique_ptr<http::Session>()>& make_session,
                          const std::function<Result<void>(http::Session&, size_t)>& job);

// <store>/blob-sources/<hex>: one "host/repository" line per repository the blob is known to
// be in (pulled from, pushed to). A hint, written without fsync: a wrong line only costs a
// mount attempt the registry answers with an upload.
void note_blob_source(const Store& store, const std::string& digest, const Reference& repo);
// The repositories on repo's registry, other than repo itself, known to hold the blob.
std::vector<std::string> blob_sources(const Store& store, const std::string& digest, const Reference& repo);

} // namespace skiff::image
