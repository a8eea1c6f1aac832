#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "child.hpp"
#include "security/security.hpp"

namespace sec = skiff::runtime::security;
using namespace skiff::test;

namespace {

template <class F>
std::string error_of(F&& f) {
    auto r = f();
    return r ? std::string("none") : r.error().message;
}

} // namespace

TEST_CASE("oom_score_adj is written and read back from /proc", "[attrs]") {
    auto e = run_in_child([](int out) {
        say(out, "error=" + error_of([] { return sec::set_oom_score_adj(567); }) + "\n");
        say(out, "adj=" + read_file("/proc/self/oom_score_adj"));
        return 0;
    });
    INFO(e.out);
    CHECK(field(e.out, "error") == "none");
    CHECK(field(e.out, "adj") == "567");
    CHECK(error_of([] { return sec::set_oom_score_adj(1001); }) ==
          "process.oomScoreAdj: 1001 is out of range (-1000..1000)");
}

TEST_CASE("personality LINUX32 with flags is what the process runs with", "[attrs]") {
    auto e = run_in_child([](int out) {
        skiff::oci::Personality p{"LINUX32", {"ADDR_NO_RANDOMIZE"}};
        say(out, "error=" + error_of([&] { return sec::set_personality(p); }) + "\n");
        say(out, "persona=" + std::to_string(personality(0xffffffff)) + "\n");
        // What a user sees: a 32-bit personality reports i686 from uname.
        dup2(out, 1);
        execl("/bin/uname", "uname", "-m", nullptr);
        return 4;
    });
    INFO(e.out);
    CHECK(field(e.out, "error") == "none");
    CHECK(field(e.out, "persona") == std::to_string(int{PER_LINUX32} | int{ADDR_NO_RANDOMIZE}));
    CHECK(e.out.find("\ni686\n") != std::string::npos);
}

TEST_CASE("personality errors name the field", "[attrs]") {
    CHECK(error_of([] { return sec::set_personality({"LINUX64", {}}); }) ==
          "linux.personality.domain: unknown domain \"LINUX64\" (LINUX or LINUX32)");
    CHECK(error_of([] { return sec::set_personality({"LINUX", {"ADDR_NO_RANDOMIZE", "FAST"}}); }) ==
          "linux.personality.flags[1]: unknown flag \"FAST\"");
}

TEST_CASE("scheduler policy, nice and priority are applied with sched_setattr", "[attrs]") {
    SECTION("SCHED_BATCH with nice") {
        auto e = run_in_child([](int out) {
            skiff::oci::Scheduler s;
            s.policy = "SCHED_BATCH";
            s.nice = 7;
            say(out, "error=" + error_of([&] { return sec::set_scheduler(s); }) + "\n");
            say(out, "policy=" + std::to_string(sched_getscheduler(0)) + "\nnice=" +
                         std::to_string(getpriority(PRIO_PROCESS, 0)) + "\n");
            return 0;
        });
        INFO(e.out);
        CHECK(field(e.out, "error") == "none");
        CHECK(field(e.out, "policy") == std::to_string(SCHED_BATCH));
        CHECK(field(e.out, "nice") == "7");
    }
    SECTION("SCHED_IDLE with reset-on-fork") {
        auto e = run_in_child([](int out) {
            skiff::oci::Scheduler s;
            s.policy = "SCHED_IDLE";
            s.flags = {"SCHED_FLAG_RESET_ON_FORK"};
            say(out, "error=" + error_of([&] { return sec::set_scheduler(s); }) + "\n");
            say(out, "policy=" + std::to_string(sched_getscheduler(0)) + "\n");
            return 0;
        });
        INFO(e.out);
        CHECK(field(e.out, "error") == "none");
        CHECK(field(e.out, "policy") == std::to_string(SCHED_IDLE | SCHED_RESET_ON_FORK));
    }
    SECTION("SCHED_RR with a real-time priority") {
        SKIFF_NEED_ROOT();
        auto e = run_in_child([](int out) {
            skiff::oci::Scheduler s;
            s.policy = "SCHED_RR";
            s.priority = 10;
            say(out, "error=" + error_of([&] { return sec::set_scheduler(s); }) + "\n");
            sched_param p{};
            sched_getparam(0, &p);
            say(out, "policy=" + std::to_string(sched_getscheduler(0)) + "\nprio=" +
                         std::to_string(p.sched_priority) + "\n");
            return 0;
        });
        INFO(e.out);
        if (field(e.out, "error") == "sched_setattr SCHED_RR: Operation not permitted") {
            WARN("skipped: this cgroup has no real-time budget (RT group scheduling)");
            return;
        }
        CHECK(field(e.out, "error") == "none");
        CHECK(field(e.out, "policy") == std::to_string(SCHED_RR));
        CHECK(field(e.out, "prio") == "10");
    }
}

TEST_CASE("scheduler errors name the field", "[attrs]") {
    skiff::oci::Scheduler s;
    s.policy = "SCHED_FAST";
    CHECK(error_of([&] { return sec::set_scheduler(s); }) ==
          "process.scheduler.policy: unknown policy \"SCHED_FAST\"");
    s.policy = "SCHED_OTHER";
    s.priority = 5;
    CHECK(error_of([&] { return sec::set_scheduler(s); }) ==
          "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority, not "
          "SCHED_OTHER");
    s.priority.reset();
    s.nice = 25;
    CHECK(error_of([&] { return sec::set_scheduler(s); }) ==
          "process.scheduler.nice: 25 is out of range (-20..19) for SCHED_OTHER");
    s.nice.reset();
    s.flags = {"SCHED_FLAG_NOPE"};
    CHECK(error_of([&] { return sec::set_scheduler(s); }) ==
          "process.scheduler.flags[0]: unknown flag \"SCHED_FLAG_NOPE\"");
    s.flags.clear();
    s.runtime = 1000;
    CHECK(error_of([&] { return sec::set_scheduler(s); }) ==
          "process.scheduler: runtime, deadline and period are only for SCHED_DEADLINE, not "
          "SCHED_OTHER");
}

TEST_CASE("io priority class and level are read back with ioprio_get", "[attrs]") {
    auto e = run_in_child([](int out) {
        say(out, "error=" + error_of([] { return sec::set_io_priority({"IOPRIO_CLASS_BE", 6}); }) + "\n");
        say(out, "be=" + std::to_string(syscall(SYS_ioprio_get, 1, 0)) + "\n");
        say(out, "error2=" + error_of([] { return sec::set_io_priority({"IOPRIO_CLASS_IDLE", 0}); }) + "\n");
        say(out, "idle=" + std::to_string(syscall(SYS_ioprio_get, 1, 0)) + "\n");
        return 0;
    });
    INFO(e.out);
    CHECK(field(e.out, "error") == "none");
    CHECK(field(e.out, "be") == std::to_string((2 << 13) | 6));
    CHECK(field(e.out, "error2") == "none");
    CHECK(field(e.out, "idle") == std::to_string(3 << 13));
    CHECK(error_of([] { return sec::set_io_priority({"IOPRIO_CLASS_FAST", 0}); }) ==
          "process.ioPriority.class: unknown class \"IOPRIO_CLASS_FAST\"");
    CHECK(error_of([] { return sec::set_io_priority({"IOPRIO_CLASS_BE", 8}); }) ==
          "process.ioPriority.priority: 8 is out of range (0..7)");
}

TEST_CASE("no_new_privileges shows in /proc/self/status", "[attrs]") {
    auto e = run_in_child([](int out) {
        say(out, "before=" + status_field("NoNewPrivs") + "\n");
        say(out, "error=" + error_of([] { return sec::set_no_new_privileges(); }) + "\n");
        say(out, "after=" + status_field("NoNewPrivs") + "\n");
        return 0;
    });
    INFO(e.out);
    CHECK(field(e.out, "before") == "0");
    CHECK(field(e.out, "error") == "none");
    CHECK(field(e.out, "after") == "1");
}
