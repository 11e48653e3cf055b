import Foundation
import Testing
@testable import PlateauCore

/// Issue 14's file: a proxy CSV of about 190 KB, 1,000 departments, 1,500 lines over three
/// days of March 2020, and line `oddLine` dated 1973.
func thousandDepartments(oddLine: Int = 700, oddYear: String = "1973") -> String {
    var text = "\"datetime\",\"user\",\"department\",\"location\",\"url\"\n"
    let days = ["Mon Mar 23", "Tue Mar 24", "Wed Mar 25"]
    for i in 0..<1500 {
        let line = i + 2
        let stamp = line == oddLine ? "Tue Mar 24 10:00:00 \(oddYear)" : "\(days[i * 3 / 1500]) 10:\(String(format: "%02d", i % 60)):00 2020"
        text += "\"\(stamp)\",\"user\(i)@corp.example\",\"Department \(i % 1000)\",\"Road Warrior\",\"teams.microsoft.com/api/chatsvc/emea/v1/users/ME\"\n"
    }
    return text
}

struct StampOutlierTests {
    func days(_ counts: [Int32: Int]) -> StampDays {
        var s = StampDays()
        for (d, n) in counts.sorted(by: { $0.key < $1.key }) { for _ in 0..<n { s.add(d) } }
        return s
    }

    /// Issue 19: a ClickHouse load stores instants as DateTime (UInt32 seconds); a stamp outside
    /// is a skipped line with its reason, never a value that traps at the conversion.
    @Test func aLoadSkipsWhatDateTimeCannotHold() {
        let url = ClickHouseURL(host: "127.0.0.1", port: 1, database: "d")
        let load = ClickHouseLoad(url: url, settings: IngestSettings())
        let ctx = ParseContext(resolver: Resolver(directory: Directory(hasher: IdentityHasher()), units: BusinessUnits()), settings: load.settings)
        #expect(ctx.stampProblem(-1) == Reasons.notStorable)
        #expect(ctx.stampProblem(1_583_000_000, from: -3_600) == Reasons.notStorable)   // started before 1970
        #expect(ctx.stampProblem(Int64(UInt32.max)) == Reasons.notStorable)              // 2106-02-07
        #expect(ctx.stampProblem(1_583_000_000) == nil)
        #expect(ctx.stampProblem(date: CivilDate(year: 1969, month: 12, day: 31)) == Reasons.notStorable)
        #expect(ctx.stampProblem(date: CivilDate(year: 2020, month: 3, day: 2)) == nil)
        // In memory (and the store) any instant is kept.
        let memory = ParseContext(resolver: Resolver(directory: Directory(hasher: IdentityHasher()), units: BusinessUnits()), settings: IngestSettings())
        #expect(memory.stampProblem(-1) == nil && memory.stampProblem(Int64(UInt32.max) + 10) == nil)
    }

    @Test func clustersUnderOnePercentOtherThanTheLargestAreOutside() {
        let y2020: Int32 = 18_300
        #expect(days([y2020: 500, y2020 + 1: 500]).outliers() == nil)                  // one cluster
        #expect(days([y2020: 500, y2020 + 31: 500]).outliers() == nil)                 // a gap of 31 days is no gap
        #expect(days([1_200: 1, y2020: 500, y2020 + 1: 499]).outliers() == [1_200])     // 1973
        #expect(days([y2020: 999, 40_000: 1]).outliers() == [40_000])                   // 2079
        #expect(days([y2020: 99, 1_200: 1]).outliers() == nil)                          // exactly 1 %: kept
        #expect(days([y2020: 50, y2020 + 100: 50]).outliers() == nil)                   // two halves
        #expect(days([1_200: 1, 1_201: 1]).outliers() == nil)                           // no bulk to be far from
        #expect(days([y2020: 300, y2020 + 60: 2, y2020 + 200: 100]).outliers() == [y2020 + 60])
        #expect(days([1_200: 2, 1_230: 1, y2020: 1000]).outliers() == [1_200, 1_230])   // one cluster of two days
        #expect(StampDays().outliers() == nil)
        // Negative instants fall on the day before 1970-01-01.
        #expect(StampDays.utcDay(-1) == -1 && StampDays.utcDay(-86_400) == -1 && StampDays.utcDay(86_399) == 0)
    }

    /// The issue's file: the 1973 line is skipped with its line number, the range starts in the
    /// bulk's year, every other line counts.
    @Test func aLineDecadesAwayIsSkippedAndTheRangeStaysInTheBulk() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let text = thousandDepartments()
        #expect(text.utf8.count > 180_000 && text.utf8.count < 200_000)
        try write(dir.path + "/proxy.csv", text)
        let (result, rollups) = try ingest([dir.path])
        let a = try #require(result.inputs.first?.account)
        #expect(a.records == 1499 && a.headers == 1)
        #expect(a.skippedReasons == [Reasons.farOutside.text: 1])
        #expect(a.examples == [FileAccount.Example(line: 700, reason: Reasons.farOutside.text)])
        #expect(rollups.firstDay == CivilDate(iso: "2020-03-23")!.day && rollups.lastDay == CivilDate(iso: "2020-03-25")!.day)
        #expect(proxyUsers(rollups) == 500)
    }

    /// The same in a file read as several byte ranges, and in a gzip file.
    @Test func rangesAndGzipFilesAlike() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let text = thousandDepartments(oddLine: 1400, oddYear: "2010")
        try write(dir.path + "/plain/proxy.csv", text)
        try Data(try gzipped(Array(text.utf8))).write(to: URL(fileURLWithPath: dir.path + "/proxy.csv.gz"))
        let (split, r1) = try ingest([dir.path + "/plain"], splitSize: 64 << 10)
        let (zipped, r2) = try ingest([dir.path + "/proxy.csv.gz"])
        for (result, rollups) in [(split, r1), (zipped, r2)] {
            let a = try #require(result.inputs.first?.account)
            #expect(a.records == 1499 && a.skippedReasons == [Reasons.farOutside.text: 1], "\(a)")
            #expect(a.examples.map(\.line) == [1400])
            #expect(rollups.lastDay == CivilDate(iso: "2020-03-25")!.day)
        }
    }

    /// A file with two dense periods far apart keeps both.
    @Test func twoRealPeriodsAreKept() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        var text = "\"datetime\",\"user\",\"department\",\"location\"\n"
        for i in 0..<300 { text += "\"\(i < 200 ? "Mon Jan 06" : "Mon Mar 23") 10:00:00 2020\",\"u\(i)@x.example\",\"Ops\",\"HQ\"\n" }
        try write(dir.path + "/p.csv", text)
        let (result, rollups) = try ingest([dir.path])
        #expect(result.inputs.first?.account.records == 300)
        #expect(rollups.firstDay == CivilDate(iso: "2020-01-06")!.day)
    }

    @Test func theEarliestDateOfTheConfig() throws {
        let c = try PlateauConfig.parse("[input]\nearliest = 2020-03-24\n", path: "p.toml")
        #expect(c.earliest == CivilDate(iso: "2020-03-24"))
        #expect(try PlateauConfig.parse("[input]\nearliest = \"2020-03-24\"\n", path: "p.toml").earliest == CivilDate(iso: "2020-03-24"))
        #expect(throws: ConfigError(path: "p.toml", key: "input.earliest", "must be a date (YYYY-MM-DD)")) {
            try PlateauConfig.parse("[input]\nearliest = \"March\"\n", path: "p.toml")
        }
        #expect(throws: ConfigError(path: "p.toml", key: "input.latest", "unknown key")) {
            try PlateauConfig.parse("[input]\nlatest = 2020-03-24\n", path: "p.toml")
        }
        #expect(throws: ConfigError(path: "p.toml", key: "input", "must be a table")) {
            try PlateauConfig.parse("input = 3\n", path: "p.toml")
        }

        // In Paris, 2020-03-24 begins at 23:00 UTC on the 23rd.
        let paris = TimeZoneRules(identifier: "Europe/Paris")!
        let settings = c.settings(timezone: paris)
        let dir = TempDir(); defer { dir.cleanup() }
        try write(dir.path + "/p.csv", """
        "datetime","user","department","location"
        "Mon Mar 23 22:59:59 2020","a@x.example","Ops","HQ"
        "Mon Mar 23 23:00:00 2020","b@x.example","Ops","HQ"
        "Tue Mar 24 10:00:00 2020","c@x.example","Ops","HQ"

        """)
        // Usage reports are known by their date.
        try write(dir.path + "/TeamsUserActivityUserDetail.csv", """
        Report Refresh Date,User Id,User Principal Name,Last Activity Date,Meeting Count,Meetings Attended Count,Meetings Organized Count,Report Period
        2020-03-25,,a@x.example,2020-03-23,2,1,1,1
        2020-03-25,,b@x.example,2020-03-24,2,1,1,1

        """)
        let (result, rollups) = try ingest([dir.path], settings: settings)
        let p = try #require(result.inputs.first { $0.path.hasSuffix("p.csv") }?.account)
        #expect(p.records == 2 && p.skippedReasons == [Reasons.beforeEarliest.text: 1] && p.examples.map(\.line) == [2])
        let t = try #require(result.inputs.first { $0.path.hasSuffix("Detail.csv") }?.account)
        #expect(t.records == 1 && t.skippedReasons == [Reasons.beforeEarliest.text: 1] && t.examples.map(\.line) == [2])
        #expect(rollups.firstDay == CivilDate(iso: "2020-03-24")!.day)

        // The follower keeps the bound too.
        let live = LiveIngest(roots: [dir.path], settings: settings)
        _ = live.poll()
        #expect(live.inputs.first { $0.path.hasSuffix("p.csv") }?.account.skippedReasons == [Reasons.beforeEarliest.text: 1])
        #expect(live.rollups().firstDay == CivilDate(iso: "2020-03-24")!.day)
    }
}
