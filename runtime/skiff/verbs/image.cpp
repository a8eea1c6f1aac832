// `skiff image SUBCOMMAND`: docker's management command. `prune` lives here; the others are
// the top-level image commands under their docker names (image ls = images, image rm = rmi).
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "../command.hpp"
#include "../images/catalog.hpp"
#include "../table.hpp"

namespace skiff::skiffcli {
namespace {

bool confirm(const std::string& warning) {
    out(warning + "\nAre you sure you want to continue? [y/N] ");
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "y" || answer == "Y" || answer == "yes";
}

// Without -a: blobs and unpacked layers nothing reaches (untagged images, leftovers of failed
// loads and pulls, partial downloads). With -a: first every image no container was made from.
int prune(const Globals& g, const Args& a) {
    bool all = a.flag("all");
    if (!a.flag("force") &&
        !confirm(all ? "WARNING! This will remove all images without at least one container associated to them."
                     : "WARNING! This will remove all dangling images."))
        return 0;
    auto store = open_store(g);
    if (!store) return fail(store.error(), 1);
    auto guard = store->lock(image::Store::LockMode::Exclusive);
    if (!guard) return fail(guard.error(), 1);
    auto rows = list_images(*store, true);
    if (!rows) return fail(rows.error(), 1);
    std::string s;
    for (const auto& r : *rows) {
        if (r.reference.empty()) {
            s += "deleted: " + r.image_id + "\n";
            continue;
        }
        if (!all || !containers_using(*store, r.manifest_digest).empty()) continue;
        if (auto rm = store->remove_reference(*image::parse_reference(r.reference)); !rm) return fail(rm.error(), 1);
        s += "untagged: " + image::parse_reference(r.reference)->familiar() + "\n";
        s += "deleted: " + r.image_id + "\n";
    }
    auto st = store->gc(true);
    if (!st) return fail(st.error(), 1);
    out((s.empty() ? "" : "Deleted Images:\n" + s + "\n") + "Total reclaimed space: " + human_size(st->bytes_freed) + "\n");
    return 0;
}

const Command kPrune{"image prune", "[OPTIONS]", "Remove unused images",
                     {{"all,a", Flag::Bool, "remove all images no container uses, not just dangling ones"},
                      {"force,f", Flag::Bool, "do not prompt for confirmation"}},
                     prune, 0, 0};

struct Sub {
    const char* name;
    const char* target; // a top-level command, or nullptr for a subcommand of its own
    const Command* own;
    const char* type_flag = nullptr; // given to the target as --type (image inspect)
};
const Sub kSubs[] = {{"ls", "images", nullptr},   {"list", "images", nullptr}, {"rm", "rmi", nullptr},
                     {"pull", "pull", nullptr},   {"push", "push", nullptr},   {"load", "load", nullptr},
                     {"save", "save", nullptr},   {"tag", "tag", nullptr},     {"prune", nullptr, &kPrune},
                     {"inspect", "inspect", nullptr, "image"}};

int image(const Globals& g, const Args& a) {
    const std::string& name = a.positional[0];
    const Command* cmd = nullptr;
    const char* type_flag = nullptr;
    for (const auto& s : kSubs)
        if (name == s.name) {
            cmd = s.own ? s.own : find_command(s.target);
            type_flag = s.type_flag;
        }
    if (!cmd) return fail("'image " + name + "' is not a skiff command.\nSee 'skiff image --help'", 1);
    std::vector<char*> argv;
    std::string type_opt = "--type", type_val = type_flag ? type_flag : "";
    for (const auto& p : a.positional) {
        argv.push_back(const_cast<char*>(p.c_str()));
        if (argv.size() == 1 && type_flag) {
            argv.push_back(type_opt.data());
            argv.push_back(type_val.data());
        }
    }
    argv.push_back(nullptr);
    std::vector<Flag> flags = cmd->flags;
    flags.push_back({"help", Flag::Bool, "print usage"});
    auto sub = parse_args(int(argv.size() - 1), argv.data(), flags, cmd->interspersed);
    if (!sub) return fail(sub.error().message + "\nSee 'skiff image " + name + " --help'.");
    if (sub->flag("help")) {
        print_help(*cmd);
        return 0;
    }
    int n = int(sub->positional.size());
    if (n < cmd->min_args || (cmd->max_args >= 0 && n > cmd->max_args))
        return fail("\"skiff image " + name + "\" takes " +
                    (cmd->max_args == 0 ? std::string("no arguments") : "other arguments") +
                    ".\nUsage:  skiff image " + name + " " + cmd->usage);
    return cmd->run(g, *sub);
}

const Command kImage{"image", "COMMAND", "Manage images (ls, rm, prune, pull, push, load, save, tag, inspect)",
                     {}, image, 1, -1, false};
SKIFF_COMMAND(kImage);

} // namespace
} // namespace skiff::skiffcli
