// A config.json that sets every field skiff models, and the checks that each was read. Shared by
// the parser test and the dump round-trip test.
#pragma once

#include <catch2/catch.hpp>

#include "skiff/oci/spec.hpp"

namespace skiff_test {

inline const char* kRichConfig = R"({
  "ociVersion": "1.2.0",
  "unknownTopLevel": {"ignored": [1, 2, 3]},
  "process": {
    "terminal": true,
    "consoleSize": {"height": 25, "width": 80},
    "user": {"uid": 1000, "gid": 1001, "umask": 18, "additionalGids": [5, 6], "username": "app",
             "futureField": true},
    "args": ["/bin/sh", "-c", "echo hi"],
    "env": ["PATH=/usr/bin:/bin", "EMPTY="],
    "cwd": "/work",
    "capabilities": {
      "bounding": ["CAP_KILL", "CAP_CHOWN"],
      "effective": ["CAP_KILL"],
      "inheritable": [],
      "permitted": ["CAP_KILL", "CAP_CHOWN"],
      "ambient": ["CAP_KILL"]
    },
    "rlimits": [
      {"type": "RLIMIT_NOFILE", "hard": 4096, "soft": 1024},
      {"type": "RLIMIT_CORE", "hard": 18446744073709551615, "soft": 0}
    ],
    "noNewPrivileges": true,
    "apparmorProfile": "skiff-default",
    "oomScoreAdj": -500,
    "selinuxLabel": "system_u:system_r:container_t:s0",
    "scheduler": {"policy": "SCHED_DEADLINE", "nice": -5, "priority": 3,
                  "flags": ["SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM"],
                  "runtime": 100000, "deadline": 200000, "period": 300000},
    "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4}
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "box",
  "domainname": "example.org",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"],
     "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
     "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}]}
  ],
  "hooks": {
    "prestart": [{"path": "/usr/bin/prestart", "args": ["prestart", "a"], "env": ["X=1"], "timeout": 5}],
    "createRuntime": [{"path": "/usr/bin/create-runtime"}],
    "createContainer": [{"path": "/usr/bin/create-container", "timeout": 1}],
    "startContainer": [{"path": "/usr/bin/start-container"}],
    "poststart": [{"path": "/usr/bin/poststart"}, {"path": "/usr/bin/poststart2"}],
    "poststop": [{"path": "/usr/bin/poststop", "timeout": 30}]
  },
  "annotations": {"run.skiff.isolation": "vm", "org.example.key": "value"},
  "linux": {
    "namespaces": [
      {"type": "pid"}, {"type": "network", "path": "/var/run/netns/n1"}, {"type": "mount"},
      {"type": "ipc"}, {"type": "uts"}, {"type": "user"}, {"type": "cgroup"}, {"type": "time"}
    ],
    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536},
                    {"containerID": 65536, "hostID": 300000, "size": 1}],
    "timeOffsets": {"monotonic": {"secs": -86400, "nanosecs": 5}, "boottime": {"secs": 7}},
    "devices": [
      {"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
      {"type": "p", "path": "/dev/myfifo"}
    ],
    "cgroupsPath": "/skiff/test",
    "resources": {
      "devices": [
        {"allow": false, "access": "rwm"},
        {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"},
        {"allow": true, "type": "b", "major": 8, "access": "m"}
      ],
      "memory": {"limit": 536870912, "reservation": 268435456, "swap": -1, "kernel": 1024,
                 "kernelTCP": 2048, "swappiness": 60, "disableOOMKiller": true,
                 "useHierarchy": false, "checkBeforeUpdate": true},
      "cpu": {"shares": 512, "quota": 50000, "burst": 10000, "period": 100000,
              "realtimeRuntime": 950, "realtimePeriod": 1000, "cpus": "0-1", "mems": "0", "idle": 1},
      "pids": {"limit": 64},
      "blockIO": {
        "weight": 500, "leafWeight": 300,
        "weightDevice": [{"major": 8, "minor": 0, "weight": 600, "leafWeight": 200},
                         {"major": 8, "minor": 16, "weight": 700}],
        "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
        "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 2097152}],
        "throttleReadIOPSDevice": [{"major": 8, "minor": 0, "rate": 100}],
        "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 200}]
      },
      "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}, {"pageSize": "1GB", "limit": 0}],
      "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}]},
      "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}, "mlx4_0": {"hcaObjects": 5}},
      "unified": {"memory.high": "max", "io.max": "8:0 rbps=1048576"}
    },
    "rootfsPropagation": "rslave",
    "seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO",
      "defaultErrnoRet": 38,
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
      "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
      "listenerPath": "/run/seccomp-agent.sock",
      "listenerMetadata": "meta",
      "syscalls": [
        {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
                  {"index": 1, "value": 255, "valueTwo": 16, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"},
        {"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}
      ]
    },
    "sysctl": {"net.ipv4.ip_forward": "1", "kernel.shmmax": "65536", "fs.mqueue.msg_max": "20"},
    "maskedPaths": ["/proc/kcore", "/sys/firmware"],
    "readonlyPaths": ["/proc/sys"],
    "mountLabel": "system_u:object_r:container_file_t:s0",
    "personality": {"domain": "LINUX32", "flags": ["SOMETHING"]},
    "intelRdt": {"closID": "clos1", "l3CacheSchema": "L3:0=ff", "memBwSchema": "MB:0=50"}
  }
})";

// Asserts every field of kRichConfig has its value in `s`.
inline void check_rich(const skiff::oci::Spec& s) {
    CHECK(s.oci_version == "1.2.0");
    REQUIRE(s.process);
    const auto& p = *s.process;
    CHECK(p.terminal);
    REQUIRE(p.console_size);
    CHECK(p.console_size->height == 25);
    CHECK(p.console_size->width == 80);
    CHECK(p.user.uid == 1000);
    CHECK(p.user.gid == 1001);
    CHECK(p.user.umask == 18u);
    CHECK(p.user.additional_gids == std::vector<uint32_t>{5, 6});
    CHECK(p.user.username == "app");
    CHECK(p.args == std::vector<std::string>{"/bin/sh", "-c", "echo hi"});
    CHECK(p.env == std::vector<std::string>{"PATH=/usr/bin:/bin", "EMPTY="});
    CHECK(p.cwd == "/work");
    REQUIRE(p.capabilities);
    CHECK(p.capabilities->bounding == std::vector<std::string>{"CAP_KILL", "CAP_CHOWN"});
    CHECK(p.capabilities->effective == std::vector<std::string>{"CAP_KILL"});
    REQUIRE(p.capabilities->inheritable); // present but empty is not absent
    CHECK(p.capabilities->inheritable->empty());
    CHECK(p.capabilities->permitted == std::vector<std::string>{"CAP_KILL", "CAP_CHOWN"});
    CHECK(p.capabilities->ambient == std::vector<std::string>{"CAP_KILL"});
    REQUIRE(p.rlimits.size() == 2);
    CHECK(p.rlimits[0].type == "RLIMIT_NOFILE");
    CHECK(p.rlimits[0].hard == 4096);
    CHECK(p.rlimits[0].soft == 1024);
    CHECK(p.rlimits[1].type == "RLIMIT_CORE");
    CHECK(p.rlimits[1].hard == UINT64_MAX);
    CHECK(p.rlimits[1].soft == 0);
    CHECK(p.no_new_privileges);
    CHECK(p.apparmor_profile == "skiff-default");
    CHECK(p.oom_score_adj == -500);
    CHECK(p.selinux_label == "system_u:system_r:container_t:s0");
    REQUIRE(p.scheduler);
    CHECK(p.scheduler->policy == "SCHED_DEADLINE");
    CHECK(p.scheduler->nice == -5);
    CHECK(p.scheduler->priority == 3);
    CHECK(p.scheduler->flags ==
          std::vector<std::string>{"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM"});
    CHECK(p.scheduler->runtime == 100000u);
    CHECK(p.scheduler->deadline == 200000u);
    CHECK(p.scheduler->period == 300000u);
    REQUIRE(p.io_priority);
    CHECK(p.io_priority->klass == "IOPRIO_CLASS_BE");
    CHECK(p.io_priority->priority == 4);

    CHECK(s.root.path == "rootfs");
    CHECK(s.root.readonly);
    CHECK(s.hostname == "box");
    CHECK(s.domainname == "example.org");
    REQUIRE(s.mounts.size() == 2);
    CHECK(s.mounts[0].destination == "/proc");
    CHECK(s.mounts[0].type == "proc");
    CHECK(s.mounts[0].source == "proc");
    CHECK(s.mounts[0].options.empty());
    CHECK(s.mounts[1].destination == "/data");
    CHECK(s.mounts[1].type == "bind");
    CHECK(s.mounts[1].source == "/srv/data");
    CHECK(s.mounts[1].options == std::vector<std::string>{"rbind", "ro"});
    REQUIRE(s.mounts[1].uid_mappings.size() == 1);
    CHECK(s.mounts[1].uid_mappings[0].container_id == 0);
    CHECK(s.mounts[1].uid_mappings[0].host_id == 100000);
    CHECK(s.mounts[1].uid_mappings[0].size == 65536);
    REQUIRE(s.mounts[1].gid_mappings.size() == 1);
    CHECK(s.mounts[1].gid_mappings[0].host_id == 200000);

    REQUIRE(s.hooks);
    const auto& h = *s.hooks;
    REQUIRE(h.prestart.size() == 1);
    CHECK(h.prestart[0].path == "/usr/bin/prestart");
    CHECK(h.prestart[0].args == std::vector<std::string>{"prestart", "a"});
    CHECK(h.prestart[0].env == std::vector<std::string>{"X=1"});
    CHECK(h.prestart[0].timeout == 5);
    REQUIRE(h.create_runtime.size() == 1);
    CHECK(h.create_runtime[0].path == "/usr/bin/create-runtime");
    CHECK_FALSE(h.create_runtime[0].timeout);
    REQUIRE(h.create_container.size() == 1);
    CHECK(h.create_container[0].path == "/usr/bin/create-container");
    CHECK(h.create_container[0].timeout == 1);
    REQUIRE(h.start_container.size() == 1);
    CHECK(h.start_container[0].path == "/usr/bin/start-container");
    REQUIRE(h.poststart.size() == 2);
    CHECK(h.poststart[1].path == "/usr/bin/poststart2");
    REQUIRE(h.poststop.size() == 1);
    CHECK(h.poststop[0].timeout == 30);

    CHECK(s.annotations ==
          std::map<std::string, std::string>{{"run.skiff.isolation", "vm"}, {"org.example.key", "value"}});

    REQUIRE(s.linux_);
    const auto& l = *s.linux_;
    REQUIRE(l.namespaces.size() == 8);
    CHECK(l.namespaces[0].type == "pid");
    CHECK(l.namespaces[1].type == "network");
    CHECK(l.namespaces[1].path == "/var/run/netns/n1");
    CHECK(l.namespaces[7].type == "time");
    CHECK(l.has_namespace("cgroup"));
    REQUIRE(l.uid_mappings.size() == 1);
    CHECK(l.uid_mappings[0].host_id == 100000);
    REQUIRE(l.gid_mappings.size() == 2);
    CHECK(l.gid_mappings[1].container_id == 65536);
    CHECK(l.gid_mappings[1].host_id == 300000);
    CHECK(l.gid_mappings[1].size == 1);
    REQUIRE(l.time_offsets.size() == 2);
    CHECK(l.time_offsets.at("monotonic").secs == -86400);
    CHECK(l.time_offsets.at("monotonic").nanosecs == 5);
    CHECK(l.time_offsets.at("boottime").secs == 7);
    REQUIRE(l.devices.size() == 2);
    CHECK(l.devices[0].type == "c");
    CHECK(l.devices[0].path == "/dev/fuse");
    CHECK(l.devices[0].major == 10);
    CHECK(l.devices[0].minor == 229);
    CHECK(l.devices[0].file_mode == 438u);
    CHECK(l.devices[0].uid == 0u);
    CHECK(l.devices[0].gid == 0u);
    CHECK(l.devices[1].type == "p");
    CHECK_FALSE(l.devices[1].file_mode);
    CHECK(l.cgroups_path == "/skiff/test");

    REQUIRE(l.resources);
    const auto& r = *l.resources;
    REQUIRE(r.devices.size() == 3);
    CHECK_FALSE(r.devices[0].allow);
    CHECK(r.devices[0].type.empty());
    CHECK_FALSE(r.devices[0].major);
    CHECK(r.devices[0].access == "rwm");
    CHECK(r.devices[1].allow);
    CHECK(r.devices[1].type == "c");
    CHECK(r.devices[1].major == 10);
    CHECK(r.devices[1].minor == 229);
    CHECK(r.devices[2].major == 8);
    CHECK_FALSE(r.devices[2].minor);
    REQUIRE(r.memory);
    CHECK(r.memory->limit == 536870912);
    CHECK(r.memory->reservation == 268435456);
    CHECK(r.memory->swap == -1);
    CHECK(r.memory->kernel == 1024);
    CHECK(r.memory->kernel_tcp == 2048);
    CHECK(r.memory->swappiness == 60u);
    CHECK(r.memory->disable_oom_killer == true);
    CHECK(r.memory->use_hierarchy == false);
    CHECK(r.memory->check_before_update == true);
    REQUIRE(r.cpu);
    CHECK(r.cpu->shares == 512u);
    CHECK(r.cpu->quota == 50000);
    CHECK(r.cpu->burst == 10000u);
    CHECK(r.cpu->period == 100000u);
    CHECK(r.cpu->realtime_runtime == 950);
    CHECK(r.cpu->realtime_period == 1000u);
    CHECK(r.cpu->cpus == "0-1");
    CHECK(r.cpu->mems == "0");
    CHECK(r.cpu->idle == true);
    REQUIRE(r.pids);
    CHECK(r.pids->limit == 64);
    REQUIRE(r.block_io);
    const auto& b = *r.block_io;
    CHECK(b.weight == 500);
    CHECK(b.leaf_weight == 300);
    REQUIRE(b.weight_device.size() == 2);
    CHECK(b.weight_device[0].major == 8);
    CHECK(b.weight_device[0].minor == 0);
    CHECK(b.weight_device[0].weight == 600);
    CHECK(b.weight_device[0].leaf_weight == 200);
    CHECK(b.weight_device[1].minor == 16);
    CHECK(b.weight_device[1].weight == 700);
    CHECK_FALSE(b.weight_device[1].leaf_weight);
    REQUIRE(b.throttle_read_bps_device.size() == 1);
    CHECK(b.throttle_read_bps_device[0].rate == 1048576);
    REQUIRE(b.throttle_write_bps_device.size() == 1);
    CHECK(b.throttle_write_bps_device[0].rate == 2097152);
    REQUIRE(b.throttle_read_iops_device.size() == 1);
    CHECK(b.throttle_read_iops_device[0].rate == 100);
    REQUIRE(b.throttle_write_iops_device.size() == 1);
    CHECK(b.throttle_write_iops_device[0].rate == 200);
    CHECK(b.throttle_write_iops_device[0].major == 8);
    REQUIRE(r.hugepage_limits.size() == 2);
    CHECK(r.hugepage_limits[0].page_size == "2MB");
    CHECK(r.hugepage_limits[0].limit == 209715200);
    CHECK(r.hugepage_limits[1].page_size == "1GB");
    REQUIRE(r.network);
    CHECK(r.network->class_id == 1048577u);
    REQUIRE(r.network->priorities.size() == 1);
    CHECK(r.network->priorities[0].name == "eth0");
    CHECK(r.network->priorities[0].priority == 500);
    REQUIRE(r.rdma.size() == 2);
    CHECK(r.rdma.at("mlx5_1").hca_handles == 3u);
    CHECK(r.rdma.at("mlx5_1").hca_objects == 10000u);
    CHECK_FALSE(r.rdma.at("mlx4_0").hca_handles);
    CHECK(r.rdma.at("mlx4_0").hca_objects == 5u);
    CHECK(r.unified == std::map<std::string, std::string>{{"memory.high", "max"},
                                                          {"io.max", "8:0 rbps=1048576"}});

    CHECK(l.rootfs_propagation == "rslave");
    REQUIRE(l.seccomp);
    const auto& sc = *l.seccomp;
    CHECK(sc.default_action == "SCMP_ACT_ERRNO");
    CHECK(sc.default_errno_ret == 38u);
    CHECK(sc.architectures ==
          std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"});
    CHECK(sc.flags ==
          std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"});
    CHECK(sc.listener_path == "/run/seccomp-agent.sock");
    CHECK(sc.listener_metadata == "meta");
    REQUIRE(sc.syscalls.size() == 4);
    CHECK(sc.syscalls[0].names == std::vector<std::string>{"read", "write"});
    CHECK(sc.syscalls[0].action == "SCMP_ACT_ALLOW");
    CHECK_FALSE(sc.syscalls[0].errno_ret);
    REQUIRE(sc.syscalls[1].args.size() == 2);
    CHECK(sc.syscalls[1].args[0].index == 0);
    CHECK(sc.syscalls[1].args[0].value == 8);
    CHECK(sc.syscalls[1].args[0].value_two == 0);
    CHECK(sc.syscalls[1].args[0].op == "SCMP_CMP_EQ");
    CHECK(sc.syscalls[1].args[1].index == 1);
    CHECK(sc.syscalls[1].args[1].value == 255);
    CHECK(sc.syscalls[1].args[1].value_two == 16);
    CHECK(sc.syscalls[1].args[1].op == "SCMP_CMP_MASKED_EQ");
    CHECK(sc.syscalls[2].action == "SCMP_ACT_NOTIFY");
    CHECK(sc.syscalls[3].errno_ret == 1u);
    CHECK(l.sysctl == std::map<std::string, std::string>{{"net.ipv4.ip_forward", "1"},
                                                         {"kernel.shmmax", "65536"},
                                                         {"fs.mqueue.msg_max", "20"}});
    CHECK(l.masked_paths == std::vector<std::string>{"/proc/kcore", "/sys/firmware"});
    CHECK(l.readonly_paths == std::vector<std::string>{"/proc/sys"});
    CHECK(l.mount_label == "system_u:object_r:container_file_t:s0");
    REQUIRE(l.personality);
    CHECK(l.personality->domain == "LINUX32");
    CHECK(l.personality->flags == std::vector<std::string>{"SOMETHING"});
    REQUIRE(l.intel_rdt);
    CHECK(l.intel_rdt->clos_id == "clos1");
    CHECK(l.intel_rdt->l3_cache_schema == "L3:0=ff");
    CHECK(l.intel_rdt->mem_bw_schema == "MB:0=50");
}

} // namespace skiff_test
