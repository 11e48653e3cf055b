import Dispatch
import Foundation
import Synchronization

/// Runs blocking tasks — round trips to a ClickHouse server, each waiting on the network — at
/// once, one thread each (not `concurrentPerform`, whose width is the number of cores: a wait
/// is not work), and returns when all have ended. Rethrows the error of the first task, in the
/// order given, that failed (every task runs to its end either way: none is left half-sent).
func concurrently(_ tasks: [() throws -> Void]) throws {
    if tasks.count == 1 { return try tasks[0]() }
    /// The tasks are handed to threads; each writes only its own slot of `errors` (under the lock).
    final class Shared: @unchecked Sendable {
        let tasks: [() throws -> Void]
        let errors = Mutex<[Int: Error]>([:])
        init(_ tasks: [() throws -> Void]) { self.tasks = tasks }
    }
    let shared = Shared(tasks)
    let group = DispatchGroup()
    for i in tasks.indices.dropFirst() {
        group.enter()
        let thread = Thread {
            defer { group.leave() }
            do { try shared.tasks[i]() } catch { shared.errors.withLock { $0[i] = error } }
        }
        thread.start()
    }
    // The first task on this thread.
    do { try tasks[0]() } catch { shared.errors.withLock { $0[0] = error } }
    group.wait()
    if let first = shared.errors.withLock({ $0.min { $0.key < $1.key }?.value }) { throw first }
}
