// Clang thread-safety annotations (-Wthread-safety), as in Abseil's
// thread_annotations.h: they state which mutex guards a member and which
// locks a function needs, and clang checks them at compile time. Under GCC
// they expand to nothing. `make lint` compiles the annotated files with
// clang++ -Wthread-safety -Werror.
//
// Only annotated lock types are understood: use sandbot::Mutex and
// MutexLock (util/mutex.h), not std::mutex and std::lock_guard.
#ifndef SANDBOT_UTIL_THREAD_ANNOTATIONS_H_
#define SANDBOT_UTIL_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define SANDBOT_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SANDBOT_THREAD_ANNOTATION(x)
#endif

// A type that is a lock (a mutex).
#define CAPABILITY(x) SANDBOT_THREAD_ANNOTATION(capability(x))
// An RAII type that holds a lock for its lifetime.
#define SCOPED_CAPABILITY SANDBOT_THREAD_ANNOTATION(scoped_lockable)
// The member may only be read or written while `x` is held.
#define GUARDED_BY(x) SANDBOT_THREAD_ANNOTATION(guarded_by(x))
// The data the pointer member points to is guarded by `x`.
#define PT_GUARDED_BY(x) SANDBOT_THREAD_ANNOTATION(pt_guarded_by(x))
// The caller must hold the locks.
#define REQUIRES(...) SANDBOT_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// The caller must not hold the locks (the function takes them).
#define EXCLUDES(...) SANDBOT_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// The function takes the locks and returns holding them.
#define ACQUIRE(...) SANDBOT_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
// The function releases locks the caller held.
#define RELEASE(...) SANDBOT_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
// The function returns a reference to the lock `x`.
#define RETURN_CAPABILITY(x) SANDBOT_THREAD_ANNOTATION(lock_returned(x))
// Opts a function out of the analysis; say why next to it.
#define NO_THREAD_SAFETY_ANALYSIS SANDBOT_THREAD_ANNOTATION(no_thread_safety_analysis)

#endif  // SANDBOT_UTIL_THREAD_ANNOTATIONS_H_
