import Foundation
import PlateauCore

/// The dashboard's event loop: take the newest model from the feed, draw when the model, the
/// state or the size changed, wait for a key, a click, a resize or a signal; restore the
/// terminal on every way out (quit key, Ctrl-C, SIGINT, SIGTERM, SIGHUP, a thrown error).
public struct Dashboard {
    public let feed: DashboardFeed
    public var state = DashboardState()
    /// The model shown before the first one arrives (says what is being read).
    public var placeholder: DashboardModel

    public init(feed: DashboardFeed, placeholder: DashboardModel) {
        self.feed = feed
        self.placeholder = placeholder
    }

    public mutating func run() throws {
        let terminal = try NcursesTerminal()
        defer { terminal.end() }
        feed.start()
        defer { feed.stop() }
        var model = placeholder
        var generation = 0
        var layout: DashboardLayout?
        var dirty = true
        while !terminal.terminationRequested && !state.quit {
            if let (g, m) = feed.take(after: generation) {
                generation = g
                model = m
                dirty = true
            }
            if dirty {
                let (frame, l) = DashboardView.render(model, state, width: terminal.width, height: terminal.height)
                terminal.draw(frame)
                layout = l
                dirty = false
            }
            // At most five redraws a second; a key is answered at once.
            switch terminal.read(timeout: 200) {
            case .timeout, .other: continue
            case .resize: dirty = true
            case .event(let e):
                let before = state
                state.apply(e, model: model, layout: layout)
                dirty = state != before
            }
        }
    }
}
