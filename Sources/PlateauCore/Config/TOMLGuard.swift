/// What the TOML parser (toml++, through TOMLKit) must not be given: a table header (`[` or
/// `[[` at the start of a statement) whose first key does not start with a bare-key character
/// or a quote — `[é]`, `[.a]`, `[=]`, a `[` at the end of a line or of the text. toml++ asserts
/// on it (`parse_key`: an abort in debug builds, an assumption the optimiser relies on in
/// release builds). Found by the `config` fuzz target (Tests/fuzz). Strings, comments and the
/// brackets of array values are skipped, so an array whose lines start with `[` is no header.
enum TOMLGuard {
    /// The 1-based line of the first such header, or nil.
    static func badTableHeader(_ text: String) -> Int? {
        let b = Array(text.utf8)
        var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0, line = 1, depth = 0  // toml++ skips a BOM
        var lineStart = true  // only blanks since the last line feed
        func bareOrQuote(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D || c == 0x22 || c == 0x27
        }
        func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D }
        while i < b.count {
            let c = b[i]
            if c == 0x0A { line += 1; lineStart = true; i += 1; continue }
            if blank(c) { i += 1; continue }
            let atStatement = lineStart && depth == 0
            lineStart = false
            switch c {
            case UInt8(ascii: "#"):
                while i < b.count && b[i] != 0x0A { i += 1 }
                continue  // the line feed starts the next statement
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let triple = i + 2 < b.count && b[i + 1] == c && b[i + 2] == c
                i += triple ? 3 : 1
                while i < b.count {
                    if b[i] == 0x0A { if !triple { break }; line += 1 }
                    if c == UInt8(ascii: "\"") && b[i] == UInt8(ascii: "\\") { i += 2; continue }
                    if b[i] == c && (!triple || (i + 2 < b.count && b[i + 1] == c && b[i + 2] == c)) {
                        i += triple ? 3 : 1
                        break
                    }
                    i += 1
                }
                continue
            case UInt8(ascii: "[") where atStatement:
                var j = i + 1
                if j < b.count && b[j] == UInt8(ascii: "[") { j += 1 }
                while j < b.count && (b[j] == 0x20 || b[j] == 0x09) { j += 1 }  // toml++ skips these only
                guard j < b.count, bareOrQuote(b[j]) || b[j] == UInt8(ascii: "]") else { return line }
                // The rest of the header line: its quoted keys may hold anything.
                i = j
                continue
            case UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "]"): depth = max(0, depth - 1)
            default: break
            }
            i += 1
        }
        return nil
    }

    static let message = "a table header must name a key: a letter, digit, '_', '-' or a quoted key after '['"
}
