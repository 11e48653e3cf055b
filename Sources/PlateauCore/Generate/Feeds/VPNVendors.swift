/// The VPN vendors `plateau generate --vpn-vendor` writes besides the ASA (issue 17): the same
/// sessions, admitted against the same licence pool, in each vendor's own log. A refused
/// session and the site-to-site tunnel are ASA messages only.
/// - `vpn/globalprotect-YYYY-MM.log`: PAN-OS GLOBALPROTECT CSV behind a BSD header, a
///   `gateway-auth` step, `gateway-connected`, and `gateway-logout` with its LoginDuration; the
///   user `AURORE\account`, the Host ID the tag.
/// - `vpn/fortigate-YYYY-MM.log`: FortiOS key=value, `tunnel-up`, `tunnel-stats` every 4 hours
///   of a long tunnel, `tunnel-down` with its duration; `eventtime` and `tz` given.
/// - `vpn/pulse-YYYY-MM.log`: Pulse syslog (RFC 5424 header with the offset), `Agent login
///   succeeded` and `VPN Tunneling: Session started` / `Session ended` of one `sid`.
/// - `vpn/openvpn-YYYY-MM.log`: OpenVPN server syslog, year-less stamps, `Peer Connection
///   Initiated` and `client-instance exiting`, the CN the account.
/// `mixed` puts three BUs on GlobalProtect, two on FortiGate, one on Pulse, one on OpenVPN and
/// the others on the ASA.
public enum VPNVendor: String, CaseIterable, Sendable {
    case asa, globalprotect, fortigate, pulse, openvpn, mixed

    /// The vendor of a BU's concentrator (by the BU's index) under this choice.
    func vendor(ofBU bu: Int) -> VPNVendor {
        guard self == .mixed else { return self }
        switch bu {
        case 1, 5, 9: return .globalprotect
        case 2, 6: return .fortigate
        case 3: return .pulse
        case 7: return .openvpn
        default: return .asa
        }
    }
}

extension VPNFeed {
    /// The monthly log of a vendor other than the ASA.
    func vendorLog(_ v: VPNVendor) -> MonthlyLog {
        if let l = vendorLogs[v] { return l }
        let (name, format): (String, String) = {
            switch v {
            case .globalprotect: return ("vpn/globalprotect", "panos-globalprotect")
            case .fortigate: return ("vpn/fortigate", "fortigate-kv")
            case .pulse: return ("vpn/pulse", "pulse-secure")
            default: return ("vpn/openvpn", "openvpn-log")
            }
        }()
        let l = MonthlyLog(g, name, "log", format: format)
        vendorLogs[v] = l
        return l
    }

    /// Writes a start or an end of `s` in vendor `v`'s log; `t` is the event's UTC instant.
    func writeVendor(_ v: VPNVendor, start: Bool, _ s: GeneratedSession, at t: Int64) throws {
        let offset = b.paris.offset(atUTC: t)
        let local = t + Int64(offset)
        let f = try vendorLog(v).file(for: WallClock(epochSeconds: local).date)
        let w = f.w
        switch v {
        case .globalprotect:
            if start {
                globalProtect(w, "gateway-auth", "login", s, local, offset, duration: 0)
                try w.endLine()
            }
            globalProtect(w, start ? "gateway-connected" : "gateway-logout", start ? "connected" : "logout", s, local, offset,
                          duration: start ? 0 : Int(s.end - s.start))
        case .fortigate:
            if !start {
                // Statistics every 4 hours of a tunnel's life, each at its own instant: written
                // with the end (the file is not in time order there, as a relay's may not be).
                var k: Int64 = 4 * 3600
                while s.start + k < s.end {
                    fortigate(w, "tunnel-stats", s, s.start + k, duration: Int(k)); try w.endLine()
                    k += 4 * 3600
                }
            }
            fortigate(w, start ? "tunnel-up" : "tunnel-down", s, t, duration: start ? nil : Int(s.end - s.start))
        case .pulse:
            w.ascii("<134>1 "); w.isoOffset(t, offsetSeconds: offset); w.ascii(" pcs-01 PulseSecure: - - - ")
            date(w, local, "-"); w.ascii(" - pcs-01 - ["); ip(w, s); w.ascii("] "); account(w, s); w.ascii("(Staff)[Users] - ")
            if start {
                w.ascii("Agent login succeeded for "); account(w, s); w.ascii("/Staff (session:sid"); w.hex(s.id, digits: 16)
                w.ascii(") from "); ip(w, s); w.ascii(" with Pulse-Secure/9.1.4.2 (Windows 10) Pulse/9.1.4.2.")
                try w.endLine()
                w.ascii("<134>1 "); w.isoOffset(t, offsetSeconds: offset); w.ascii(" pcs-01 PulseSecure: - - - ")
                date(w, local, "-"); w.ascii(" - pcs-01 - ["); ip(w, s); w.ascii("] "); account(w, s); w.ascii("(Staff)[Users] - ")
                w.ascii("VPN Tunneling: Session started for user (session: sid"); w.hex(s.id, digits: 16); w.ascii(") with IPv4 address 10.200.")
                w.int(Int(s.id % 250)); w.ascii(".1, hostname PC-"); w.int(s.person)
            } else {
                w.ascii("VPN Tunneling: Session ended for user (session: sid"); w.hex(s.id, digits: 16); w.ascii(") with IPv4 address 10.200.")
                w.int(Int(s.id % 250)); w.ascii(".1")
            }
        default:
            w.syslogTime(local, withYear: false); w.ascii(" ovpn-01 openvpn[4242]: ")
            if start {
                ip(w, s); w.byte(58); w.int(1024 + Int(s.id % 60_000)); w.ascii(" ["); account(w, s); w.ascii("] Peer Connection Initiated with [AF_INET]")
                ip(w, s); w.byte(58); w.int(1024 + Int(s.id % 60_000))
            } else {
                account(w, s); w.byte(47); ip(w, s); w.byte(58); w.int(1024 + Int(s.id % 60_000))
                w.ascii(" SIGTERM[soft,remote-exit] received, client-instance exiting")
            }
        }
        try w.endLine()
        f.saw(t)
    }

    /// `YYYY/MM/DD hh:mm:ss` (or with `-`) of a local instant.
    func date(_ w: ByteWriter, _ local: Int64, _ sep: StaticString) {
        let c = WallClock(epochSeconds: local)
        let (y, m, d) = c.date.components
        w.int(y); w.ascii(sep); w.padded(m, 2); w.ascii(sep); w.padded(d, 2); w.byte(32)
        w.padded(c.hour, 2); w.byte(58); w.padded(c.minute, 2); w.byte(58); w.padded(c.second, 2)
    }

    func globalProtect(_ w: ByteWriter, _ event: StaticString, _ stage: StaticString, _ s: GeneratedSession, _ local: Int64, _ offset: Int,
                       duration: Int) {
        w.ascii("<14>"); w.syslogTime(local, withYear: false); w.ascii(" gp-fw-01 1,"); date(w, local, "/")
        w.ascii(",013201001234,GLOBALPROTECT,0,2562,"); date(w, local, "/"); w.ascii(",vsys1,"); w.ascii(event); w.byte(44); w.ascii(stage)
        w.ascii(",SAML,SSL,AURORE\\"); account(w, s); w.ascii(",FR,PC-"); w.int(s.person); w.byte(44); ip(w, s)
        w.ascii(",0.0.0.0,10.100."); w.int(Int(s.id % 250)); w.ascii(".7,0.0.0.0,"); w.hex(s.id, digits: 16)
        w.ascii(",SN"); w.int(s.person); w.ascii(",6.0.4,Windows,\"Microsoft Windows 10 Enterprise , 64-bit\",1,,,\"\",success,,")
        w.int(duration); w.ascii(",user-logon,0,GP-GW-01,"); w.int(Int(s.id % 1_000_000)); w.ascii(",0x8000000000000000,")
        w.isoOffset(local - Int64(offset), offsetSeconds: offset); w.ascii(",,,,,,0,0,0,0,,gp-fw-01,1")
    }

    func fortigate(_ w: ByteWriter, _ action: StaticString, _ s: GeneratedSession, _ t: Int64, duration: Int?) {
        let code: StaticString = duration == nil ? "47" : action.utf8CodeUnitCount == 12 ? "49" : "48"  // up, stats, down
        let offset = b.paris.offset(atUTC: t)
        let c = WallClock(epochSeconds: t + Int64(offset))
        let (y, m, d) = c.date.components
        w.ascii("date="); w.int(y); w.byte(45); w.padded(m, 2); w.byte(45); w.padded(d, 2); w.ascii(" time=")
        w.padded(c.hour, 2); w.byte(58); w.padded(c.minute, 2); w.byte(58); w.padded(c.second, 2)
        w.ascii(" devname=\"fgt-01\" devid=\"FG200F0000000001\" logid=\"01010399"); w.ascii(code)
        w.ascii("\" type=\"event\" subtype=\"vpn\" level=\"information\" vd=\"root\" eventtime="); w.int(Int(t)); w.padded(Int(s.id % 1000), 3); w.ascii("000000")
        w.ascii(" tz=\""); w.byte(offset < 0 ? 45 : 43); w.padded(abs(offset) / 3600, 2); w.padded(abs(offset) / 60 % 60, 2)
        w.ascii("\" logdesc=\"SSL VPN tunnel\" action=\""); w.ascii(action); w.ascii("\" tunneltype=\"ssl-tunnel\" tunnelid=")
        w.int(Int(s.id % 4_000_000_000)); w.ascii(" remip="); ip(w, s); w.ascii(" tunnelip=10.212.134."); w.int(Int(s.id % 250))
        w.ascii(" user=\""); account(w, s); w.ascii("\" group=\"SSL_VPN\" dst_host=\"N/A\" reason=\"N/A\"")
        if let duration { w.ascii(" duration="); w.int(duration); w.ascii(" sentbyte="); w.int(Int(s.id % 9_000_000)); w.ascii(" rcvdbyte="); w.int(Int(s.id % 40_000_000)) }
        w.ascii(" msg=\"SSL tunnel\"")
    }
}
