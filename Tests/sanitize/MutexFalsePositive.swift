// ThreadSanitizer reports a "Swift access race" on this correct program (see tsan.supp):
// Synchronization.Mutex hands a contended lock over through a PI futex, invisible to TSan.
import Synchronization
import Dispatch
@main struct M { static func main() {
  let m = Mutex<[Int: Int]>([:])
  DispatchQueue.concurrentPerform(iterations: 8) { i in
    for k in 0..<20000 { m.withLock { $0[k % 64, default: 0] += 1 } }
  }
  print(m.withLock { $0.count })
} }
