/// What the remote-access parsers (GlobalProtect, FortiGate, Pulse, Citrix ADC, OpenVPN) share:
/// how a log's user field becomes an account the directory knows, and `key=value` fields.

/// The account in a remote-access log's user field.
enum RemoteAccount {
    /// `DOMAIN\user` → `user` (also `DOMAIN\\user`, the backslash doubled by an escape, and a DNS
    /// name as the domain: `example.org\user`); `user(REALM)[roles]` → `user` (Pulse); quotes and
    /// spaces around it dropped. A UPN or bare account is returned as it is.
    static func account(_ raw: Bytes) -> Bytes {
        var b = raw.trimmed()
        if b.count >= 2, b[0] == ASCII.quote, b[b.count - 1] == ASCII.quote { b = b.slice(1..<(b.count - 1)).trimmed() }
        var s = 0
        for i in 0..<b.count where b[i] == ASCII.backslash { s = i + 1 }
        var e = b.count
        if let p = b.firstIndex(of: UInt8(ascii: "("), from: s) { e = p }
        return b.slice(min(s, e)..<e).trimmed()
    }

    /// A Windows machine account (`SAMPL-4086063$`): a computer, not a person.
    static func isMachine(_ account: Bytes) -> Bool { account.count > 0 && account[account.count - 1] == UInt8(ascii: "$") }

    /// Values that name nobody: `N/A`, `(null)`, `UNDEF`, `-`.
    static func isNobody(_ account: Bytes) -> Bool {
        account.count == 0 || account.equalsIgnoringCase("N/A") || account.equalsIgnoringCase("(null)")
            || account.equalsIgnoringCase("UNDEF") || account.equals("-")
    }
}

extension Resolver {
    /// A remote-access account (`RemoteAccount.account`): a whole UPN, else a UPN's local part
    /// (`resolveAccount`); and `user@REALM` that is no UPN of the directory, by its local part
    /// when that names one person (a Kerberos or Pulse realm suffix: `jdoe@CORP.EXAMPLE`).
    public func resolveRemote(_ account: Bytes) -> Person {
        if let at = account.firstIndex(of: ASCII.at), at > 0, directory.lookup(account) == nil {
            let local = account.slice(0..<at)
            if directory.byLocalPart[directory.hasher.hash(local)] != nil { return resolveAccount(local) }
        }
        return resolveAccount(account)
    }
}

/// The values of chosen keys of a `key=value key="quoted value" ...` line (FortiOS, Pulse WELF),
/// found in one pass. Tokens without `=` (a syslog header before the fields) are passed over;
/// a quoted value runs to the next quote (FortiOS does not escape quotes inside values). Keys
/// match exactly (case matters: `type` is not `Type`); the first occurrence wins.
struct KeyValues {
    private var starts: [Int]
    private var ends: [Int]
    private let keys: [[UInt8]]

    init(_ keys: [StaticString]) {
        self.keys = keys.map { k in k.withUTF8Buffer { Array($0) } }
        starts = Array(repeating: -1, count: keys.count)
        ends = Array(repeating: -1, count: keys.count)
    }

    /// Reads `b`; returns how many `key=value` fields it holds.
    @discardableResult
    mutating func read(_ b: Bytes) -> Int {
        for k in 0..<starts.count { starts[k] = -1; ends[k] = -1 }
        let n = b.count
        var i = 0, fields = 0
        while i < n {
            while i < n, b[i] == ASCII.space || b[i] == ASCII.tab { i += 1 }
            let ks = i
            while i < n, b[i] != UInt8(ascii: "="), b[i] != ASCII.space, b[i] != ASCII.tab { i += 1 }
            guard i < n, b[i] == UInt8(ascii: "="), i > ks else {
                // Not a field: on to the next space.
                while i < n, b[i] != ASCII.space, b[i] != ASCII.tab { i += 1 }
                continue
            }
            let ke = i
            // `<189>date=...`: a syslog priority glued to the first key.
            var ks2 = ks
            if b[ks] == UInt8(ascii: "<") { for j in ks..<ke where b[j] == UInt8(ascii: ">") { ks2 = j + 1; break } }
            i += 1
            var vs = i, ve = i
            if i < n, b[i] == ASCII.quote {
                vs = i + 1
                var j = vs
                while j < n, b[j] != ASCII.quote { j += 1 }
                ve = j
                i = min(j + 1, n)
            } else {
                while i < n, b[i] != ASCII.space, b[i] != ASCII.tab { i += 1 }
                ve = i
            }
            fields += 1
            let klen = ke - ks2
            for k in 0..<keys.count where starts[k] < 0 && keys[k].count == klen {
                var same = true
                for j in 0..<klen where b[ks2 + j] != keys[k][j] { same = false; break }
                if same { starts[k] = vs; ends[k] = ve; break }
            }
        }
        return fields
    }

    /// The value of the `k`-th key of `init`, or nil when the line has none.
    func value(_ k: Int, in b: Bytes) -> Bytes? {
        guard starts[k] >= 0 else { return nil }
        return b.slice(starts[k]..<ends[k])
    }
}

/// Small time helpers of the remote-access formats.
enum RemoteTime {
    /// `+0200`, `-05:00`, `UTC+2`, `GMT-3`, `UTC`, `Z`: the offset in seconds, or nil.
    static func offset(_ b: Bytes) -> Int? {
        var t = b.trimmed()
        if t.count >= 3, t.slice(0..<3).equalsIgnoringCase("UTC") || t.slice(0..<3).equalsIgnoringCase("GMT") { t = t.slice(3..<t.count) }
        if t.count == 0 || t.equalsIgnoringCase("Z") { return 0 }
        guard t[0] == UInt8(ascii: "+") || t[0] == UInt8(ascii: "-") else { return nil }
        let sign = t[0] == UInt8(ascii: "-") ? -1 : 1
        var digits: [Int] = []
        for i in 1..<t.count {
            let c = t[i]
            if ASCII.isDigit(c) { digits.append(Int(c &- 48)); if digits.count > 4 { return nil } } else if c != ASCII.colon { return nil }
        }
        let h: Int, m: Int
        switch digits.count {
        case 1: h = digits[0]; m = 0
        case 2: h = digits[0] * 10 + digits[1]; m = 0
        case 3: h = digits[0]; m = digits[1] * 10 + digits[2]
        case 4: h = digits[0] * 10 + digits[1]; m = digits[2] * 10 + digits[3]
        default: return nil
        }
        guard h <= 14, m < 60 else { return nil }
        return sign * (h * 3600 + m * 60)
    }

    /// Epoch seconds from a count of seconds, milliseconds, microseconds or nanoseconds
    /// (FortiOS `eventtime`: 10, 13, 16 or 19 digits).
    static func epochAnyUnit(_ b: Bytes) -> Int64? {
        let t = b.trimmed()
        guard t.count >= 9, t.count <= 19 else { return nil }
        var v: Int64 = 0
        for i in 0..<t.count {
            guard ASCII.isDigit(t[i]) else { return nil }
            // 19 digits may pass Int64.max (9223372036854775807): not a time (found by fuzzing).
            let (tens, o1) = v.multipliedReportingOverflow(by: 10)
            let (next, o2) = tens.addingReportingOverflow(Int64(t[i] &- 48))
            guard !o1, !o2 else { return nil }
            v = next
        }
        switch t.count {
        case 17...19: v /= 1_000_000_000
        case 14...16: v /= 1_000_000
        case 12...13: v /= 1000
        default: break
        }
        guard v > 0, v < 7_258_118_400 else { return nil }
        return v
    }

    /// `yyyy-mm-dd` or `yyyy/mm/dd` and `hh:mm:ss` (fraction dropped) as local seconds.
    static func localDateTime(date d: Bytes, time t: Bytes) throws(TimeError) -> Int64 {
        let d = d.trimmed(), t = t.trimmed()
        guard d.count == 10, let y = TimeParsing.digits(d, 0, 4), d[4] == 0x2D || d[4] == 0x2F, let mo = TimeParsing.digits(d, 5, 2),
              d[7] == d[4], let dd = TimeParsing.digits(d, 8, 2) else { throw .malformed }
        guard t.count >= 8, let h = TimeParsing.digits(t, 0, 2), t[2] == ASCII.colon, let mi = TimeParsing.digits(t, 3, 2),
              t[5] == ASCII.colon, let s = TimeParsing.digits(t, 6, 2), t.count == 8 || t[8] == UInt8(ascii: ".") else { throw .malformed }
        return try TimeParsing.civil(y, mo, dd, h, mi, s)
    }
}
