import Foundation
import TOMLKit

/// A problem in plateau.toml, naming the key (exit 64).
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let key: String
    public let message: String
    public init(path: String, key: String, _ message: String) { self.path = path; self.key = key; self.message = message }
    public var description: String { key.isEmpty ? "\(path): \(message)" : "\(path): \(key): \(message)" }
}

/// plateau.toml: the organisation's settings (see SampleLogs/plateau.toml and the README).
public struct PlateauConfig: Sendable, Equatable {
    public var path: String?
    public var organisation: String?
    public var timezone: String?
    /// ISO weekdays (1 = Monday) the analysis treats as business days.
    public var businessDays: Set<Int> = [1, 2, 3, 4, 5]
    public var remoteLocations: [String] = ["Road Warrior"]
    public var maxSessionHours: Double = 24
    /// `[sources.NAME]`: a source's own zone and the year of its year-less stamps.
    public var sources: [String: SourceSettings] = [:]
    public var customSources: [CustomSource] = []
    public var capacity: [Capacity] = []
    /// `[analysis] baseline` / `crisis`: fixed regimes instead of detected ones.
    public var windows: AnalysisWindows?
    /// `[input] earliest`: records that start before this day (in the review's zone) are skipped.
    public var earliest: CivilDate?

    public struct SourceSettings: Sendable, Equatable {
        public var timezone: String?
        public var year: Int?
    }

    public struct Capacity: Sendable, Equatable {
        public var metric: Metric
        public var from: CivilDate
        public var value: Double
        public var bu: String

        /// The capacity of `metric` for BU `bu` in force on `day`: the one with the latest `from`
        /// up to it (alerts and the review's forecast).
        public static func inForce(_ all: [Capacity], _ metric: Metric, bu: String, day: Int) -> Double? {
            all.filter { $0.metric == metric && $0.bu == bu && $0.from.day <= day }.max { $0.from < $1.from }?.value
        }
    }

    public init() {}

    /// Sources whose stamps may lack an offset or a year (ZPA's stamps are always UTC).
    public static let sourceNames: Set<String> = ["vpn", "proxy", "vdi", "meetings", "signins", "*"]

    /// Finds the config: `--config`, else plateau.toml in the first PATH (a directory, or the
    /// directory of a file), else `$XDG_CONFIG_HOME/plateau/plateau.toml`
    /// (`~/.config/plateau/plateau.toml`). Nil when there is none.
    public static func locate(explicit: String?, paths: [String], environment: [String: String]) -> String? {
        if let explicit { return explicit }
        let fm = FileManager.default
        if let first = paths.first {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: first, isDirectory: &isDir) {
                let dir = isDir.boolValue ? first : (first as NSString).deletingLastPathComponent
                let candidate = (dir.isEmpty ? "." : dir) + "/plateau.toml"
                if fm.fileExists(atPath: candidate) { return candidate }
            }
        }
        let xdg = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"].map { $0 + "/.config" })
        if let xdg {
            let candidate = xdg + "/plateau/plateau.toml"
            if fm.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }

    public static func load(path: String) throws -> PlateauConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(path: path, key: "", "cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    public static func parse(_ text: String, path: String) throws -> PlateauConfig {
        if let bad = TOMLGuard.firstAssertion(text) { throw ConfigError(path: path, key: "", "line \(bad.line): \(bad.message)") }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigError(path: path, key: "", "line \(e.source.begin.line): \(e.description)")
        }
        var c = PlateauConfig()
        c.path = path
        let r = Reader(path: path)
        for key in table.keys {
            let v = table[key]!
            switch key {
            case "organisation", "organization": c.organisation = try r.string(v, key)
            case "timezone":
                let tz = try r.string(v, key)
                guard TimeZoneRules(identifier: tz) != nil else { throw ConfigError(path: path, key: key, "unknown time zone '\(tz)'") }
                c.timezone = tz
            case "business_days":
                var days = Set<Int>()
                for (i, d) in try r.array(v, key).enumerated() {
                    let s = try r.string(d, "\(key)[\(i)]")
                    guard let w = weekdayAbbreviations.firstIndex(where: { $0.lowercased() == s.prefix(3).lowercased() }) else {
                        throw ConfigError(path: path, key: "\(key)[\(i)]", "'\(s)' is not a weekday (Mon … Sun)")
                    }
                    days.insert(w + 1)
                }
                guard !days.isEmpty else { throw ConfigError(path: path, key: key, "needs at least one day") }
                c.businessDays = days
            case "remote_locations":
                c.remoteLocations = try r.array(v, key).enumerated().map { try r.string($1, "\(key)[\($0)]") }
            case "max_session_hours":
                let h = try r.number(v, key)
                guard h > 0, h <= 24 * 366 else { throw ConfigError(path: path, key: key, "must be between 0 and 8784 hours") }
                c.maxSessionHours = h
            case "sources":
                let t = try r.table(v, key)
                for name in t.keys {
                    let k = "sources.\(name)"
                    guard sourceNames.contains(name) else {
                        throw ConfigError(path: path, key: k, "unknown source (one of \(sourceNames.sorted().joined(separator: ", ")))")
                    }
                    let st = try r.table(t[name]!, k)
                    var s = SourceSettings()
                    for sk in st.keys {
                        switch sk {
                        case "timezone":
                            let tz = try r.string(st[sk]!, "\(k).timezone")
                            guard TimeZoneRules(identifier: tz) != nil else { throw ConfigError(path: path, key: "\(k).timezone", "unknown time zone '\(tz)'") }
                            s.timezone = tz
                        case "year":
                            let y = try r.int(st[sk]!, "\(k).year")
                            guard TimeParsing.plausibleYears.contains(y) else { throw ConfigError(path: path, key: "\(k).year", "\(y) is not a plausible year") }
                            s.year = y
                        default: throw ConfigError(path: path, key: "\(k).\(sk)", "unknown key")
                        }
                    }
                    c.sources[name] = s
                }
            case "source":
                for (i, item) in try r.array(v, key).enumerated() {
                    c.customSources.append(try r.customSource(item, "source[\(i)]"))
                }
            case "capacity":
                for (i, item) in try r.array(v, key).enumerated() {
                    let k = "capacity[\(i)]"
                    let t = try r.table(item, k)
                    var metric: Metric?, from: CivilDate?, value: Double?, bu = BusinessUnits.allName
                    for ck in t.keys {
                        let cv = t[ck]!
                        switch ck {
                        case "metric":
                            let m = try r.string(cv, "\(k).metric")
                            guard let mm = Metric(rawValue: m) else {
                                throw ConfigError(path: path, key: "\(k).metric", NameSuggestions.unknown("metric", m, Metric.allCases.map(\.rawValue)))
                            }
                            metric = mm
                        case "from": from = try r.date(cv, "\(k).from")
                        case "value": value = try r.number(cv, "\(k).value")
                        case "bu": bu = try r.string(cv, "\(k).bu")
                        default: throw ConfigError(path: path, key: "\(k).\(ck)", "unknown key")
                        }
                    }
                    guard let metric else { throw ConfigError(path: path, key: "\(k).metric", "missing") }
                    guard let value else { throw ConfigError(path: path, key: "\(k).value", "missing") }
                    c.capacity.append(Capacity(metric: metric, from: from ?? CivilDate(daysSinceEpoch: 0), value: value, bu: bu))
                }
            case "input":
                let t = try r.table(v, key)
                for ik in t.keys {
                    switch ik {
                    case "earliest": c.earliest = try r.date(t[ik]!, "input.earliest")
                    default: throw ConfigError(path: path, key: "input.\(ik)", "unknown key")
                    }
                }
            case "analysis":
                let t = try r.table(v, key)
                var ranges: [String: ClosedRange<Int>] = [:]
                for ak in t.keys {
                    let k = "analysis.\(ak)"
                    guard ak == "baseline" || ak == "crisis" else { throw ConfigError(path: path, key: k, "unknown key") }
                    let items = try r.array(t[ak]!, k)
                    guard items.count == 2 else { throw ConfigError(path: path, key: k, "must be [first day, last day]") }
                    let a = try r.date(items[0], "\(k)[0]"), b = try r.date(items[1], "\(k)[1]")
                    guard a <= b else { throw ConfigError(path: path, key: k, "ends before it starts") }
                    ranges[ak] = a.day...b.day
                }
                guard let b = ranges["baseline"], let cr = ranges["crisis"] else {
                    throw ConfigError(path: path, key: ranges["baseline"] == nil ? "analysis.baseline" : "analysis.crisis", "missing (both windows or neither)")
                }
                guard b.upperBound < cr.lowerBound else { throw ConfigError(path: path, key: "analysis.crisis", "must start after the baseline window") }
                c.windows = AnalysisWindows(baseline: b, crisis: cr)
            default:
                throw ConfigError(path: path, key: key, "unknown key")
            }
        }
        return c
    }

    /// The ingest settings this config gives, for a `--tz` zone.
    public func settings(timezone tz: TimeZoneRules) -> IngestSettings {
        var s = IngestSettings()
        s.timezone = tz
        s.setRemoteLocations(remoteLocations)
        s.maxSessionSeconds = Int64(maxSessionHours * 3600)
        for (name, src) in sources {
            if let z = src.timezone.flatMap(TimeZoneRules.init(identifier:)) { s.sourceZones[name] = z }
            if let y = src.year { s.sourceYears[name] = y }
        }
        s.customSources = customSources
        if let e = earliest {
            s.earliestDay = e.day
            s.earliest = tz.startOfDay(e.day)
        }
        return s
    }
}

/// Typed access to TOML values with errors that name the key.
private struct Reader {
    let path: String

    func fail(_ key: String, _ want: String) -> ConfigError { ConfigError(path: path, key: key, "must be \(want)") }

    func string(_ v: TOMLValueConvertible, _ key: String) throws -> String {
        guard let s = v.string else { throw fail(key, "a string") }
        return s
    }
    func int(_ v: TOMLValueConvertible, _ key: String) throws -> Int {
        guard let i = v.int else { throw fail(key, "an integer") }
        return i
    }
    func number(_ v: TOMLValueConvertible, _ key: String) throws -> Double {
        if let i = v.int { return Double(i) }
        guard let d = v.double else { throw fail(key, "a number") }
        return d
    }
    func array(_ v: TOMLValueConvertible, _ key: String) throws -> [TOMLValueConvertible] {
        guard let a = v.array else { throw fail(key, "an array") }
        return Array(a)
    }
    func table(_ v: TOMLValueConvertible, _ key: String) throws -> TOMLTable {
        guard let t = v.table else { throw fail(key, "a table") }
        return t
    }
    func date(_ v: TOMLValueConvertible, _ key: String) throws -> CivilDate {
        if let d = v.date { return CivilDate(year: Int(d.year), month: Int(d.month), day: Int(d.day)) }
        if let s = v.string, let d = CivilDate(iso: s) { return d }
        throw fail(key, "a date (YYYY-MM-DD)")
    }

    func customSource(_ v: TOMLValueConvertible, _ key: String) throws -> CustomSource {
        let t = try table(v, key)
        var name: String?, kind: CustomSource.Kind?, shape: CustomSource.Shape = .csv
        var columns: [String: String] = [:], family: SessionFamily = .vdi, tz: String?, allRemote = false
        for k in t.keys {
            let value = t[k]!
            switch k {
            case "name": name = try string(value, "\(key).name")
            case "kind":
                let s = try string(value, "\(key).kind")
                guard let kk = CustomSource.Kind(rawValue: s) else {
                    throw ConfigError(path: path, key: "\(key).kind", "'\(s)' is not one of meeting, proxy, session")
                }
                kind = kk
            case "format":
                let s = try string(value, "\(key).format")
                guard let sh = CustomSource.Shape(rawValue: s) else {
                    throw ConfigError(path: path, key: "\(key).format", "'\(s)' is not one of csv, jsonl")
                }
                shape = sh
            case "family":
                let s = try string(value, "\(key).family")
                guard let f = SessionFamily(name: s) else {
                    throw ConfigError(path: path, key: "\(key).family", "'\(s)' is not one of vpn, vdi, private_access")
                }
                family = f
            case "timezone":
                let s = try string(value, "\(key).timezone")
                guard TimeZoneRules(identifier: s) != nil else { throw ConfigError(path: path, key: "\(key).timezone", "unknown time zone '\(s)'") }
                tz = s
            case "all_remote": guard let b = value.bool else { throw fail("\(key).all_remote", "true or false") }; allRemote = b
            case "columns":
                let ct = try table(value, "\(key).columns")
                for role in ct.keys { columns[role] = try string(ct[role]!, "\(key).columns.\(role)") }
            default: throw ConfigError(path: path, key: "\(key).\(k)", "unknown key")
            }
        }
        guard let name, !name.isEmpty else { throw ConfigError(path: path, key: "\(key).name", "missing") }
        guard let kind else { throw ConfigError(path: path, key: "\(key).kind", "missing (meeting, proxy or session)") }
        let roles = CustomSource.roles(kind)
        for role in columns.keys where !roles.required.contains(role) && !roles.optional.contains(role) {
            throw ConfigError(path: path, key: "\(key).columns.\(role)", "not a column role of a \(kind.rawValue) source (\((roles.required + roles.optional).joined(separator: ", ")))")
        }
        for role in roles.required where columns[role] == nil {
            throw ConfigError(path: path, key: "\(key).columns.\(role)", "missing")
        }
        if kind == .meeting && columns["time"] == nil && columns["start"] == nil {
            throw ConfigError(path: path, key: "\(key).columns.time", "missing (a meeting source needs time or start)")
        }
        var s = CustomSource(name: name, kind: kind, shape: shape, columns: columns)
        s.family = family
        s.timezone = tz
        s.allRemote = allRemote
        return s
    }
}
