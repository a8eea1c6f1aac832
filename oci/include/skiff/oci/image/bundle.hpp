// OCI bundles made from images the way docker makes containers: the command from Entrypoint/Cmd
// and their overrides, Env merged with the user's, WorkingDir, User resolved in the image's own
// /etc/passwd and /etc/group, docker's default capability set and seccomp profile
// (seccomp_default.cpp), the isolation annotation, and the image's ExposedPorts/Volumes/
// StopSignal recorded as annotations. The bundle directory is the container's directory in the
// store: config.json next to the overlay-mounted rootfs, and beside them what docker keeps per
// container: the hosts, hostname and resolv.conf files bind-mounted on /etc (etc_files.cpp) and
// volumes/<n>, the anonymous volumes for the image's Volumes (volumes.cpp). Everything goes
// with the directory (remove_rootfs).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "skiff/oci/image/store.hpp"
#include "skiff/oci/image/unpack.hpp"
#include "skiff/oci/result.hpp"
#include "skiff/oci/spec.hpp"

namespace skiff::image {

// Annotations the bundle carries (besides run.skiff.isolation).
inline constexpr const char* kImageAnnotation = "run.skiff.image";               // reference
inline constexpr const char* kImageDigestAnnotation = "run.skiff.image.digest";  // manifest
inline constexpr const char* kExposedPortsAnnotation = "run.skiff.exposed-ports"; // "80/tcp,53/udp"
inline constexpr const char* kVolumesAnnotation = "run.skiff.volumes";           // "/data,/logs"
inline constexpr const char* kStopSignalAnnotation = "run.skiff.stop-signal";    // "SIGQUIT"

// docker's default capability set.
const std::vector<std::string>& default_capabilities();

// docker's default seccomp profile resolved for a container whose bounding set is
// `bounding_caps`: its capability-dependent rules kept or dropped as dockerd does, the native
// architecture with the ones it also executes (x86-64: x86 and x32).
oci::Seccomp default_seccomp(const std::vector<std::string>& bounding_caps);

// -v HOST:CTR[:ro|rw]: a bind mount of a host path (created neither on the host nor followed
// out of the container: the destination resolves inside the rootfs at create time).
struct VolumeMount {
    std::string source;      // absolute host path
    std::string destination; // absolute path in the container
    bool read_only = false;
};

// Parses docker's -v syntax: "/host:/ctr", "/host:/ctr:ro", "/host:/ctr:rw". Named volumes
// and anonymous "-v /ctr" are not host paths: error "volume X: want /host:/container[:ro]".
Result<VolumeMount> parse_volume(const std::string& text);

struct RunOptions {
    std::string image_name;                        // recorded in kImageAnnotation
    std::optional<std::string> entrypoint;         // --entrypoint; "" clears the image's
    std::vector<std::string> args;                 // after the image name; replace Cmd
    std::vector<std::string> env;                  // -e / --env-file, "KEY=value"
    std::string workdir;                           // -w, absolute
    std::string user;                              // -u: name|uid[:group|gid]
    std::string hostname;                          // default: the container id's first 12
                                                   // (--network host: the host's name)
    bool tty = false;                              // -t
    bool read_only = false;                        // --read-only
    std::string isolation = "container";           // --isolation container|vm
    std::vector<VolumeMount> volumes;              // -v
    std::optional<int64_t> memory;                 // --memory, bytes (limit; swap = 2x as docker)
    std::optional<double> cpus;                    // --cpus: quota/period with period 100000
    std::optional<int64_t> pids_limit;             // --pids-limit (<= 0: unlimited)
    std::string network = "none";                  // --network none (own netns, lo only) | host
    bool default_seccomp = true;                   // docker's default profile; false: unconfined
    std::map<std::string, std::string> annotations; // extra, override the defaults above
};

struct ResolvedUser {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::vector<uint32_t> additional_gids;
    std::string name; // empty when the uid has no passwd entry
    std::string home; // "/" when unknown
};

// Resolves -u / the image's User against rootfs/etc/passwd and rootfs/etc/group, read with
// every symlink resolved inside rootfs. Errors as docker's: "unable to find user app: no
// matching entries in passwd file".
Result<ResolvedUser> resolve_user(const std::string& rootfs, const std::string& user);

// The container's spec: runc's defaults (oci::default_spec) changed the way docker's differ,
// plus the image config and the run options. rootfs is read for /etc/passwd and /etc/group.
Result<oci::Spec> make_spec(const Image& image, const std::string& id, const std::string& rootfs,
                            const RunOptions& opts);

// The container's /etc/hosts, /etc/hostname and /etc/resolv.conf (etc_files.cpp), as dockerd
// makes them:
//   hosts        localhost on 127.0.0.1 and ::1, docker's ip6-* names, the hostname on
//                127.0.1.1 (docker lists it only with an address; a name that resolves saves
//                programs like sudo a DNS timeout); --network host: a copy of the host's.
//   resolv.conf  the host's search/options/other lines and nameservers, minus loopback and
//                IPv6 ones for a private network namespace (docker's legacy-network transform),
//                8.8.8.8 and 8.8.4.4 when none is left; --network host: the host's as is.
//                When the host's only nameserver is systemd-resolved's stub 127.0.0.53 its
//                upstream list (/run/systemd/resolve/resolv.conf) is read instead.
std::string hosts_file(const std::string& hostname, const std::string& address);
// host_text: the host's resolv.conf; source names it in the header comment.
std::string resolv_conf_file(const std::string& host_text, const std::string& source, bool host_network);

// Where the host's files are read from (tests point these elsewhere).
struct HostFiles {
    std::string hosts = "/etc/hosts";
    std::string resolv_conf = "/etc/resolv.conf";
    std::string systemd_resolv_conf = "/run/systemd/resolve/resolv.conf";
};

// Writes dir/hosts, dir/hostname and dir/resolv.conf and bind-mounts each on its /etc path
// (read-only under --read-only, like docker), except where a -v already mounts that path or
// the image's own path, followed inside rootfs, leaves the root or lands in /proc, /sys or
// /dev. Missing host files count as empty; the files must not exist yet in dir.
Result<void> add_etc_files(oci::Spec& spec, const std::string& dir, const std::string& rootfs,
                           const RunOptions& opts, const HostFiles& host = {});

// Anonymous volumes for the image's Volumes (paths) that no mount in spec already covers:
// dir/volumes/<index> filled with the image's content at that path (its owner and mode too),
// bind-mounted read-write. The image path must be a directory or absent: "cannot mount volume
// over existing file, file exists /data". The volumes go when dir does (remove_rootfs).
Result<void> add_anonymous_volumes(oci::Spec& spec, const std::string& dir, const std::string& rootfs,
                                   const std::vector<std::string>& volumes);

struct Bundle {
    std::string dir; // <store>/containers/<id>, holds config.json
    ContainerRootfs rootfs;
    oci::Spec spec;
};

// Unpacks what is missing, makes the rootfs (overlay, or copy), creates WorkingDir in it,
// adds the /etc files (add_etc_files) and anonymous volumes (add_anonymous_volumes), writes
// config.json. On error nothing of the container is left.
Result<Bundle> create_bundle(Store& store, const Image& image, const std::string& id,
                             const RunOptions& opts, const RootfsOptions& rootfs_opts = {});

// Writes spec as dir/config.json (temp file + rename; not fsynced, see bundle.cpp).
Result<void> write_config(const std::string& dir, const oci::Spec& spec);

} // namespace skiff::image
