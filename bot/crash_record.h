// Crash record: which job was running on the thread that crashed the daemon.
//
// After the daemon died with jobs running, recovery must tell a job that
// crashes the daemon (it would crash it at every start: give it up) from a
// job that was merely running when something else stopped it (kill -9, a
// crash elsewhere, a power cut: do it again). A fatal signal — SIGSEGV,
// SIGBUS, SIGILL, SIGFPE, or SIGABRT, which an uncaught exception or a failed
// check ends in — taken on a worker thread appends that thread's job id to
// {data}/crashed-jobs before the process dies; the next start takes the file
// and recovery counts the attempt against that job alone (store/jobs.h
// RecoverInterruptedJobs). kill -9 cannot be caught, so it leaves no record
// and blames no job.
#ifndef SANDBOT_BOT_CRASH_RECORD_H_
#define SANDBOT_BOT_CRASH_RECORD_H_

#include <cstdint>
#include <set>
#include <string>

#include "util/status.h"

namespace sandbot {

// {data_dir}/crashed-jobs
std::string CrashRecordPath(const std::string& data_dir);
// Handles the fatal signals from now on, recording to `path` (async-signal-
// safe: open, write, close), then dies of the signal as before.
void InstallCrashRecorder(const std::string& path);
// The job the calling thread runs from now on (0: none). A worker thread
// calls it around each job; the first call gives the thread a stack of its
// own for the handler, so that a stack overflow is recorded too.
void SetThreadJob(int64_t job_id);
// The job ids recorded in `path`, one per line; the file is removed, so a
// crash is counted once (a kill before recovery commits loses the record:
// the job gets one more try, never one less).
Status TakeCrashRecord(const std::string& path, std::set<int64_t>* jobs);
// One record line, "job 42\n", written into `buf` (at least 32 bytes) without
// allocating; returns its length. Shared with the signal handler, for tests.
int FormatCrashLine(int64_t job_id, char* buf);

}  // namespace sandbot

#endif  // SANDBOT_BOT_CRASH_RECORD_H_
