#ifndef PLATEAU_CNCURSESW_SHIM_H
#define PLATEAU_CNCURSESW_SHIM_H
// Wide-character ncurses: these must be defined before the header is included.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncursesw/curses.h>

// Swift 6 rejects the C globals and cannot call lvalue macros: wrap them.
static inline WINDOW *plateau_stdscr(void) { return stdscr; }
/// newterm on stdout/stdin: NULL (instead of exiting, as initscr does) for an unusable terminal.
static inline SCREEN *plateau_newterm(void) { return newterm(NULL, stdout, stdin); }
static inline int plateau_lines(void) { return LINES; }
static inline int plateau_cols(void) { return COLS; }
static inline int plateau_maxy(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)x; return y; }
static inline int plateau_maxx(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)y; return x; }
static inline int plateau_color_pair(int n) { return COLOR_PAIR(n); }
static inline int plateau_key_resize(void) { return KEY_RESIZE; }
static inline int plateau_key_mouse(void) { return KEY_MOUSE; }
static inline attr_t plateau_a_bold(void) { return A_BOLD; }
static inline attr_t plateau_a_reverse(void) { return A_REVERSE; }
static inline attr_t plateau_a_dim(void) { return A_DIM; }
/// Draws one wide character (a Unicode scalar) with attributes and a colour pair at (y, x).
static inline int plateau_put_wchar(int y, int x, wchar_t ch, attr_t attrs, short pair) {
    cchar_t cc;
    wchar_t wstr[2] = { ch, L'\0' };
    if (setcchar(&cc, wstr, attrs, pair, NULL) != OK) return ERR;
    return mvwadd_wch(stdscr, y, x, &cc);
}
/// Reports button-1 clicks (and presses, which some terminals send instead) as KEY_MOUSE.
static inline void plateau_enable_mouse(void) {
    mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
    mouseinterval(0);
}
/// The position of the last mouse event; returns 0 when it was a button-1 click or press.
static inline int plateau_mouse_click(int *x, int *y) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return -1;
    if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))) return -1;
    *x = ev.x; *y = ev.y;
    return 0;
}
/// One key as a wide character: returns 1 and the character, 2 and a KEY_ code, or 0 (no key).
static inline int plateau_get_wch(int *out) {
    wint_t c;
    int r = wget_wch(stdscr, &c);
    if (r == ERR) return 0;
    *out = (int)c;
    return r == KEY_CODE_YES ? 2 : 1;
}
#endif
