// Container ids and generated names.
#include <sys/random.h>

#include <cstdint>
#include <iterator>

#include "store.hpp"

namespace skiff::skiffcli {
namespace {

// Our own short lists, in docker's adjective_surname shape (surnames of scientists and
// engineers).
const char* const kAdjectives[] = {
    "agile",   "bold",    "brave",   "bright",  "calm",    "clever",  "cool",    "crisp",
    "daring",  "eager",   "fair",    "fancy",   "fond",    "gentle",  "glad",    "happy",
    "hardy",   "jolly",   "keen",    "kind",    "lively",  "lucid",   "merry",   "mighty",
    "modest",  "nimble",  "noble",   "patient", "plucky",  "polite",  "proud",   "quick",
    "quiet",   "rapid",   "serene",  "sharp",   "shiny",   "steady",  "sunny",   "swift",
    "tender",  "tidy",    "upbeat",  "vivid",   "warm",    "wise",    "witty",   "zesty",
};
const char* const kSurnames[] = {
    "agnesi",   "babbage",  "bardeen",  "bohr",     "boole",    "cantor",   "curie",
    "darwin",   "dijkstra", "einstein", "euler",    "faraday",  "fermat",   "fermi",
    "galois",   "gauss",    "germain",  "goodall",  "hamilton", "hopper",   "hubble",
    "hypatia",  "kepler",   "knuth",    "lamarr",   "leakey",   "lovelace", "maxwell",
    "meitner",  "mendel",   "napier",   "neumann",  "newton",   "noether",  "pascal",
    "planck",   "ritchie",  "shannon",  "somerville", "tesla",  "thompson", "turing",
    "volta",    "wiles",    "wozniak",  "yalow",
};

uint64_t random_u64() {
    uint64_t v = 0;
    while (::getrandom(&v, sizeof v, 0) != sizeof v) {
    }
    return v;
}

} // namespace

std::string new_id() {
    static const char hex[] = "0123456789abcdef";
    for (;;) {
        unsigned char b[32];
        size_t got = 0;
        while (got < sizeof b) {
            ssize_t n = ::getrandom(b + got, sizeof b - got, 0);
            if (n > 0) got += size_t(n);
        }
        std::string id;
        id.reserve(64);
        bool letter = false;
        for (unsigned char c : b) {
            id += hex[c >> 4];
            id += hex[c & 15];
            letter |= (c >> 4) >= 10 || (c & 15) >= 10;
        }
        if (letter) return id;
    }
}

std::string generate_name(unsigned attempt) {
    uint64_t r = random_u64();
    std::string n = std::string(kAdjectives[r % std::size(kAdjectives)]) + "_" +
                    kSurnames[(r >> 32) % std::size(kSurnames)];
    if (attempt > 0) n += std::to_string(r % 10);
    return n;
}

} // namespace skiff::skiffcli
