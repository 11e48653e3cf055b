/// What the TOML parser (toml++, through TOMLKit) must not be given, because it asserts on it
/// (an abort in debug builds, an assumption the optimiser relies on in release builds) instead
/// of reporting an error. Both were found by the `config` fuzz target (Tests/fuzz):
/// - a table header (`[` or `[[` at the start of a statement) whose first key does not start
///   with a bare-key character or a quote — `[é]`, `[.a]`, `[=]`, a `[` at the end of a line or
///   of the text (`parse_key`);
/// - an array element that starts with a `}` or with a Unicode line break (U+0085, U+2028,
///   U+2029) — `a = [}`, `a = [1, }]` (`parse_array` calls `parse_value` on what its own
///   whitespace skipping leaves, and `parse_value` assumes it is no value terminator).
/// Strings and comments are skipped; brackets are tracked, so an array whose lines start with
/// `[` is no header and a `,` inside an inline table starts no array element.
enum TOMLGuard {
    /// The 1-based line of the first such construct and what is wrong with it, or nil.
    static func firstAssertion(_ text: String) -> (line: Int, message: String)? {
        let header = "a table header must name a key: a letter, digit, '_', '-' or a quoted key after '['"
        let element = "an array element must start with a value, not '}' or a line separator"
        let b = Array(text.utf8)
        var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0, line = 1  // toml++ skips a BOM
        var open: [UInt8] = []  // the brackets of values open here: `[` arrays, `{` inline tables
        var depth: Int { open.count }
        var elementStart = false  // just after an array's `[` or `,`: an element must start here
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
            if elementStart && c != UInt8(ascii: "#") {
                elementStart = false
                if c == UInt8(ascii: "}") { return (line, element) }
                if c == 0xC2 && i + 1 < b.count && b[i + 1] == 0x85 { return (line, element) }
                if c == 0xE2 && i + 2 < b.count && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9) { return (line, element) }
            }
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
                guard j < b.count, bareOrQuote(b[j]) || b[j] == UInt8(ascii: "]") else { return (line, header) }
                // The rest of the header line: its quoted keys may hold anything.
                i = j
                continue
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                open.append(c)
                elementStart = c == UInt8(ascii: "[")
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if !open.isEmpty { open.removeLast() }
            case UInt8(ascii: ","):
                elementStart = open.last == UInt8(ascii: "[")
            default: break
            }
            i += 1
        }
        return nil
    }

}
