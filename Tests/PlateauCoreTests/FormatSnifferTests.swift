import Foundation
import Testing
@testable import PlateauCore

struct FormatSnifferTests {
    static let bom = "\u{FEFF}"
    static let cases: [(String, InputFormat?)] = [
        ("user_id,upn,display_name,business_unit,country\n5d2f0a7e-1b2c-4d3e-9f00-aa11bb22cc33,jdoe@corp.example,Jane Doe,France Networks,FR\n", .directory),
        ("UPN,Business_Unit\r\njdoe@corp.example,Corporate\r\n", .directory),
        (#"{"id":"e523d2ed","version":2,"type":"groupCall","startDateTime":"2020-03-25T09:00:12Z","endDateTime":"2020-03-25T09:49:40Z"}"# + "\n", .teamsCallRecords),
        (#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#communications/callRecords","value":[{"id":"x","type":"peerToPeer","startDateTime":"2020-03-25T09:00:12Z"}]}"#, .teamsCallRecords),
        (#"[{"id":"x","type":"groupCall","startDateTime":"2020-03-25T09:00:12Z"}]"#, .teamsCallRecords),
        (bom + "Report Refresh Date,User Id,User Principal Name,Last Activity Date,Is Deleted,Meeting Count,Report Period\r\n2020-03-26,x,jdoe@corp.example,2020-03-25,False,9,1\r\n", .teamsUserActivity),
        (bom + "Report Refresh Date,Report Date,Team Chat Messages,Private Chat Messages,Calls,Meetings,Other Actions,Report Period\r\n", .teamsUserCounts),
        (#""datetime","user","department","location","hostname""# + "\n" + #""Mon Mar 23 09:14:02 2020","jdoe@corp.example","France Networks","Road Warrior","teams.microsoft.com""#, .zscalerNSSCSV),
        ("time,login,dept,location\nMon Mar 23 09:14:02 2020,a@b,IT,HQ\n", .zscalerNSSCSV),
        (#"{ "sourcetype" : "zscalernss-web", "event" :{"time":"Fri Dec 31 07:07:07 2021","login":"test@example.com"}}"#, .zscalerNSSJSON),
        (#"{"datetime":"Mon Mar 23 09:14:02 2020","user":"jdoe@corp.example","location":"Road Warrior"}"#, .zscalerNSSJSON),
        (#"{"LogTimestamp":"Tue Mar 24 08:01:12 2020","Username":"jdoe","SessionID":"v","SessionStatus":"ZPN_STATUS_AUTHENTICATED"}"#, .zpaUserStatus),
        (#"{"LogTimestamp": "Fri May 31 17:35:42 2019","SessionID": "L","ConnectionID": "S,Q","Username": "ZPA LSS Client"}"#, .zpaUserActivity),
        ("<166>Mar 25 2020 08:01:02 asa-vpn-01 : %ASA-6-113039: Group <GP> User <jdoe> IP <198.51.100.42> AnyConnect parent session started.\n", .asaSyslog),
        ("May  5 17:51:17 dev01: %FTD-6-302013: Built inbound TCP connection\n", .asaSyslog),
        ("user,start,end,host\njdoe@corp.example,2020-03-25T08:02:11+01:00,,VDI-POOL-07\n", .sessionsCSV),
        ("LogOnStartDate,LogOnEndDate,UserName\n", .sessionsCSV),
        ("", nil),
        ("\n\n\r\n", nil),
        ("hello world\nthis is not a log\n", nil),
        ("a,b,c\n1,2,3\n", nil),
    ]

    @Test(arguments: 0..<cases.count)
    func recognisesEachFormatByContent(_ i: Int) {
        let (text, expected) = Self.cases[i]
        #expect(FormatSniffer.sniff(Array(text.utf8)) == expected, "case \(i)")
    }

    @Test func survivesBinaryGarbageAndHugeLines() {
        var rng = SplitMix64(seed: 1)
        for n in [1, 2, 100, 70_000] {
            let junk = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = FormatSniffer.sniff(junk)   // must not crash; any answer is acceptable for noise
        }
        let huge = [UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20)
        #expect(FormatSniffer.sniff(huge) == nil)
    }

    static let realSamples: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/real-samples").path
    }()

    @Test(.enabled(if: FileManager.default.fileExists(atPath: realSamples)))
    func recognisesTheRealDeviceSamples() throws {
        let expected: [String: InputFormat] = [
            "cisco-asa-anyconnect.log": .asaSyslog, "cisco-asa-mixed.log": .asaSyslog,
            "zscaler-zia-web.log": .zscalerNSSJSON, "zscaler-zpa-user-activity.log": .zpaUserActivity,
            "zscaler-zpa-user-status.log": .zpaUserStatus,
        ]
        for (name, format) in expected {
            let found = try InputDiscovery.inspect(Self.realSamples + "/" + name)
            #expect(found.format == format, "\(name)")
        }
    }
}
