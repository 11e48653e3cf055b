import PlateauCore

/// Colours the dashboard uses; mapped to ncurses pairs by the backend, dropped under NO_COLOR.
public enum Color: UInt8, Sendable, CaseIterable {
    case normal, accent, muted, good, warning, critical, title
}

public struct Style: Equatable, Sendable {
    public var color: Color = .normal
    public var bold = false
    public var reverse = false
    public init(color: Color = .normal, bold: Bool = false, reverse: Bool = false) {
        self.color = color; self.bold = bold; self.reverse = reverse
    }
    public static let plain = Style()
}

public struct Cell: Equatable, Sendable {
    public var scalar: Unicode.Scalar = " "
    public var style = Style.plain
}

/// The screen as a pure value: a grid of cells that widgets draw into and tests read as text.
/// The backend compares two frames and writes only the cells that changed.
public struct Frame: Equatable, Sendable {
    public let width: Int, height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0 && y >= 0 && x < width && y < height { cells[y * width + x] = newValue } }
    }

    /// Draws `text` from (x, y), clipped to `maxWidth` columns and the frame; control
    /// characters and escape sequences from logs are replaced, never passed to the terminal.
    /// Returns the number of columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, maxWidth: Int = .max) -> Int {
        guard y >= 0, y < height else { return 0 }
        var col = x
        let limit = min(width, maxWidth == .max ? width : x + maxWidth)
        for s in Frame.sanitized(text) {
            if col >= limit { break }
            if col >= 0 { cells[y * width + col] = Cell(scalar: s, style: style) }
            col += 1
        }
        return max(0, col - x)
    }

    /// Fills a row segment with a style (e.g. a highlighted selection bar).
    public mutating func fill(y: Int, from x0: Int = 0, to x1: Int? = nil, style: Style) {
        guard y >= 0, y < height else { return }
        for x in max(0, x0)..<min(width, x1 ?? width) { cells[y * width + x] = Cell(scalar: " ", style: style) }
    }

    /// The scalars of `text` that are safe to draw (see `Sanitize.scalars`).
    public static func sanitized(_ text: String) -> [Unicode.Scalar] { Sanitize.scalars(text) }

    /// The frame as lines of text (trailing spaces kept), for tests and `--dump`.
    public var lines: [String] {
        (0..<height).map { y in
            var s = String.UnicodeScalarView()
            for x in 0..<width { s.append(cells[y * width + x].scalar) }
            return String(s)
        }
    }
}
