#ifndef PLATEAU_CZLIB_SHIM_H
#define PLATEAU_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2/inflateInit2 are macros over the *_ functions: expose them to Swift.
static inline int plateau_deflate_init_gzip(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
static inline int plateau_inflate_init_gzip(z_streamp strm) {
    // 15 + 32: accept gzip and zlib headers, detected automatically.
    return inflateInit2(strm, 15 + 32);
}
#endif
