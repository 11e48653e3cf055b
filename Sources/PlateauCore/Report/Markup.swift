import Foundation

/// A small writer of SVG and HTML (issue 18: charts without a charting library): elements with
/// their attributes in the order given, text and attribute values escaped, numbers written the
/// same way on every machine — so a page is byte-for-byte deterministic and golden-testable.
public struct Markup {
    public private(set) var text = ""

    public init() {}

    /// `<name a="v" …>`; a nil value leaves the attribute out.
    public mutating func open(_ name: String, _ attributes: [(String, String?)] = []) {
        text += "<" + name + Self.attributes(attributes) + ">"
    }

    public mutating func close(_ name: String) { text += "</" + name + ">" }

    /// `<name a="v"/>` (SVG) — HTML's void elements take `void`.
    public mutating func empty(_ name: String, _ attributes: [(String, String?)] = []) {
        text += "<" + name + Self.attributes(attributes) + "/>"
    }

    /// `<name …>` for HTML's void elements (`meta`, `br`).
    public mutating func void(_ name: String, _ attributes: [(String, String?)] = []) {
        text += "<" + name + Self.attributes(attributes) + ">"
    }

    /// `<name …>text</name>`, the text escaped.
    public mutating func element(_ name: String, _ attributes: [(String, String?)] = [], _ content: String) {
        open(name, attributes)
        text += Self.escape(content)
        close(name)
    }

    /// Escaped text.
    public mutating func write(_ content: String) { text += Self.escape(content) }

    /// Markup made elsewhere (another writer's text, a style sheet), as is.
    public mutating func raw(_ markup: String) { text += markup }

    public mutating func newline() { text += "\n" }

    static func attributes(_ list: [(String, String?)]) -> String {
        var s = ""
        for (k, v) in list { if let v { s += " " + k + "=\"" + escape(v) + "\"" } }
        return s
    }

    /// `&`, `<`, `>`, `"` and `'` as entities; every control character (which XML forbids and a
    /// log may carry) as `?`, as on a terminal.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if c.value < 0x20 && c != "\n" && c != "\t" || (0x7F..<0xA0).contains(c.value) || c.value == 0xFFFE || c.value == 0xFFFF {
                    out += "?"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    /// A coordinate: at most two decimals, no trailing zeros, never `-0` (so `12`, `12.5`,
    /// `3.14`): the same digits from every machine and run.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let hundredths = Int((v * 100).rounded())
        if hundredths == 0 { return "0" }
        let sign = hundredths < 0 ? "-" : ""
        let a = abs(hundredths)
        let whole = a / 100, frac = a % 100
        if frac == 0 { return "\(sign)\(whole)" }
        if frac % 10 == 0 { return "\(sign)\(whole).\(frac / 10)" }
        return "\(sign)\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }
}
