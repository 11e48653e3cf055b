import PlateauCore

/// The dashboard's event loop: draw the current view, wait for a key, a resize or a signal,
/// and restore the terminal on every way out (quit key, Ctrl-C, SIGTERM, a thrown error).
public struct Dashboard {
    public let roots: [String]
    public let inputs: [DiscoveredInput]

    public init(roots: [String], inputs: [DiscoveredInput]) {
        self.roots = roots
        self.inputs = inputs
    }

    public func run() throws {
        let terminal = NcursesTerminal()
        defer { terminal.end() }
        var view = InputsView(roots: roots, inputs: inputs)
        var dirty = true
        while !terminal.terminationRequested {
            if dirty { terminal.draw(view.render(width: terminal.width, height: terminal.height)); dirty = false }
            switch terminal.read(timeout: 250) {
            case .timeout: continue
            case .resize: dirty = true
            case .key(let k):
                switch DashboardKey(k) {
                case .quit: return
                case .down: view.scroll = min(view.scroll + 1, max(0, inputs.count - 1)); dirty = true
                case .up: view.scroll = max(0, view.scroll - 1); dirty = true
                case .none: continue
                }
            }
        }
    }
}

/// Keys the dashboard understands at this stage.
enum DashboardKey {
    case quit, up, down, none
    init(_ code: Int32) {
        switch code {
        case Int32(UInt8(ascii: "q")), Int32(UInt8(ascii: "Q")), 3: self = .quit   // 3: Ctrl-C in raw mode
        case Int32(UInt8(ascii: "j")), 0o402: self = .down                           // KEY_DOWN
        case Int32(UInt8(ascii: "k")), 0o403: self = .up                             // KEY_UP
        default: self = .none
        }
    }
}
