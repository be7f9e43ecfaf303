// Linux calls that Swift's Glibc module does not export: the wall-clock timerfd the daemon sleeps on.
#ifndef CONVENE_CLINUX_H
#define CONVENE_CLINUX_H

#include <malloc.h>
#include <sys/timerfd.h>
#include <time.h>

/// A CLOCK_REALTIME timerfd: wakes at a wall-clock instant even across suspend, and (with CANCEL_ON_SET) as
/// soon as the clock is set, so the daemon re-plans instead of sleeping through a corrected clock.
static inline int clinux_wall_timer(void) {
    return timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
}

/// Arms `fd` to fire at `seconds` since the epoch (0 disarms).
static inline int clinux_arm_wall_timer(int fd, double seconds) {
    struct itimerspec spec = {0};
    if (seconds > 0) {
        spec.it_value.tv_sec = (time_t)seconds;
        spec.it_value.tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9);
        if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
    }
    return timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, 0);
}

/// Hands freed heap memory back to the kernel: after planning a national roster the daemon sleeps with a
/// fraction of the memory the plan needed, and should not keep the rest resident.
static inline void clinux_release_free_memory(void) {
    malloc_trim(0);
}

#endif
