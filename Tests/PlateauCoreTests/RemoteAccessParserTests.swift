import Foundation
import Testing
@testable import PlateauCore

/// Tallies of short outcomes (`Remote.short`).
private func tally(_ o: [LineOutcome]) -> [String: Int] {
    var t: [String: Int] = [:]
    for x in Remote.short(o) { t[x, default: 0] += 1 }
    return t
}

// MARK: - GlobalProtect

@Suite struct GlobalProtectParserTests {
    typealias P = GlobalProtectParser
    static func make() -> P { P(settings: Remote.World(vpnZone: "Europe/Paris").ctx.settings) }

    /// PAN-OS 10 GLOBALPROTECT CSV (project-written): event, stage, user, public IP, private IP,
    /// host id, status, login duration, connect method, high-resolution time.
    static func gp(_ event: String, stage: String = "connected", user: String = "corp\\jane.doe", host: String = "host-1",
                   status: String = "success", duration: String = "0", method: String = "user-logon",
                   gen: String = "2020/03/25 08:00:00", highRes: String = "1970-01-01T01:00:00.000+01:00") -> String {
        "<14>Mar 25 08:00:01 fw 1,2020/03/25 08:00:01,0123456789,GLOBALPROTECT,0,2562,\(gen),vsys1,\(event),\(stage),,SSL,\(user),FR,LAPTOP-1,"
            + "198.51.100.7,0.0.0.0,10.8.0.12,0.0.0.0,\(host),SN1,6.0.4,Windows,\"Windows 10, 64-bit\",1,,,\"\",\(status),,\(duration),\(method),0,GW-1,"
            + "777,0x0,\(highRes),,,,,,0,0,0,0,,PA-1,1"
    }

    @Test func connectedThenLogoutIsOneSession() {
        let w = Remote.World(vpnZone: "Europe/Paris")
        var p = Self.make()
        #expect(Remote.feed(&p, Self.gp("gateway-connected"), w) == .record)
        // Logged out at 17:30:00 Paris after 9h30m: the session started at 08:00:00.
        #expect(Remote.feed(&p, Self.gp("gateway-logout", stage: "logout", duration: "34200", gen: "2020/03/25 17:30:00"), w) == .record)
        let jane = w.person("jane.doe@corp.example")
        #expect(jane.bu == w.france)
        let t0 = Remote.instant(2020, 3, 25, 7, 0, 0), t1 = Remote.instant(2020, 3, 25, 16, 30, 0)
        #expect(w.starts == [SessionFact(person: jane.key, bu: w.france, start: t0, end: nil, tag: w.tag("host-1"))])
        #expect(w.vpn == [SessionFact(person: jane.key, bu: w.france, start: t0, end: t1, tag: w.tag("host-1"))])
        #expect(w.sessions(.vpn).map { [$0.start, $0.end] } == [[t0, t1]])
    }

    /// The high-resolution stamp, with its offset, wins over the generated time; Cortex's ISO
    /// generated time is exact.
    @Test func timeFields() {
        let w = Remote.World(vpnZone: "Europe/Paris")
        var p = Self.make()
        #expect(Remote.feed(&p, Self.gp("gateway-connected", highRes: "2020-03-25T09:15:00.250+02:00"), w) == .record)
        #expect(Remote.feed(&p, Self.gp("gateway-connected", user: "max.mustermann", gen: "2020-03-25T06:00:00.000000Z"), w) == .record)
        #expect(Set(w.starts.map(\.start)) == [Remote.instant(2020, 3, 25, 7, 15, 0), Remote.instant(2020, 3, 25, 6, 0, 0)])
        #expect(w.starts.first { $0.start == Remote.instant(2020, 3, 25, 6, 0, 0) }?.bu == w.germany)
    }

    @Test func whatIsNotAPersonsSession() {
        let w = Remote.World()
        var p = Self.make()
        let cases: [(String, LineOutcome)] = [
            (Self.gp("gateway-connected", user: "pre-logon"), .ignored(P.preLogon)),
            (Self.gp("gateway-connected", user: "", method: "pre-logon"), .ignored(P.preLogon)),
            (Self.gp("gateway-connected", user: ""), .skipped(Reasons.missingUser)),
            (Self.gp("gateway-connected", user: "CORP\\LAPTOP-1$"), .ignored(P.machine)),
            (Self.gp("gateway-connected", status: "failure"), .ignored(P.failed)),
            (Self.gp("gateway-auth", stage: "login"), .ignored(P.otherEvent)),
            (Self.gp("portal-prelogin", stage: "before-login"), .ignored(P.otherEvent)),
            (Self.gp("gateway-logout", stage: "logout", duration: ""), .skipped(P.badDuration)),
            (Self.gp("gateway-logout", stage: "logout", duration: "12x"), .skipped(P.badDuration)),
            (Self.gp("gateway-logout", stage: "logout", duration: "9999999"), .skipped(Reasons.sessionTooLong)),
            (Self.gp("gateway-connected", gen: "2020/02/30 08:00:00"), .skipped(Reasons.impossibleDate)),
            (Self.gp("gateway-connected", gen: "garbage"), .skipped(Reasons.badTime)),
            ("Feb 24 21:47:11 fw 1,2016/02/24 21:47:11,007200001165,TRAFFIC,end,1,2016/02/24 21:42:31,192.168.55.101", .ignored(P.otherType)),
            ("1,2016/02/24 21:47:11,007200001165,SYSTEM,general,0,2016/02/24 21:42:31,,general,,0,0,general,informational,\"x\"", .ignored(P.otherType)),
            ("1,2020/03/25 08:00:01,0123456789,GLOBALPROTECT,0,2562,2020/03/25 08:00:00,vsys1,gateway-connected", .skipped(P.shortRecord)),
            ("hello, world", .skipped(P.notPANOS)),
            ("", .header),
        ]
        for (line, want) in cases { #expect(Remote.feed(&p, line, w) == want, "\(line)") }
        #expect(w.starts.isEmpty && w.vpn.isEmpty)
    }

    /// Older SYSTEM logs: login and logout as edges of the person, paired in time order.
    @Test func systemLogEdgesPair() {
        let w = Remote.World(vpnZone: "UTC")
        var p = P(settings: w.ctx.settings)
        func sys(_ event: String, _ time: String, _ text: String) -> String {
            "Feb 24 22:09:26 10.5.172.40 Feb 24 22:06:07 BD-Panorama 1,2016/02/24 22:06:06,007200001165,SYSTEM,globalprotect,0,2016/02/24 \(time),,\(event),VPN-GW-N,0,0,general,informational,\"\(text)\",641977,0x8000000000000000,0,0,0,0,,PA-VM"
        }
        #expect(Remote.feed(&p, sys("globalprotectgateway-regist-succ", "09:00:00", "GlobalProtect gateway user login succeeded. Login from: 216.113.183.230, User name: CORP\\picard, Client OS version: Microsoft Wi"), w) == .record)
        #expect(Remote.feed(&p, sys("globalprotectgateway-config-succ", "09:00:01", "GlobalProtect gateway client configuration generated. User name: CORP\\picard, Private IP: 10.0.0.1"), w) == .ignored(P.otherEvent))
        #expect(Remote.feed(&p, sys("globalprotectgateway-logout-succ", "12:00:00", "GlobalProtect gateway user logout succeeded. User name: CORP\\picard, Reason: client logout."), w) == .record)
        #expect(Remote.feed(&p, sys("globalprotectgateway-logout-succ", "12:00:00", "GlobalProtect gateway user logout succeeded. Reason: client logout."), w) == .skipped(P.noUserName))
        let picard = w.person("picard@corp.example")
        #expect(w.sessions(.vpn).map { [$0.start, $0.end] } == [[Remote.instant(2016, 2, 24, 9, 0, 0), Remote.instant(2016, 2, 24, 12, 0, 0)]])
        #expect(w.sessions(.vpn).first?.person == picard.key)
    }

    @Test(.enabled(if: Remote.hasSamples("panw-globalprotect")))
    func theRealSamples() throws {
        // Elastic's fixture: portal and gateway steps (auth, getconfig, hip-check, setup-ipsec,
        // config-release, tunnel-latency) and pre-logon, but no connect nor logout.
        let w = Remote.World(vpnZone: "UTC")
        var p = Self.make()
        let e = Remote.feedAll(&p, try Remote.sample("panw-globalprotect/test-panw-panos-globalprotect-sample.log"), w)
        #expect(tally(e) == ["I:" + P.otherEvent.text: 12])
        // Splunk's eventgen data: 39 TRAFFIC lines; SYSTEM globalprotect: 5 logins, 3 logouts.
        let s = Remote.World(vpnZone: "UTC")
        var q = P(settings: s.ctx.settings)
        let o = Remote.feedAll(&q, try Remote.sample("panw-globalprotect/pan_globalprotect.samplelog"), s)
        #expect(tally(o) == ["R": 8, "I:" + P.otherType.text: 39, "I:" + P.otherEvent.text: 29])
        let t = { (h: Int, m: Int, sec: Int) in Remote.instant(2016, 2, 24, h, m, sec) }
        // jordy 19:27:42–19:40:39; picard and riker 21:40:52–22:01:41; crusher and troy log in at
        // 22:41:24, the last stamp: open at that instant.
        #expect(s.sessions(.vpn).map { [$0.start, $0.end] } == [[t(19, 27, 42), t(19, 40, 39)], [t(21, 40, 52), t(22, 1, 41)], [t(21, 40, 52), t(22, 1, 41)],
                                                               [t(22, 41, 24), t(22, 41, 25)], [t(22, 41, 24), t(22, 41, 25)]])
        #expect(Set(s.sessions(.vpn).map(\.person)).count == 5)
        // SEKOIA test cases: a PAN-OS 10 CSV line (config-release: a step, not a session);
        // Cortex JSON and the Log Forwarding app's CEF are other formats, not read.
        #expect(Remote.feed(&q, try Remote.sekoia("panw-globalprotect/globalprotect_csv_2.json"), s) == .ignored(P.otherEvent))
        #expect(Remote.feed(&q, try Remote.sekoia("panw-globalprotect/test_new_globalprotect.json"), s) == .skipped(P.notPANOS))
        #expect(Remote.feed(&q, try Remote.sekoia("panw-globalprotect/globalprotect_cef.json"), s) == .skipped(P.notPANOS))
        // The same line as a logout of one hour: a session, its instant from the high-res stamp.
        let csv2 = try Remote.sekoia("panw-globalprotect/globalprotect_csv_2.json")
            .replacingOccurrences(of: "gateway-config-release,configuration", with: "gateway-logout,logout")
            .replacingOccurrences(of: "success,,0,,0,VPN_GATEWAY", with: "success,,3600,,0,VPN_GATEWAY")
        let c = Remote.World()
        var r = Self.make()
        #expect(Remote.feed(&r, csv2, c) == .record)
        #expect(c.vpn.map { [$0.start, $0.end!] } == [[Remote.instant(2023, 6, 28, 11, 40, 43), Remote.instant(2023, 6, 28, 12, 40, 43)]])
        #expect(c.vpn.first?.person == c.account("test").key)
    }

    @Test(.enabled(if: Remote.hasSamples("panw-globalprotect")))
    func independentOfHowItsBytesArrive() throws {
        let fixture = [Self.gp("gateway-connected"), Self.gp("gateway-auth"), Self.gp("gateway-connected", user: "max.mustermann@corp.example", host: "h2"),
                       Self.gp("gateway-logout", stage: "logout", duration: "3600", gen: "2020/03/25 09:00:00"), "", "junk"].joined(separator: "\r\n")
        Remote.checkChunking(Self.make, Array(fixture.utf8), world: { Remote.World(vpnZone: "Europe/Paris") })
        Remote.checkChunking(Self.make, try Remote.sample("panw-globalprotect/pan_globalprotect.samplelog"), world: { Remote.World(vpnZone: "UTC") })
    }

    @Test func garbageNeverTraps() {
        Remote.checkNoTrap(Self.make, [Self.gp("gateway-connected"), Self.gp("gateway-logout", duration: "10"),
                                       "1,2016/02/24 22:06:06,0072,SYSTEM,globalprotect,0,2016/02/24 22:01:41,,globalprotectgateway-logout-succ,V,0,0,g,i,\"User name: x"])
    }
}

// MARK: - FortiGate

@Suite struct FortiGateParserTests {
    typealias P = FortiGateParser
    static func make() -> P { P(settings: Remote.World(vpnZone: "Europe/Paris").ctx.settings) }

    static func vpn(_ action: String, user: String = "\"jane.doe\"", extra: String = "", when: String = "date=2020-03-25 time=08:00:00") -> String {
        "<190>\(when) devname=\"fw1\" devid=\"FG100\" logid=\"0101039947\" type=\"event\" subtype=\"vpn\" level=\"information\" vd=\"root\" "
            + "logdesc=\"SSL VPN tunnel\" action=\"\(action)\" tunneltype=\"ssl-tunnel\" tunnelid=42 remip=198.51.100.7 tunnelip=10.212.134.200 "
            + "user=\(user) group=\"SSL_VPN\" dst_host=\"N/A\" reason=\"N/A\" \(extra)msg=\"SSL tunnel\""
    }

    @Test func upDownAndStatsAreOneSession() {
        let w = Remote.World(vpnZone: "Europe/Paris")
        var p = Self.make()
        #expect(Remote.feed(&p, Self.vpn("tunnel-up"), w) == .record)  // 08:00 Paris = 07:00Z
        #expect(Remote.feed(&p, Self.vpn("tunnel-stats", extra: "duration=600 nextstat=600 ", when: "date=2020-03-25 time=08:10:00"), w) == .record)
        #expect(Remote.feed(&p, Self.vpn("tunnel-stats", extra: "duration=1201 ", when: "date=2020-03-25 time=08:20:01 tz=\"+0100\""), w) == .record)
        #expect(Remote.feed(&p, Self.vpn("tunnel-down", extra: "duration=3600 sentbyte=1 rcvdbyte=2 ", when: "date=2020-03-25 time=09:00:00"), w) == .record)
        let t0 = Remote.instant(2020, 3, 25, 7, 0, 0)
        #expect(w.starts.map(\.start) == [t0])
        #expect(w.starts.first?.person == w.person("jane.doe@corp.example").key)
        #expect(w.starts.first?.tag == w.tag("42"))
        // One session: the statistics' implied starts and the end's agree, to the second.
        #expect(w.sessions(.vpn).map { [$0.start, $0.end] } == [[t0, Remote.instant(2020, 3, 25, 8, 0, 0)]])
    }

    /// Without its tunnel-down, a tunnel lasts to its last statistics record.
    @Test func statsAloneBoundTheSession() {
        let w = Remote.World(vpnZone: "UTC")
        var p = Self.make()
        for k in 1...3 {
            #expect(Remote.feed(&p, Self.vpn("tunnel-stats", extra: "duration=\(8437 + 600 * (k - 1)) ", when: "eventtime=\(1_566_916_060 + 600 * (k - 1))"), w) == .record)
        }
        #expect(w.sessions(.vpn).map { [$0.start, $0.end] } == [[1_566_916_060 - 8437, 1_566_916_060 + 1200]])
    }

    /// `eventtime` in s, ms, µs or ns is exact; `date`+`time` take `tz` (`-0500`, `UTC+2`), else the zone.
    @Test(arguments: [
        ("eventtime=1585119600", Int64(1_585_119_600)),
        ("eventtime=1585119600123", 1_585_119_600),
        ("eventtime=1585119600123456", 1_585_119_600),
        ("eventtime=1585119600123456789 tz=\"-0500\"", 1_585_119_600),
        ("date=2020-03-25 time=02:00:00 tz=\"-0500\"", 1_585_119_600),
        ("date=2020-03-25 time=09:00:00 tz=\"UTC+2\"", 1_585_119_600),
        ("date=2020-03-25 time=08:00:00", 1_585_119_600),   // Europe/Paris, +01:00
        ("time=02:00:00 devname=x eventtime=1585119600000000000 tz=\"-0500\"", 1_585_119_600),
    ])
    func times(_ when: String, _ want: Int64) {
        let w = Remote.World(vpnZone: "Europe/Paris")
        var p = Self.make()
        #expect(Remote.feed(&p, Self.vpn("tunnel-up", when: when), w) == .record)
        #expect(w.starts.map(\.start) == [want])
    }

    /// 19 digits can pass Int64.max: not a time, and no trap (the fuzzer's first find in this
    /// parser: `eventtime=9999999999999999999` overflowed).
    @Test func anEventTimeBeyondInt64IsNoTime() {
        #expect(Remote.bytes("9999999999999999999") { RemoteTime.epochAnyUnit($0) } == nil)
        #expect(Remote.bytes("9223372036854775808") { RemoteTime.epochAnyUnit($0) } == nil)
        #expect(Remote.bytes("1585119600123456789") { RemoteTime.epochAnyUnit($0) } == 1_585_119_600)
        let w = Remote.World(vpnZone: "Europe/Paris")
        var p = Self.make()
        // The line falls back to its date and time (Paris, +01:00).
        #expect(Remote.feed(&p, Self.vpn("tunnel-up", when: "date=2020-03-25 time=08:00:00 eventtime=9999999999999999999"), w) == .record)
        #expect(w.starts.map(\.start) == [1_585_119_600])
    }

    @Test func whatIsNotAPersonsTunnel() {
        let w = Remote.World()
        var p = Self.make()
        let cases: [(String, LineOutcome)] = [
            (Self.vpn("tunnel-up", user: "\"N/A\""), .ignored(P.nobody)),
            (Self.vpn("tunnel-up", user: "N/A xauthuser=\"max.mustermann\""), .record),  // dial-up IPsec
            (Self.vpn("ssl-new-con"), .ignored(P.otherAction)),
            (Self.vpn("ssl-login-fail"), .ignored(P.otherAction)),
            (Self.vpn("tunnel-down"), .skipped(P.badDuration)),
            (Self.vpn("tunnel-down", extra: "duration=99999999 "), .skipped(Reasons.sessionTooLong)),
            (Self.vpn("tunnel-up", when: "date=2020-02-30 time=08:00:00"), .skipped(Reasons.impossibleDate)),
            (Self.vpn("tunnel-up", when: "devid=x"), .skipped(Reasons.noTime)),
            ("date=2020-03-25 time=08:00:00 logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" user=\"jane.doe\"", .ignored(P.notVPN)),
            ("date=2020-03-25 time=08:00:00 logid=\"0107045057\" type=\"event\" subtype=\"endpoint\" action=\"add\" user=\"jane.doe\"", .ignored(P.notVPN)),
            ("rule = 81604", .skipped(P.notKeyValue)),
            ("", .header),
        ]
        for (line, want) in cases { #expect(Remote.feed(&p, line, w) == want, "\(line)") }
        #expect(w.starts.map(\.person) == [w.person("max.mustermann@corp.example").key])
    }

    @Test(.enabled(if: Remote.hasSamples("fortinet-fortigate-vpn")))
    func theRealSamples() throws {
        // Elastic's event.log: one SSL tunnel-up (someuser, eventtime in ns); IPsec negotiate and
        // ssl-new-con; user/system/connector/endpoint subtypes.
        let w = Remote.World()
        var p = Self.make()
        let o = Remote.feedAll(&p, try Remote.sample("fortinet-fortigate-vpn/event.log"), w)
        #expect(tally(o) == ["R": 1, "I:" + P.notVPN.text: 20, "I:" + P.otherAction.text: 6])
        #expect(w.starts == [SessionFact(person: w.person("someuser@corp.example").key, bu: w.germany, start: 1_587_230_627, end: nil, tag: w.tag("2345"))])
        // Wazuh's rule tests (the raw logs of its INI): tunnel-up and tunnel-down of one tunnel
        // (another remip at the end; paired by tunnelid), an IPsec tunnel-stats with user N/A.
        let z = Remote.World(vpnZone: "UTC")
        var q = P(settings: z.ctx.settings)
        let raw = try Remote.wazuh("fortinet-fortigate-vpn/fortigate.ini")
        let r = Remote.feedAll(&q, Array(raw.joined(separator: "\n").utf8), z)
        #expect(tally(r) == ["R": 2, "I:" + P.notVPN.text: 41, "I:" + P.otherAction.text: 2, "I:" + P.nobody.text: 1])
        #expect(z.sessions(.vpn).map { [$0.start, $0.end] } == [[Remote.instant(2016, 6, 16, 8, 46, 59), Remote.instant(2016, 6, 16, 8, 49, 26)]])
        // The INI file as it is: its raw logs read the same, its INI lines are not FortiGate lines.
        let f = Remote.World(vpnZone: "UTC")
        var fp = P(settings: f.ctx.settings)
        let whole = tally(Remote.feedAll(&fp, try Remote.sample("fortinet-fortigate-vpn/fortigate.ini"), f))
        #expect(whole["R"] == 2 && whole["S:" + P.notKeyValue.text, default: 0] > 0)
        // SEKOIA: SSL tunnel-stats (`tz="UTC+2"`, a keep-alive of 8437 s), a failed login with
        // no date (eventtime only), and CEF (another format, not read).
        let s = Remote.World()
        var sp = Self.make()
        #expect(Remote.feed(&sp, try Remote.sekoia("fortinet-fortigate-vpn/tunnel.json"), s) == .record)
        #expect(s.vpn.map { [$0.start, $0.end!] } == [[1_566_916_060 - 8437, 1_566_916_060]])
        #expect(Remote.feed(&sp, try Remote.sekoia("fortinet-fortigate-vpn/vpn_login_failed.STANDARD.json"), s) == .ignored(P.otherAction))
        #expect(Remote.feed(&sp, try Remote.sekoia("fortinet-fortigate-vpn/ssl_new_con.CEF.json"), s) == .skipped(P.notKeyValue))
    }

    @Test(.enabled(if: Remote.hasSamples("fortinet-fortigate-vpn")))
    func independentOfHowItsBytesArrive() throws {
        let fixture = [Self.vpn("tunnel-up"), Self.vpn("negotiate"), Self.vpn("tunnel-stats", extra: "duration=600 ", when: "date=2020-03-25 time=08:10:00"),
                       Self.vpn("tunnel-down", extra: "duration=3600 ", when: "date=2020-03-25 time=09:00:00")].joined(separator: "\n") + "\n"
        Remote.checkChunking(Self.make, Array(fixture.utf8), world: { Remote.World(vpnZone: "Europe/Paris") })
        Remote.checkChunking(Self.make, try Remote.sample("fortinet-fortigate-vpn/event.log"), world: { Remote.World() })
    }

    @Test func garbageNeverTraps() {
        Remote.checkNoTrap(Self.make, [Self.vpn("tunnel-down", extra: "duration=5 "), "type=\"event\" subtype=\"vpn\" action=\"tunnel-up\" user=\"x"])
    }
}

// MARK: - Pulse Secure

@Suite struct PulseSecureParserTests {
    typealias P = PulseSecureParser
    static func make() -> P { P(settings: Remote.World(vpnZone: "Europe/Paris").ctx.settings) }
    static func line(_ time: String, _ ident: String, _ message: String) -> String {
        "<134>1 2020-03-25T\(time)+01:00 pcs PulseSecure: - - - 2020-03-25 \(time) - pcs - [198.51.100.7] \(ident) - \(message)"
    }

    @Test func loginToTimeoutAndLogout() {
        let w = Remote.World(vpnZone: "Europe/Paris")
        var p = Self.make()
        let ids: [(String, LineOutcome)] = [
            (Self.line("08:00:00", "CORP\\jane.doe(Users)[Staff]", "Agent login succeeded for CORP\\jane.doe/Users (session:sid0001) from 198.51.100.7 with Pulse-Secure/9.1"), .record),
            (Self.line("08:00:01", "CORP\\jane.doe(Users)[Staff]", "VPN Tunneling: Session started for user (session: sid0001) with IPv4 address 10.1.1.1, hostname PC"), .record),
            (Self.line("08:05:00", "CORP\\jane.doe(Users)[Staff]", "WebRequest completed, GET to https://x/ from 198.51.100.7 result=200"), .ignored(P.otherMessage)),
            (Self.line("12:00:00", "CORP\\jane.doe(Users)[Staff]", "Closed connection to TUN-VPN port 443 after 14399 seconds, with 1 bytes read"), .ignored(P.otherMessage)),
            (Self.line("12:00:00", "CORP\\jane.doe(Users)[Staff]", "VPN Tunneling: Session ended for user (session: sid0001) with IPv4 address 10.1.1.1"), .record),
            (Self.line("12:00:01", "CORP\\jane.doe()[]", "Logout from 198.51.100.7 (session:sid0001)"), .record),
            (Self.line("09:00:00", "Default Network::max.mustermann@CORP.EXAMPLE(Users)[Staff][abc123]", "Session created for user: [max.mustermann@CORP.EXAMPLE/Users] from [198.51.100.8]"), .record),
            (Self.line("14:00:00", "Default Network::max.mustermann@CORP.EXAMPLE(Users)[Staff][abc123]", "Session timed out for max.mustermann@CORP.EXAMPLE/Users (session:sid0002) due to inactivity (last access at 12:30:00 2020/03/25). Idle session identified during routine system scan."), .record),
            (Self.line("14:00:00", "Default Network::System()[][]", ":Client connection done for sid0002, reason code 0"), .ignored(P.otherMessage)),
            (Self.line("14:00:00", "System()[]", "Logout from 127.0.0.1 (session:sid0003)"), .ignored(P.system)),
            (Self.line("14:00:00", "ABC\\PC-0001$(Machines)[]", "Agent login succeeded for ABC\\PC-0001$/Machines (session:sid0004)"), .ignored(P.machine)),
            ("PulseSecure: - - - garbage", .skipped(P.notPulse)),
        ]
        for (l, want) in ids { #expect(Remote.feed(&p, l, w) == want, "\(l)") }
        let t = { (h: Int, m: Int, s: Int) in Remote.instant(2020, 3, 25, h, m, s, "Europe/Paris") }
        // Jane: 08:00:00 (two starts of one sid) to 12:00:01 (Session ended, then Logout). Max:
        // created 09:00, timed out, idle since 12:30 (his realm suffix found by the local part).
        let s = w.sessions(.vpn)
        #expect(s.map { [$0.start, $0.end] } == [[t(8, 0, 0), t(12, 0, 1)], [t(9, 0, 0), t(12, 30, 0)]])
        #expect(s.map(\.person) == [w.person("jane.doe@corp.example").key, w.person("max.mustermann@corp.example").key])
    }

    @Test func welf() {
        let w = Remote.World(vpnZone: "UTC")
        var p = P(settings: w.ctx.settings)
        let head = "id=firewall time=\"2021-01-28 13:46:05\" pri=6 fw=172.16.128.22 vpn=PCS02 ivs=Root user=CORP\\\\jane.doe realm=\"Users\" roles=\"Staff\" proto=auth src=198.51.100.7 type=vpn"
        #expect(Remote.feed(&p, head + " msg=\"AUT24414: Agent login succeeded for CORP\\jane.doe/Users (session:sidW1) from 198.51.100.7.\"", w) == .record)
        #expect(Remote.feed(&p, head.replacingOccurrences(of: "13:46:05", with: "15:46:05") + " duration=7200 msg=\"NWC23465: VPN Tunneling: Session ended for user (session: sidW1)\"", w) == .record)
        #expect(Remote.feed(&p, head + " msg=\"AUT24803: Host Checker policy 'HC' passed on host '198.51.100.7'\"", w) == .ignored(P.otherMessage))
        #expect(w.sessions(.vpn).map { [$0.start, $0.end] } == [[Remote.instant(2021, 1, 28, 13, 46, 5), Remote.instant(2021, 1, 28, 15, 46, 5)]])
    }

    @Test(.enabled(if: Remote.hasSamples("pulse-secure")))
    func theRealSamples() throws {
        let w = Remote.World(vpnZone: "UTC")
        var p = P(settings: w.ctx.settings)
        let o = Remote.feedAll(&p, try Remote.sample("pulse-secure/test-log-vpn.log"), w)
        let R = LineOutcome.record, I = LineOutcome.ignored(P.otherMessage)
        // Line by line: authentication steps and failures, WebRequest, `Closed connection`,
        // `Client connection done` and account changes ignored; logins, tunnel starts and ends,
        // logouts, time-outs, `Session created` and `Session:[...] deleted` records.
        #expect(o == [I, R, R, I, I, I, I, I, I, R, R, I, I, R, R, R, I, R, R, I, R, I, R, I, I])
        // The sessions (the RFC 5424 header's offset, +02:00 or +01:00, places them): one open
        // (sid74fa…, 09:10:35, never ended in the file: open to the newest stamp, at most a day),
        // one ended at 09:49:40 whose start the file lacks (counted at its end; the Logout a second
        // later repeats that end), time-outs at their last access, at the header's offset.
        let s = w.sessions(.vpn)
        #expect(s.first.map { [$0.start, $0.end] } == [Remote.instant(2021, 10, 19, 7, 10, 35), Remote.instant(2021, 10, 20, 7, 10, 35)])
        #expect(s.contains { $0.start == Remote.instant(2021, 10, 19, 7, 49, 39) && $0.end == Remote.instant(2021, 10, 19, 7, 49, 41) })
        #expect(s.contains { $0.end == Remote.instant(2024, 1, 11, 12, 51, 42) })
        #expect(s.contains { $0.end == Remote.instant(2026, 4, 3, 11, 43, 32) })
        // Azure Sentinel's export (a JSON array, cut after 300 lines): 13 SyslogMessage members,
        // the rest structure. One login (session:047a0c58); the appliance's own messages, a failed
        // machine login, WebRequests, a closed connection and a key exchange: no session.
        let j = Remote.World(vpnZone: "UTC")
        var jp = P(settings: j.ctx.settings)
        let json = Remote.feedAll(&jp, try Remote.sample("pulse-secure/PulseConnectSecure.json"), j)
        #expect(json.count == 300)
        #expect(tally(json) == ["R": 1, "I:" + P.otherMessage.text: 12, "H": 287])
        #expect(j.vpnEdges.map(\.at) == [Remote.instant(2020, 5, 1, 8, 35, 44)])
        #expect(j.vpnEdges.first?.person == j.account("user10").key)
        #expect(Remote.feed(&p, try Remote.sekoia("pulse-secure/host_checker_policy_success.json"), w) == I)
        #expect(Remote.feed(&p, try Remote.sekoia("pulse-secure/test_event_aut20920.json"), w) == I)
    }

    @Test(.enabled(if: Remote.hasSamples("pulse-secure")))
    func independentOfHowItsBytesArrive() throws {
        Remote.checkChunking(Self.make, try Remote.sample("pulse-secure/test-log-vpn.log"), world: { Remote.World() })
    }

    @Test func garbageNeverTraps() {
        Remote.checkNoTrap(Self.make, [Self.line("08:00:00", "a::b(R)[x][y]", "Session timed out for x (last access at 12:30:00 2020/03/25)"),
                                       Self.line("08:00:00", "u(R)[x]", "Session:[abc] for user:[u] deleted"), "id=firewall time=\"2021-01-28 13:46:05\" msg=\"AUT1:"])
    }
}

// MARK: - Citrix ADC

@Suite struct CitrixADCParserTests {
    typealias P = CitrixADCParser
    static func make() -> P { P(settings: Remote.World(vpnZone: "Europe/Paris").ctx.settings) }

    @Test func icaStartAndEndPairByConnectionID() {
        let w = Remote.World(vpnZone: "Europe/Paris")
        var p = Self.make()
        let start = "03/25/2020:08:00:05 GMT ns1 0-PPE-0 : default SSLVPN ICASTART 100 0 :  Source 198.51.100.7:50000 - Destination 10.0.0.5:1494 - customername  - username:domainname jane.doe:CORP - applicationName Desktop - startTime \"03/25/2020:08:00:00 GMT\" - connectionId 7001"
        let end = "03/25/2020:16:00:00 GMT ns1 0-PPE-0 : default SSLVPN ICAEND_CONNSTAT 101 0 :  Source 198.51.100.7:50000 - Destination 10.0.0.5:1494 - customername  - username:domainname jane.doe:CORP - startTime \"03/25/2020:08:00:00 GMT\" - endTime \"03/25/2020:16:00:00 GMT\" - Duration 08:00:00  - Total_bytes_send 1 - connectionId 7001"
        let other = "25/03/2020:09:00:00 ns1 0-PPE-0 : default SSLVPN ICASTART 102 0 :  Source 1.1.1.1:1 - username:domainname max.mustermann:CORP - startTime \"25/03/2020:09:00:00\" - connectionId 7002"
        #expect(Remote.feed(&p, start, w) == .record)
        #expect(Remote.feed(&p, end, w) == .record)
        #expect(Remote.feed(&p, other, w) == .record)  // day first; no GMT: the zone (Paris)
        let s = w.sessions(.vdi)
        #expect(s.map { [$0.start, $0.end] } == [[Remote.instant(2020, 3, 25, 8, 0, 0), Remote.instant(2020, 3, 25, 16, 0, 0)],
                                                 [Remote.instant(2020, 3, 25, 8, 0, 0), Remote.instant(2020, 3, 25, 16, 0, 0)]])
        #expect(s.map(\.person) == [w.person("jane.doe@corp.example").key, w.person("max.mustermann@corp.example").key])
        #expect(w.sessions(.vpn).isEmpty)
    }

    @Test func vpnLoginAndLogout() {
        let w = Remote.World()
        var p = Self.make()
        #expect(Remote.feed(&p, "12/19/2024:10:16:43 GMT ns 0-PPE-0 : default SSLVPN LOGIN 1 0 : Context testuser@1.2.3.4 - SessionId: 1096201 - User testuser - Client_ip 1.2.3.4 - Nat_ip \"Mapped Ip\"", w) == .record)
        #expect(w.starts.map(\.start) == [Remote.instant(2024, 12, 19, 10, 16, 43)])
        #expect(Remote.feed(&p, "12/19/2024:10:37:23 GMT ns 0-PPE-0 : default SSLVPN LOGOUT 2 0 : Context testuser@1.2.3.4 - SessionId: 1096201 - User testuser - Client_ip 1.2.3.4 - Duration 00:20:40  - End_time \"12/19/2024:10:37:23 GMT\"", w) == .record)
        #expect(w.sessions(.vpn).map { [$0.start, $0.end] } == [[Remote.instant(2024, 12, 19, 10, 16, 43), Remote.instant(2024, 12, 19, 10, 37, 23)]])
        #expect(Remote.feed(&p, "12/19/2024:10:37:23 GMT ns 0-PPE-0 : default SSLVPN LOGOUT 2 0 : Context x - User testuser", w) == .skipped(P.noSessionFields))
        #expect(Remote.feed(&p, "no default here", w) == .skipped(P.notNetScaler))
    }

    @Test(.enabled(if: Remote.hasSamples("citrix-adc")))
    func theRealSamples() throws {
        let w = Remote.World()
        var p = Self.make()
        let o = Remote.feedAll(&p, try Remote.sample("citrix-adc/Citrix ADC.txt"), w)
        // A relay cut the date from every header: the LOGIN (timed by its header alone) cannot be
        // placed; the LOGOUT carries its own Start_time and End_time. ICA: `anonymous`.
        #expect(tally(o) == ["R": 1, "S:" + P.noDate.text: 1, "I:" + P.anonymous.text: 2, "I:" + P.aaatm.text: 2, "I:" + P.otherEvent.text: 17])
        #expect(w.vpn.map { [$0.start, $0.end!] } == [[Remote.instant(2023, 6, 4, 9, 25, 54), Remote.instant(2023, 6, 4, 10, 47, 49)]])
        #expect(w.vpn.first?.person == w.account("TestUser").key)
        #expect(Remote.feed(&p, try Remote.sekoia("citrix-adc/test_sslvpn_log_4.json"), w) == .record)
        #expect(w.vpn.contains { $0.start == Remote.instant(2024, 12, 19, 10, 16, 43) && $0.end == Remote.instant(2024, 12, 19, 10, 37, 23) })
        #expect(Remote.feed(&p, try Remote.sekoia("citrix-adc/test_aaa.json"), w) == .ignored(P.otherEvent))
        #expect(Remote.feed(&p, try Remote.sekoia("citrix-adc/test_sslvpn_log_8.json"), w) == .ignored(P.otherEvent))
    }

    @Test(.enabled(if: Remote.hasSamples("citrix-adc")))
    func independentOfHowItsBytesArrive() throws {
        Remote.checkChunking(Self.make, try Remote.sample("citrix-adc/Citrix ADC.txt") + Array(("\n" + (try Remote.sekoia("citrix-adc/test_sslvpn_log_4.json"))).utf8),
                             world: { Remote.World() })
    }

    @Test func garbageNeverTraps() {
        Remote.checkNoTrap(Self.make, ["1/1/2020:1 : default SSLVPN ICAEND_CONNSTAT 1 0 : username:domainname a:b - startTime \"03/25/2020:08:00:00 GMT\" - endTime \"",
                                       "12/19/2024:10:37:23 GMT ns 0-PPE-0 : default SSLVPN LOGOUT 2 0 : SessionId: 1 - User u - End_time \"12/19/2024:10:37:23 GMT\" - Duration 99:"])
    }
}

// MARK: - OpenVPN

@Suite struct OpenVPNParserTests {
    @Test(.enabled(if: Remote.hasSamples("openvpn")))
    func theServerLog() throws {
        // Azure Sentinel's sample: each message twice (two syslog paths); one client, demovpn,
        // from Peer Connection Initiated (11:17:33) to client-instance exiting (11:17:46), June of
        // the year the file was written in (year-less stamps), the `vpn` zone.
        let w = Remote.World(vpnZone: "UTC")
        var p = OpenVPNLogParser(settings: w.ctx.settings, fileModified: Remote.instant(2021, 7, 1, 0, 0, 0))
        let o = Remote.feedAll(&p, try Remote.sample("openvpn/OpenVPN.txt"), w)
        #expect(tally(o) == ["R": 4, "I:" + OpenVPNLogParser.otherMessage.text: 28])
        #expect(w.sessions(.vpn).map { [$0.start, $0.end] } == [[Remote.instant(2021, 6, 21, 11, 17, 33), Remote.instant(2021, 6, 21, 11, 17, 46)]])
        #expect(w.sessions(.vpn).first?.person == w.person("demovpn@corp.example").key)
        // The `--log` file spelling (SEKOIA), and a TLS line before the CN is known.
        var q = OpenVPNLogParser(settings: w.ctx.settings)
        #expect(Remote.feed(&q, try Remote.sekoia("openvpn/client_connection_3.json"), w) == .record)
        #expect(w.vpnEdges.contains { $0.at == Remote.instant(2023, 10, 31, 15, 9, 59) && !$0.isEnd })
        #expect(Remote.feed(&q, try Remote.sekoia("openvpn/tls_information_2.json"), w) == .ignored(OpenVPNLogParser.otherMessage))
        Remote.checkChunking({ OpenVPNLogParser(settings: Remote.World(vpnZone: "UTC").ctx.settings, fileModified: Remote.instant(2021, 7, 1, 0, 0, 0)) },
                             try Remote.sample("openvpn/OpenVPN.txt"), world: { Remote.World(vpnZone: "UTC") })
    }

    @Test(.enabled(if: Remote.hasSamples("openvpn")))
    func statusFiles() throws {
        func read(_ name: String, _ w: Remote.World) throws -> [String: Int] {
            var p = OpenVPNStatusParser(settings: w.ctx.settings)
            return tally(Remote.feedAll(&p, try Remote.sample("openvpn/" + name), w))
        }
        let rows = "I:" + OpenVPNStatusParser.routing.text, stats = "I:" + OpenVPNStatusParser.stats.text
        let v1 = Remote.World(vpnZone: "UTC")
        #expect(try read("version1.status", v1) == ["H": 7, "R": 4, rows: 4, stats: 1])
        // Each client open from Connected Since to the file's Updated time.
        let updated = Remote.instant(2020, 4, 23, 20, 14, 31)
        #expect(v1.sessions(.vpn).map { [$0.start, $0.end] } == [[Remote.instant(2020, 4, 22, 12, 36, 42), updated], [Remote.instant(2020, 4, 22, 12, 36, 52), updated],
                                                                [Remote.instant(2020, 4, 22, 12, 36, 54), updated], [Remote.instant(2020, 4, 22, 12, 42, 45), updated]])
        // Versions 2 and 3 are one snapshot spelled twice: the same facts.
        let v2 = Remote.World(), v3 = Remote.World()
        #expect(try read("version2.status", v2) == ["H": 5, "R": 2, rows: 2, stats: 1])
        #expect(try read("version3.status", v3) == ["H": 5, "R": 2, rows: 2, stats: 1])
        #expect(Remote.facts(v2.ctx.acc) == Remote.facts(v3.ctx.acc))
        #expect(v2.sessions(.vpn).map { [$0.start, $0.end] } == [[1_588_254_938, 1_588_254_944], [1_588_254_940, 1_588_254_944]])
        // A client listed twice is one session; UNDEF is not yet authenticated.
        let d = Remote.World(vpnZone: "UTC")
        #expect(try read("duplicate.status", d) == ["H": 5, "R": 3, "I:" + OpenVPNStatusParser.undef.text: 2, stats: 1])
        #expect(d.sessions(.vpn).count == 2)
        let s2 = Remote.World()
        #expect(try read("server2.status", s2) == ["H": 5, "R": 6, rows: 6, stats: 1])
        #expect(s2.sessions(.vpn).count == 5)
        Remote.checkChunking({ OpenVPNStatusParser(settings: Remote.World().ctx.settings) }, try Remote.sample("openvpn/server2.status"), world: { Remote.World() })
    }

    /// Consecutive snapshots: a client in both is one session lasting to the later one.
    @Test func consecutiveSnapshotsAreOneSession() {
        let w = Remote.World()
        var p = OpenVPNStatusParser(settings: w.ctx.settings)
        for (time, clients) in [(1_588_254_944, ["jane.doe", "max.mustermann"]), (1_588_255_004, ["jane.doe"])] {
            _ = Remote.feed(&p, "TITLE,OpenVPN 2.4.4", w)
            _ = Remote.feed(&p, "TIME,x,\(time)", w)
            _ = Remote.feed(&p, "HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Bytes Received,Bytes Sent,Connected Since,Connected Since (time_t),Username", w)
            for (k, c) in clients.enumerated() {
                #expect(Remote.feed(&p, "CLIENT_LIST,\(c),1.2.3.\(k):5000,10.8.0.\(k),1,2,x,\(1_588_250_000 + k),UNDEF", w) == .record)
            }
        }
        #expect(w.sessions(.vpn).map { [$0.start, $0.end] } == [[1_588_250_000, 1_588_255_004], [1_588_250_001, 1_588_254_944]])
        var q = OpenVPNStatusParser(settings: w.ctx.settings)
        // A row before any TIME cannot be bounded; without a HEADER, OpenVPN 2.4's columns.
        #expect(Remote.feed(&q, "CLIENT_LIST,jane.doe,1.2.3.9:5,10.8.0.9,,1,2,x,1588250000,UNDEF,0,0", w) == .skipped(OpenVPNStatusParser.beforeTime))
        #expect(Remote.feed(&q, "TIME,x,1588260000", w) == .header)
        #expect(Remote.feed(&q, "CLIENT_LIST,jane.doe,1.2.3.9:5,10.8.0.9,,1,2,x,1588250000,UNDEF,0,0", w) == .record)
        #expect(w.vpn.contains { $0.start == 1_588_250_000 && $0.end == 1_588_260_000 && $0.tag == w.tag("1.2.3.9:5") })
    }

    @Test func garbageNeverTraps() {
        Remote.checkNoTrap({ OpenVPNLogParser(settings: Remote.World().ctx.settings, fileModified: 1_600_000_000) },
                           ["Jun 21 11:17:33 h openvpn[1]: 1.2.3.4:1 [a] Peer Connection Initiated with [AF_INET]1.2.3.4:1",
                            "2023-10-31 15:09:59 a/1.2.3.4:1 SIGTERM[soft,remote-exit] received, client-instance exiting"])
        Remote.checkNoTrap({ OpenVPNStatusParser(settings: Remote.World().ctx.settings) },
                           ["TIME,Thu Apr 30 13:55:44 2020,1588254944", "CLIENT_LIST,a,1.2.3.4:1,10.0.0.1,,1,2,Thu Apr 30 13:55:38 2020,158825493"])
    }
}

// MARK: - pairing, and the sniffer on the real samples

@Suite struct SessionEdgeTests {
    static func e(_ at: Int64, _ end: Bool, key: UInt64 = 9, person: UInt64 = 1) -> SessionEdge {
        SessionEdge(person: person, bu: 3, at: at, key: key, isEnd: end)
    }

    @Test func pairing() {
        func pair(_ edges: [SessionEdge]) -> [[Int64?]] {
            SessionEdges.pair(Set(edges)).map { [$0.start, $0.end] }.sorted { ($0[0]!, $0[1] ?? .max) < ($1[0]!, $1[1] ?? .max) }
        }
        // Start, start again (same session announced twice), end, repeated end a second later.
        #expect(pair([Self.e(100, false), Self.e(101, false), Self.e(500, true), Self.e(501, true)]) == [[100, 501]])
        // An end long after the last one, with nothing open: a session whose start is not in the data.
        #expect(pair([Self.e(100, false), Self.e(500, true), Self.e(5_000, true)]) == [[100, 500], [4_999, 5_000]])
        // Still open at the end of the data.
        #expect(pair([Self.e(100, false), Self.e(500, true), Self.e(900, false)]) == [[100, 500], [900, nil]])
        // Keys and people apart.
        let apart: [[Int64?]] = [[100, 300], [200, nil], [399, 400]]
        #expect(pair([Self.e(100, false, key: 1), Self.e(200, false, key: 2), Self.e(300, true, key: 1), Self.e(400, true, key: 2, person: 2)]) == apart)
        // An end more than 31 days after its start: a lost end.
        let late: Int64 = 40 * 86_400
        let lost: [[Int64?]] = [[0, nil], [late - 1, late]]
        #expect(pair([Self.e(0, false), Self.e(late, true)]) == lost)
    }

    /// Near-duplicate closed sessions (snapshots, statistics) are one; unmatched starts a few
    /// seconds apart are one.
    @Test func assemblyMergesNearDuplicates() {
        let acc = Accumulator()
        acc.session(.vpn, SessionFact(person: 1, bu: 3, start: 100, end: 700, tag: 5))
        acc.session(.vpn, SessionFact(person: 1, bu: 3, start: 101, end: 1_300, tag: 5))
        acc.session(.vpn, SessionFact(person: 1, bu: 3, start: 5_000, end: 6_000, tag: 5))
        acc.vpnStarts.insert(SessionFact(person: 2, bu: 3, start: 2_000, end: nil, tag: 6))
        acc.vpnStarts.insert(SessionFact(person: 2, bu: 3, start: 2_003, end: nil, tag: 6))
        acc.saw(3_000, family: .vpn)
        let all: [ClosedSession] = SessionAssembly.sessions(.vpn, acc, maxOpen: 86_400)
        let s: [String] = all.map { "\($0.person) \($0.start) \($0.end)" }.sorted()
        #expect(s == ["1 100 1300", "1 5000 6000", "2 2000 3000"])
    }

    /// Edges of several accumulators (threads, chunks) merge as a union (the store round trip is
    /// RemoteAccessStoreCLITests).
    @Test func edgesMergeAcrossAccumulators() {
        let a = Accumulator(), b = Accumulator()
        a.edge(.vpn, Self.e(100, false))
        b.edge(.vpn, Self.e(500, true))
        b.edge(.vdi, Self.e(7, false))
        a.merge(b)
        #expect(a.edges[SessionFamily.vpn.rawValue] == [Self.e(100, false), Self.e(500, true)])
        #expect(a.edges[SessionFamily.vdi.rawValue] == [Self.e(7, false)])
    }

    @Test(.enabled(if: Remote.hasSamples("openvpn")))
    func theSnifferKnowsEveryRealLog() throws {
        let want: [String: InputFormat] = [
            "panw-globalprotect/test-panw-panos-globalprotect-sample.log": .panosGlobalProtect,
            "panw-globalprotect/pan_globalprotect.samplelog": .panosGlobalProtect,
            "fortinet-fortigate-vpn/event.log": .fortigateKV,
            "pulse-secure/test-log-vpn.log": .pulseSecure, "pulse-secure/PulseConnectSecure.json": .pulseSecure,
            "citrix-adc/Citrix ADC.txt": .citrixADC,
            "openvpn/OpenVPN.txt": .openVPNLog,
            "openvpn/version1.status": .openVPNStatus, "openvpn/version2.status": .openVPNStatus,
            "openvpn/version3.status": .openVPNStatus, "openvpn/duplicate.status": .openVPNStatus,
            "openvpn/server2.status": .openVPNStatus,
        ]
        for (path, format) in want { #expect(FormatSniffer.sniff(try Remote.sample(path)) == format, "\(path)") }
        // The raw lines of the test cases, as a device writes them.
        let raw: [(String, InputFormat)] = [
            (try Remote.sekoia("panw-globalprotect/globalprotect_csv_2.json"), .panosGlobalProtect),
            (try Remote.sekoia("fortinet-fortigate-vpn/tunnel.json"), .fortigateKV),
            (try Remote.sekoia("fortinet-fortigate-vpn/vpn_login_failed.STANDARD.json"), .fortigateKV),
            (try Remote.sekoia("pulse-secure/host_checker_policy_success.json"), .pulseSecure),
            (try Remote.sekoia("citrix-adc/test_sslvpn_log_4.json"), .citrixADC),
            (try Remote.sekoia("openvpn/client_connection_3.json"), .openVPNLog),
        ]
        for (line, format) in raw { #expect(FormatSniffer.sniff(Array((line + "\n").utf8)) == format, "\(line)") }
        // ASA stays ASA; the folders' PROVENANCE.md, quoting log lines in Markdown, are no logs.
        #expect(FormatSniffer.sniff(try Remote.sample("cisco-asa-mixed.log")) == .asaSyslog)
        for folder in ["panw-globalprotect", "fortinet-fortigate-vpn", "pulse-secure", "citrix-adc", "openvpn"] {
            #expect(FormatSniffer.sniff(try Remote.sample(folder + "/PROVENANCE.md")) == nil, "\(folder)")
        }
    }
}

// MARK: - end to end: the same organisation on every vendor

@Suite struct MixedEstateTests {
    /// The generator's mixed estate (GlobalProtect, FortiGate, Pulse, OpenVPN, ASA; Citrix ICA
    /// for some virtual desktops) writes the very sessions of the ASA-only estate: every VPN, VDI
    /// and remote figure comes out the same, and every line of the vendors' logs is a record or
    /// a known step (GlobalProtect's gateway-auth).
    @Test func everyVendorGivesTheSameFigures() throws {
        let a = TempDir(), m = TempDir()
        defer { a.cleanup(); m.cleanup() }
        _ = try generate(a.path, scale: 0.01, from: "2020-03-09", to: "2020-03-22", feeds: [.directory, .vpn, .vdi])
        let summary = try generate(m.path, scale: 0.01, from: "2020-03-09", to: "2020-03-22", feeds: [.directory, .vpn, .vdi], vpnVendor: .mixed)
        let formats = Set(summary.files.map(\.format))
        #expect(formats.isSuperset(of: ["panos-globalprotect", "fortigate-kv", "pulse-secure", "openvpn-log", "citrix-adc", "asa-syslog"]))
        // As the generated plateau.toml says: the devices' wall clocks are Paris time.
        var settings = IngestSettings()
        settings.timezone = TimeZoneRules(identifier: "Europe/Paris")!
        settings.sourceZones["vpn"] = settings.timezone
        settings.sourceYears["vpn"] = 2020
        let (ra, fa) = try ingest([a.path], settings: settings)
        let (rm, fm) = try ingest([m.path], settings: settings)
        let ca = cells(fa).filter { !$0.key.hasPrefix("meetings") }, cm = cells(fm).filter { !$0.key.hasPrefix("meetings") }
        #expect(ca.keys.contains { $0.hasPrefix("vpn.peak_sessions") } && ca.keys.contains { $0.hasPrefix("vdi.users") })
        #expect(ca == cm)
        _ = ra
        let vendors: Set<String> = ["panos-globalprotect", "fortigate-kv", "pulse-secure", "openvpn-log", "citrix-adc"]
        for input in rm.inputs where vendors.contains(input.format ?? "") {
            #expect(input.account.skipped == 0, "\(input.path)")
            #expect(input.account.records > 0, "\(input.path)")
            if input.format == "panos-globalprotect" {
                #expect(input.account.ignored == [GlobalProtectParser.otherEvent.text: input.account.lines - input.account.records], "\(input.path)")
            } else {
                #expect(input.account.records == input.account.lines, "\(input.path)")
            }
        }
    }
}

// MARK: - identities

@Suite struct RemoteAccountTests {
    /// Every spelling of the real samples names the directory's person, or nobody.
    @Test(arguments: [
        ("jane.doe", "jane.doe"), ("corp\\jane.doe", "jane.doe"), ("host\\\\jane.doe", "jane.doe"), ("example.org\\jane.doe", "jane.doe"),
        ("jane.doe(REALM)[Roles]", "jane.doe"), ("\"jane.doe\"", "jane.doe"), ("  jane.doe@corp.example ", "jane.doe@corp.example"),
    ])
    func spellings(_ raw: String, _ want: String) {
        #expect(Remote.bytes(raw) { RemoteAccount.account($0).string } == want)
        let w = Remote.World()
        #expect(Remote.bytes(raw) { w.ctx.resolver.resolveRemote(RemoteAccount.account($0)) } == w.person("jane.doe@corp.example"))
    }

    @Test func realmsMachinesAndNobody() {
        let w = Remote.World()
        // A Kerberos realm that is no UPN domain: the local part, when it names one person.
        #expect(w.account("max.mustermann@CORP.EXAMPLE.LOCAL") == w.person("max.mustermann@corp.example"))
        #expect(w.account("nobody.known@CORP.EXAMPLE.LOCAL").bu == BusinessUnits.unassigned)
        #expect(Remote.bytes("ABC\\SAMPL-4086063$") { RemoteAccount.isMachine(RemoteAccount.account($0)) })
        for n in ["N/A", "(null)", "UNDEF", "-", ""] { #expect(Remote.bytes(n) { RemoteAccount.isNobody($0) }, "\(n)") }
        #expect(!Remote.bytes("jane.doe") { RemoteAccount.isNobody($0) })
    }
}
