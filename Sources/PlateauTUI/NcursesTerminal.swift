import CNcursesW
import Foundation
import Synchronization

/// Set from signal handlers (SIGINT, SIGTERM, SIGHUP); the event loop polls it.
let terminationSignal = Atomic<Int32>(0)

/// The only place that talks to ncurses: starts and restores the terminal, flushes frames
/// (only the cells that changed since the last one), and reads keys with a timeout.
public final class NcursesTerminal {
    public private(set) var width = 0, height = 0
    private var previous: Frame?
    private let useColor: Bool
    private var active = false
    /// Whether the locale's character set is UTF-8 (braille, blocks and box drawing show);
    /// under `LANG=C` they would come out blank or as junk, so the dashboard keeps to ASCII.
    public private(set) var unicode = true

    public struct Unusable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Takes over the terminal; throws when it cannot be driven (no cursor addressing).
    public init() throws {
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        if term.isEmpty || term == "dumb" {
            throw Unusable(description: "the dashboard needs a terminal that can move its cursor (TERM=\(term.isEmpty ? "unset" : term)); for text use `plateau --snapshot`")
        }
        setlocale(LC_ALL, "")
        unicode = NcursesTerminal.isUTF8(nl_langinfo(nl_item(CODESET)).map { String(cString: $0) } ?? "")
        // ncurses catches SIGWINCH only when it is at its default: a parent that ignored or
        // blocked it (a test runner, a supervisor) would leave the dashboard deaf to resizes.
        signal(SIGWINCH, SIG_DFL)
        var winch = sigset_t()
        sigemptyset(&winch)
        sigaddset(&winch, SIGWINCH)
        pthread_sigmask(SIG_UNBLOCK, &winch, nil)
        // newterm, unlike initscr, reports an unknown terminal instead of exiting.
        guard plateau_newterm() != nil else {
            throw Unusable(description: "cannot drive terminal type '\(term)'; for text use `plateau --snapshot`")
        }
        raw()          // Ctrl-C arrives as a key; SIGINT from elsewhere still stops us cleanly
        noecho()
        keypad(plateau_stdscr(), true)
        curs_set(0)
        set_escdelay(25)           // Esc clears the filter at once, not after a second
        plateau_enable_mouse()
        active = true
        let env = ProcessInfo.processInfo.environment
        let noColor = env["NO_COLOR"].map { !$0.isEmpty } ?? false
        useColor = !noColor && has_colors() && env["TERM"] != "dumb"
        if useColor {
            start_color()
            use_default_colors()
            init_pair(Int16(Color.accent.rawValue), Int16(COLOR_CYAN), -1)
            init_pair(Int16(Color.muted.rawValue), -1, -1)    // the default colour, dimmed (readable on light and dark)
            init_pair(Int16(Color.good.rawValue), Int16(COLOR_GREEN), -1)
            init_pair(Int16(Color.warning.rawValue), Int16(COLOR_YELLOW), -1)
            init_pair(Int16(Color.critical.rawValue), Int16(COLOR_RED), -1)
            init_pair(Int16(Color.title.rawValue), Int16(COLOR_BLUE), -1)
        }
        // A parent may have left these blocked (an inherited signal mask): unblock them, or
        // SIGTERM would never reach the handler and the terminal would never be restored.
        var mask = sigset_t()
        sigemptyset(&mask)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            sigaddset(&mask, sig)
            signal(sig) { s in terminationSignal.store(s, ordering: .relaxed) }
        }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        updateSize()
    }

    /// A `nl_langinfo(CODESET)` that is UTF-8 (`UTF-8`, `utf8`).
    public static func isUTF8(_ codeset: String) -> Bool {
        codeset.lowercased().filter { $0 != "-" && $0 != "_" } == "utf8"
    }

    public var terminationRequested: Bool { terminationSignal.load(ordering: .relaxed) != 0 }
    /// The signal that asked us to stop (SIGINT, SIGTERM, SIGHUP), if any.
    public var stopSignal: Int32? { let s = terminationSignal.load(ordering: .relaxed); return s == 0 ? nil : s }

    public func updateSize() {
        width = Int(plateau_maxx(plateau_stdscr()))
        height = Int(plateau_maxy(plateau_stdscr()))
    }

    /// Writes the cells that differ from the previous frame, then refreshes once.
    public func draw(_ frame: Frame) {
        let full = previous == nil || previous!.width != frame.width || previous!.height != frame.height
        if full { erase() }
        for y in 0..<frame.height {
            for x in 0..<frame.width {
                let c = frame[x, y]
                if !full, let p = previous, p[x, y] == c { continue }
                // The bottom-right cell cannot be written without scrolling on many terminals.
                if y == frame.height - 1 && x == frame.width - 1 { continue }
                var attrs = attr_t(0)
                if c.style.bold { attrs |= plateau_a_bold() }
                if c.style.reverse { attrs |= plateau_a_reverse() }
                if c.style.color == .muted { attrs |= plateau_a_dim() }
                let pair = useColor && c.style.color != .normal ? Int16(c.style.color.rawValue) : 0
                _ = plateau_put_wchar(Int32(y), Int32(x), wchar_t(bitPattern: c.scalar.value), attrs, pair)
            }
        }
        refresh()
        previous = frame
    }

    public enum Input: Equatable { case event(DashboardState.Event), resize, timeout, other }

    /// Waits up to `milliseconds` for a key, a click or a resize.
    public func read(timeout milliseconds: Int32) -> Input {
        wtimeout(plateau_stdscr(), milliseconds)
        var code: Int32 = 0
        switch plateau_get_wch(&code) {
        case 0: return .timeout
        case 2:
            if code == plateau_key_resize() { updateSize(); previous = nil; return .resize }
            if code == plateau_key_mouse() {
                var x: Int32 = 0, y: Int32 = 0
                return plateau_mouse_click(&x, &y) == 0 ? .event(.click(x: Int(x), y: Int(y))) : .other
            }
            return NcursesTerminal.key(code: code).map { .event(.key($0)) } ?? .other
        default:
            return NcursesTerminal.key(character: code).map { .event(.key($0)) } ?? .other
        }
    }

    /// ncurses KEY_ codes (curses.h) the dashboard uses.
    static func key(code: Int32) -> DashboardState.Key? {
        switch code {
        case 0o402: return .down
        case 0o403: return .up
        case 0o404: return .left
        case 0o405: return .right
        case 0o407: return .backspace
        case 0o527: return .enter
        case 0o541: return .backTab
        default: return nil
        }
    }

    /// A typed character; control characters become the keys they stand for.
    static func key(character code: Int32) -> DashboardState.Key? {
        switch code {
        case 3: return .ctrlC
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 0..<32: return nil
        default: return Unicode.Scalar(UInt32(code)).map { .char(Character($0)) }
        }
    }

    /// Restores the terminal; safe to call more than once.
    public func end() {
        guard active else { return }
        active = false
        endwin()
    }

    deinit { end() }
}
