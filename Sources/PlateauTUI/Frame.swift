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
        for var s in Frame.sanitized(text) {
            if col >= limit { break }
            // A cell is one column: a double-width glyph would push the rest of the row over.
            if Frame.isWide(s) { s = "?" }
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

    /// East Asian wide and fullwidth scalars and emoji (two columns on a terminal).
    public static func isWide(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD: return true
        default: return false
        }
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
