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

    /// Reads smaller than this are over before a progress line would be read.
    static let progressFloor: Int64 = 64 << 20

    /// Runs until quit; returns the signal that ended it, if one did (the caller exits 128 + it).
    /// The terminal is restored first: a read in progress on the feed thread (seconds, on a
    /// first look at gigabytes) is not waited for beyond a moment.
    @discardableResult
    public mutating func run() throws -> Int32? {
        feed.start()
        defer { feed.stop(waitingAtMost: 0.5) }
        let terminal = try NcursesTerminal()
        defer { terminal.end() }
        if !terminal.unicode { state.keepToASCII() }
        var model = placeholder
        var generation = 0
        var layout: DashboardLayout?
        var dirty = true
        // A long read (gigabytes on the first look) shows its progress in the status line.
        var reading: String?
        while !terminal.terminationRequested && !state.quit {
            if let (g, m) = feed.take(after: generation) {
                generation = g
                model = m
                dirty = true
            }
            if let p = feed.progress, p.totalBytes > Dashboard.progressFloor, p.bytesDone < p.totalBytes {
                let text = readingProgress(done: p.bytesDone, total: p.totalBytes, elapsed: IngestProgress.now - p.started)
                if text != reading { dirty = true }
                reading = text
            } else if reading != nil {
                reading = nil
                dirty = true
            }
            if dirty {
                var shown = model
                if let text = reading { shown.notice = text }
                let (frame, l) = DashboardView.render(shown, state, width: terminal.width, height: terminal.height)
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
        return terminal.stopSignal
    }
}
