// Pull and push progress as docker prints it: on a terminal, one line per layer redrawn in
// place ("0123456789ab: Downloading [=====>    ]  1.2MB/4.5MB", at most 10 redraws a second
// per layer); otherwise one plain line per layer when it finishes ("...: Pull complete 4.5MB").
// `push` words the lines for an upload ("Pushed", "Layer already exists").
#pragma once

#include <functional>

#include "skiff/oci/image/registry.hpp"

namespace skiff::skiffcli {

std::function<void(const image::BlobProgress&)> progress_printer(int fd, bool push = false);

} // namespace skiff::skiffcli
