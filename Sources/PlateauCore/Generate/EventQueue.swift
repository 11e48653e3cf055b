/// A min-heap of pending output lines keyed by time, so feeds whose records end later than
/// they start (sessions) are still written in time order. Ties keep insertion order.
struct EventQueue<Payload> {
    private var heap: [(time: Int64, seq: Int, payload: Payload)] = []
    private var seq = 0

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }
    var minTime: Int64? { heap.first?.time }

    mutating func push(_ time: Int64, _ payload: Payload) {
        seq += 1
        heap.append((time, seq, payload))
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if less(i, parent) { heap.swapAt(i, parent); i = parent } else { break }
        }
    }

    mutating func pop() -> (time: Int64, payload: Payload)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && less(l, m) { m = l }
            if r < heap.count && less(r, m) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return (top.time, top.payload)
    }

    /// Pops every event before `time`, in order.
    mutating func drain(before time: Int64, _ body: (Int64, Payload) throws -> Void) rethrows {
        while let t = minTime, t < time { let e = pop()!; try body(e.time, e.payload) }
    }

    @inline(__always) private func less(_ a: Int, _ b: Int) -> Bool {
        heap[a].time < heap[b].time || (heap[a].time == heap[b].time && heap[a].seq < heap[b].seq)
    }
}
