/// One end of a session, for sources that log a session's start and its end as two records
/// and give the end no duration (Pulse Secure, OpenVPN server logs, GlobalProtect SYSTEM logs,
/// Citrix ICA): the start and the end are paired once everything is read (`SessionEdges.pair`),
/// so files and chunks may be read in any order.
///
/// `key` names the session when the log does (a Pulse `sid`, a Citrix `connectionId`, an
/// OpenVPN `CN/ip:port`); 0 when it does not (a GlobalProtect SYSTEM log names the person only),
/// and a person's edges then pair in time order.
public struct SessionEdge: Sendable, Hashable {
    public var person: UInt64
    public var bu: UInt16
    public var at: Int64
    public var key: UInt64
    public var isEnd: Bool

    public init(person: UInt64, bu: UInt16, at: Int64, key: UInt64, isEnd: Bool) {
        self.person = person; self.bu = bu; self.at = at; self.key = key; self.isEnd = isEnd
    }
}

public enum SessionEdges {
    /// An end this soon after the end of its key's last session repeats that end.
    public static let repeatedEnd: Int64 = 300

    /// Sessions from edges. Per person and key, in time order (at one instant, starts first):
    /// - a start opens a session; a start while one is open is the same session announced again
    ///   (Pulse logs `Agent login succeeded` and `VPN Tunneling: Session started` for one `sid`);
    /// - an end closes the open session; an end with none open extends the session its key last
    ///   closed (`Session ended`, then `Logout` of the same `sid`) when the key names a session,
    ///   else it is a session whose start the data does not hold: counted at its end instant only
    ///   (one second), so its person is a user of that day;
    /// - a session still open at the end is open (`end` nil: closed later at the source's newest
    ///   stamp, at most the maximum session length); one whose end comes more than 31 days after
    ///   its start is taken as a lost end: open from its start, and the end stands alone.
    public static func pair(_ edges: Set<SessionEdge>) -> [SessionFact] {
        struct Key: Hashable { var person: UInt64; var key: UInt64 }
        var groups: [Key: [SessionEdge]] = [:]
        for e in edges { groups[Key(person: e.person, key: e.key), default: []].append(e) }
        var out: [SessionFact] = []
        for (k, var list) in groups {
            list.sort { ($0.at, $0.isEnd ? 1 : 0, $0.bu) < ($1.at, $1.isEnd ? 1 : 0, $1.bu) }
            var open: SessionEdge?
            var lastClosed: Int?  // index in `out` of the session this key closed last
            for e in list {
                if !e.isEnd {
                    if open == nil { open = e }
                    continue
                }
                if let o = open {
                    open = nil
                    if e.at - o.at > Reasons.maxClosedSession {
                        out.append(SessionFact(person: k.person, bu: o.bu, start: o.at, end: nil, tag: k.key))
                        out.append(SessionFact(person: k.person, bu: e.bu, start: e.at - 1, end: e.at, tag: k.key))
                        lastClosed = out.count - 1
                    } else {
                        out.append(SessionFact(person: k.person, bu: o.bu, start: o.at, end: e.at, tag: k.key))
                        lastClosed = out.count - 1
                    }
                } else if let i = lastClosed, let end = out[i].end, e.at - end <= SessionEdges.repeatedEnd {
                    out[i].end = max(end, e.at)
                } else {
                    out.append(SessionFact(person: k.person, bu: e.bu, start: e.at - 1, end: e.at, tag: k.key))
                    lastClosed = out.count - 1
                }
            }
            if let o = open { out.append(SessionFact(person: k.person, bu: o.bu, start: o.at, end: nil, tag: k.key)) }
        }
        return out
    }
}
