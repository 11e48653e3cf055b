#ifndef PLATEAU_CPREFETCH_H
#define PLATEAU_CPREFETCH_H

// Software prefetch, which Swift has no spelling for: asks for the cache line holding `p`
// without waiting for it (a hint: never faults, whatever `p` is). Inlined into the Swift
// caller by the compiler (a static inline function of an imported header).

static inline __attribute__((always_inline)) void plateau_prefetch_read(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

static inline __attribute__((always_inline)) void plateau_prefetch_write(const void *p) {
    __builtin_prefetch(p, 1, 3);
}

#endif
