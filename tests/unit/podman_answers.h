// Answers recorded from Podman 4.3.1 (Debian 12's `podman`, `podman system
// service` as root) and from dockerd 20.10.24, for the tests of what differs.
#ifndef SANDBOT_TESTS_UNIT_PODMAN_ANSWERS_H_
#define SANDBOT_TESTS_UNIT_PODMAN_ANSWERS_H_

namespace sandbot::recorded {

// GET /version
inline constexpr char kPodmanVersion[] =
    R"x({"Platform":{"Name":"linux/amd64/debian-12"},"Components":[{"Name":"Podman Engine",)x"
    R"x("Version":"4.3.1","Details":{"APIVersion":"4.3.1","Arch":"amd64","BuildTime":)x"
    R"x("1970-01-01T00:00:00Z","Experimental":"false","GitCommit":"","GoVersion":"go1.19.8",)x"
    R"x("KernelVersion":"6.18.44-fc-v857","MinAPIVersion":"4.0.0","Os":"linux"}},{"Name":)x"
    R"x("Conmon","Version":"conmon version 2.1.6, commit: unknown","Details":{"Package":)x"
    R"x("conmon_2.1.6+ds1-1_amd64"}},{"Name":"OCI Runtime (runc)","Version":"runc version )x"
    R"x(1.1.5+ds1","Details":{"Package":"runc_1.1.5+ds1-1+deb12u1_amd64"}}],"Version":"4.3.1",)x"
    R"x("ApiVersion":"1.41","MinAPIVersion":"1.24","GitCommit":"","GoVersion":"go1.19.8",)x"
    R"x("Os":"linux","Arch":"amd64","KernelVersion":"6.18.44-fc-v857","BuildTime":)x"
    R"x("1970-01-01T00:00:00Z"})x";
inline constexpr char kDockerVersion[] =
    R"x({"Platform":{"Name":""},"Components":[{"Name":"Engine","Version":"20.10.24+dfsg1",)x"
    R"x("Details":{"ApiVersion":"1.41","Arch":"amd64","MinAPIVersion":"1.12","Os":"linux"}},)x"
    R"x({"Name":"containerd","Version":"1.6.20~ds1","Details":{"GitCommit":)x"
    R"x("1.6.20~ds1-1+deb12u3"}},{"Name":"runc","Version":"1.1.5+ds1","Details":{"GitCommit":)x"
    R"x("1.1.5+ds1-1+deb12u1"}}],"Version":"20.10.24+dfsg1","ApiVersion":"1.41",)x"
    R"x("MinAPIVersion":"1.12","GitCommit":"5d6db84","Os":"linux","Arch":"amd64"})x";

// HTTP 500 answers, each for a refusal dockerd gives a code of its own.
// POST /containers/create?name=N when N is taken (dockerd: 409).
inline constexpr char kNameInUse[] =
    R"x({"cause":"that name is already in use","message":"container create: creating container )x"
    R"x(storage: the container name \"sandbox-a-db\" is already in use by 7aabcb6c6d17f0e0e8ccb9)x"
    R"x(3e448b066790f12bbf4f85be5071621fb280f04f96. You have to remove that container to be )x"
    R"x(able to reuse that name: that name is already in use","response":500})x";
// POST /networks/create for a name that exists (dockerd: 409).
inline constexpr char kNetworkExists[] =
    R"x({"cause":"network already exists","message":"network name sandbox-a already used: )x"
    R"x(network already exists","response":500})x";
// DELETE /networks/N while a container uses it (dockerd: 403).
inline constexpr char kNetworkInUse[] =
    R"x({"cause":"network is being used","message":"\"sandbox-a\" has associated containers )x"
    R"x(with it. Use -f to forcibly delete containers and pods: network is being used",)x"
    R"x("response":500})x";
// POST /containers/N/kill?signal=NOPE (dockerd: 400).
inline constexpr char kInvalidSignal[] =
    R"x({"cause":"invalid signal: NOPE","message":"invalid signal: NOPE","response":500})x";
// POST /networks/create when the subnet pools are used up.
inline constexpr char kNoFreeSubnet[] =
    R"x({"cause":"could not find free subnet from subnet pools","message":"could not find free )x"
    R"x(subnet from subnet pools","response":500})x";
// POST /containers/N/start where Podman lacks CAP_SYS_RESOURCE.
inline constexpr char kRlimitRefused[] =
    R"x({"cause":"OCI permission denied","message":"runc: runc create failed: unable to start )x"
    R"x(container process: error during container init: error setting rlimits for ready )x"
    R"x(process: error setting rlimit type 6: operation not permitted: OCI permission )x"
    R"x(denied","response":500})x";
// GET /containers/c2/json while `stop?t=10` waits for it (trimmed);
// dockerd says "running", true until the process exits.
inline constexpr char kInspectWhileStopping[] =
    R"x({"Id":"c2","Name":"/c2","RestartCount":0,"Image":"sha256:2008","State":{"Status":)x"
    R"x("stopping","Running":false,"Paused":false,"Restarting":false,"OOMKilled":false,)x"
    R"x("Dead":false,"Pid":31822,"ExitCode":0,"Error":"","Health":{"Status":"",)x"
    R"x("FailingStreak":0,"Log":null}}})x";
// GET /containers/json?all=1 at the same moment (trimmed).
inline constexpr char kListWhileStopping[] =
    R"x([{"Id":"c2","Names":["/c2"],"Image":"docker.io/sandbot/busybox:latest",)x"
    R"x("Labels":{"sandbot.managed":"true"},"State":"stopping","Status":"Stopping"}])x";

// Codes Podman already gives as dockerd does (kept as they are).
// GET /containers/nope/json: 404
inline constexpr char kNoSuchContainer[] =
    R"x({"cause":"no such container","message":"no container with name or ID \"nope\" found: )x"
    R"x(no such container","response":404})x";

}  // namespace sandbot::recorded

#endif  // SANDBOT_TESTS_UNIT_PODMAN_ANSWERS_H_
