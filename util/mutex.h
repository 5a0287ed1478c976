// Mutex and MutexLock: std::mutex and std::lock_guard with the annotations
// clang's -Wthread-safety understands (libstdc++'s are not annotated), so
// GUARDED_BY members are checked at compile time. RecursiveMutex is the same
// over std::recursive_mutex, for the store's connection lock.
#ifndef SANDBOT_UTIL_MUTEX_H_
#define SANDBOT_UTIL_MUTEX_H_

#include <mutex>

#include "util/thread_annotations.h"

namespace sandbot {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // BasicLockable, for std::condition_variable_any: a wait on the held
  // Mutex gives it back before returning.
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class CAPABILITY("mutex") RecursiveMutex {
 public:
  RecursiveMutex() = default;
  RecursiveMutex(const RecursiveMutex&) = delete;
  RecursiveMutex& operator=(const RecursiveMutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  std::recursive_mutex mu_;
};

// Holds `mu` from construction to destruction.
template <typename M>
class SCOPED_CAPABILITY BasicMutexLock {
 public:
  explicit BasicMutexLock(M* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~BasicMutexLock() RELEASE() { mu_->Unlock(); }
  BasicMutexLock(const BasicMutexLock&) = delete;
  BasicMutexLock& operator=(const BasicMutexLock&) = delete;

 private:
  M* const mu_;
};

using MutexLock = BasicMutexLock<Mutex>;
using RecursiveMutexLock = BasicMutexLock<RecursiveMutex>;

}  // namespace sandbot

#endif  // SANDBOT_UTIL_MUTEX_H_
