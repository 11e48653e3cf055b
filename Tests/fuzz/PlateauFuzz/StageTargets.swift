import PlateauCore

extension FuzzTargets {
    /// The format sniffer. Checks: a byte-order mark in front changes nothing, nor CR LF line
    /// ends for LF ones (exports from Windows), nor anything past the bytes it looks at.
    static let sniffer = FuzzTarget("sniffer") { input in
        let bytes = Array(input)
        let format = FormatSniffer.sniff(bytes)
        if !bytes.starts(with: [0xEF, 0xBB, 0xBF]) && bytes.count + 3 <= FormatSniffer.sniffLength {
            let bom = FormatSniffer.sniff([0xEF, 0xBB, 0xBF] + bytes)
            check(bom == format, "with a BOM: \(String(describing: bom)), without: \(String(describing: format))")
        }
        var crlf: [UInt8] = []
        for (i, b) in bytes.enumerated() {
            if b == 0x0A && (i == 0 || bytes[i - 1] != 0x0D) { crlf.append(0x0D) }
            crlf.append(b)
        }
        if crlf.count <= FormatSniffer.sniffLength {
            let c = FormatSniffer.sniff(crlf)
            check(c == format, "with CR LF: \(String(describing: c)), with LF: \(String(describing: format))")
        }
        if bytes.count <= FormatSniffer.sniffLength {
            // Padding of line feeds (blank lines: cheap to sniff past).
            let pad = [UInt8](repeating: 0x0A, count: FormatSniffer.sniffLength - bytes.count)
            let padded = FormatSniffer.sniff(bytes + pad + bytes)
            let cut = FormatSniffer.sniff(bytes + pad)
            check(padded == cut, "bytes past the sniff length changed the format")
        }
    }

    /// The line framer against a plain reference (split on LF, drop one CR before it and a BOM
    /// at the start, a line longer than the limit is overlong), fed in pieces taken from the
    /// input, with a line limit taken from it too.
    static let framer = FuzzTarget("framer") { input in
        let bytes = Array(input)
        var rng = InputRandom(input)
        let maxLine = 1 + rng.below(80)
        enum Out: Equatable { case line([UInt8], Int), overlong(Int) }
        var expected: [Out] = []
        var pieces = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        for (i, p) in pieces.enumerated() {
            if p.count > maxLine { expected.append(.overlong(i + 1)); continue }
            var l = p
            if l.last == 0x0D { l.removeLast() }
            if i == 0 && l.starts(with: [0xEF, 0xBB, 0xBF]) { l.removeFirst(3) }
            expected.append(.line(l, i + 1))
        }
        for round in 0..<3 {
            var got: [Out] = []
            var f = LineFramer(maxLine: maxLine)
            let line: (Line, Int) -> Void = { l, n in got.append(.line(Array(l), n)) }
            let overlong: (Int) -> Void = { n in got.append(.overlong(n)) }
            let small = 1 + rng.below(17)
            feedInPieces(bytes, { left in round == 0 ? left : round == 1 ? small : 1 + rng.below(left) }) { chunk in
                f.feed(chunk, line, overlong: overlong)
                check(f.atLineStart == (chunk.last == 0x0A), "atLineStart \(f.atLineStart) after a chunk ending in \(chunk.last ?? 0)")
            }
            f.finish(line, overlong: overlong)
            check(got == expected, "round \(round), limit \(maxLine): \(got.prefix(8)) expected \(expected.prefix(8))")
            check(f.lineNumber == pieces.count, "line number \(f.lineNumber), \(pieces.count) lines")
        }
    }

    /// The JSON document splitter, whole, split at a point taken from the input and in small
    /// pieces. Checks: the same events, lines and order each time; every element is an object
    /// (`{` … `}`) that the parsers' scanner reads whole.
    static let jsonSplitter = FuzzTarget("json-splitter") { input in
        let bytes = Array(input)
        var rng = InputRandom(input)
        let split = rng.below(bytes.count + 1)
        let small = 1 + rng.below(9)
        let limit = rng.below(4) == 0 ? 16 + rng.below(256) : JSONDocumentSplitter.defaultMaxRecordBytes
        enum Out: Equatable { case element([UInt8], Int), skipped(String, Int) }
        func read(_ piece: (Int) -> Int) -> ([Out], Int) {
            var s = JSONDocumentSplitter(maxRecordBytes: limit)
            var out: [Out] = []
            let handle: (JSONDocumentSplitter.Event) -> Void = { e in
                switch e {
                case .element(let l, let n):
                    let b = Array(l)
                    check(b.first == UInt8(ascii: "{") && b.last == UInt8(ascii: "}"), "an element that is not an object: \(String(decoding: b.prefix(60), as: UTF8.self))")
                    check(b.count <= limit, "an element of \(b.count) bytes over the limit \(limit)")
                    out.append(.element(b, n))
                case .skipped(let r, let n): out.append(.skipped(r.text, n))
                }
            }
            feedInPieces(bytes, piece) { s.feed($0, handle) }
            s.finish(handle)
            return (out, s.physicalLines)
        }
        var first = true
        let whole = read { $0 }
        check(whole.1 == physicalLines(input), "\(whole.1) lines, \(physicalLines(input)) in the input")
        let lines = whole.0.map { e -> Int in switch e { case .element(_, let n), .skipped(_, let n): return n } }
        check(lines == lines.sorted() && lines.allSatisfy { $0 >= 1 && $0 <= max(1, whole.1) }, "event lines \(lines.prefix(20))")
        let halves = read { left in defer { first = false }; return first && split > 0 ? split : left }
        check(halves == whole, "split at \(split): \(halves.0.prefix(6)) whole: \(whole.0.prefix(6))")
        let pieces = read { _ in small }
        check(pieces == whole, "pieces of \(small): \(pieces.0.prefix(6)) whole: \(whole.0.prefix(6))")
    }

    /// `plateau.toml`. Checks: the same text gives the same configuration or the same error,
    /// an error is a `ConfigError` (the CLI's one line naming the key), and its line on stderr
    /// is one line without a control character.
    static let config = FuzzTarget("config") { input in
        let text = String(decoding: input, as: UTF8.self)
        func load() -> Result<PlateauConfig, ConfigError> {
            do { return .success(try PlateauConfig.parse(text, path: "plateau.toml")) } catch let e as ConfigError { return .failure(e) } catch {
                check(false, "not a ConfigError: \(type(of: error)) \(error)")
                fatalError()
            }
        }
        let a = load()
        check(a == load(), "two loads of the same text differ")
        if case .failure(let e) = a { checkDiagnostic(e.description) }
        if case .success(let c) = a {
            // Its settings can be made in any zone (custom sources, remote locations, years).
            _ = c.settings(timezone: .utc)
        }
    }

    /// `rules.toml`, alone and against a configuration with a custom feed and a capacity.
    static let rules = FuzzTarget("rules") { input in
        let text = String(decoding: input, as: UTF8.self)
        for config in [nil, rulesConfig] {
            func load() -> Result<AlertRules, AlertRulesError> {
                do { return .success(try AlertRules.parse(text, path: "rules.toml", config: config)) } catch let e as AlertRulesError { return .failure(e) } catch {
                    check(false, "not an AlertRulesError: \(type(of: error)) \(error)")
                    fatalError()
                }
            }
            let a = load()
            check(a == load(), "two loads of the same text differ")
            if case .failure(let e) = a { checkDiagnostic(e.description) }
        }
    }

    static let rulesConfig: PlateauConfig? = try? PlateauConfig.parse("""
        [[capacity]]
        metric = "vpn.peak_sessions"
        value = 2500
        [[source]]
        name = "webex"
        kind = "meeting"
        format = "csv"
        [source.columns]
        user = "Attendee Email"
        start = "Join Time"
        end = "Leave Time"
        meeting = "Meeting Number"
        """, path: "plateau.toml")

    /// A diagnostic as the CLI prints it: one line, no control character, no escape sequence.
    static func checkDiagnostic(_ message: String) {
        let line = Sanitize.line(message)
        check(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) }, "a control character in \(line.debugDescription)")
    }
}
