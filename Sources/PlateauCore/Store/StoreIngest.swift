import Foundation
import GRDB

/// `plateau ingest PATH ... --store FILE`: reads what is new under the roots into the store.
/// The machinery is the live follower's (`LiveIngest`): files known by device and inode, read on
/// from their offset; renamed files followed under their new name; truncated or replaced files
/// read from the start; copies (a rotation's `.1`, `.1.gz`) recognised by their content
/// checksum and not read again. The state of every stream lives in the store between runs.
public enum StoreIngest {
    /// What one run added, per file (files with nothing new are left out).
    public struct Report: Sendable {
        public struct File: Sendable, Equatable { public var path: String; public var lines: Int; public var records: Int }
        public var files: [File] = []
        public var rotated: [String] = []
        public var truncated: [String] = []
        public var copies: [String] = []
        /// Files in a known format under the roots (read now or before): 0 means the roots hold
        /// no log at all.
        public var followed = 0
        public static let empty = Report()
        public var lines: Int { files.reduce(0) { $0 + $1.lines } }
        public var records: Int { files.reduce(0) { $0 + $1.records } }
    }

    /// - Parameters:
    ///   - roots: files or directories (made absolute, so runs from other directories agree).
    ///   - exclude: canonical paths that are not inputs (the config and rules files).
    ///   - batchBytes: the most bytes of a plain file read in one transaction.
    public static func run(roots: [String], settings: IngestSettings, exclude: Set<String> = [], store: Store,
                           workers: Int = max(1, System.coreCount), batchBytes: Int64 = 32 << 20,
                           progress: IngestProgress? = nil) throws -> Report {
        let absolute = roots.map { FileInfo.canonical($0) }
        let live = LiveIngest(roots: absolute, settings: settings, exclude: exclude)
        live.store = store
        live.workers = workers
        live.storeBatchBytes = batchBytes
        live.parallelThreshold = 0
        live.storeProgress = progress
        let change = live.poll()
        if let e = live.storeError as? DatabaseError {
            throw Store.WriteFailed(path: store.path, reason: e.message ?? "\(e.resultCode)", batchesCommitted: live.committed.count)
        }
        if let e = live.storeError { throw e }
        var report = Report()
        var byPath: [String: Int] = [:]
        for t in live.committed where t.lines != 0 || t.records != 0 {
            if let i = byPath[t.path] {
                report.files[i].lines += t.lines; report.files[i].records += t.records
            } else {
                byPath[t.path] = report.files.count
                report.files.append(Report.File(path: t.path, lines: t.lines, records: t.records))
            }
        }
        report.files.sort { $0.path < $1.path }
        report.rotated = change.filesRotated
        report.truncated = change.filesTruncated
        report.copies = change.copiesRecognised
        report.followed = live.filesFollowed
        return report
    }

    /// The bytes of every file under the roots (the progress line's total).
    public static func totalBytes(_ roots: [String]) -> Int64 {
        FileScan.scan(roots).reduce(Int64(0)) { $0 + ($1.stat?.size ?? 0) }
    }

    /// A follower that writes into the store as it goes (`watch --store`): the same reading as
    /// `run`, kept from poll to poll, and started again from the store whenever another process
    /// (a cron `ingest`) wrote to it meanwhile, so the two never read the same bytes twice.
    public final class Follower: @unchecked Sendable {
        public let store: Store
        let roots: [String], settings: IngestSettings, exclude: Set<String>
        private var live: LiveIngest?
        private var generation = -1

        public init(store: Store, roots: [String], settings: IngestSettings, exclude: Set<String> = []) {
            self.store = store
            self.roots = roots.map { FileInfo.canonical($0) }
            self.settings = settings
            self.exclude = exclude
        }

        /// Reads what is new into the store; true when the store changed (by us or another process).
        public func poll() throws -> Bool {
            let before = try store.generation()
            if live == nil || before != generation {
                let l = LiveIngest(roots: roots, settings: settings, exclude: exclude)
                l.store = store
                l.parallelThreshold = 0
                live = l
            }
            if !roots.isEmpty {
                _ = live!.poll()
                if let e = live!.storeError { live = nil; throw e }
                if live!.storeConflict { live = nil }  // start again from the store at the next poll
            }
            let after = try store.generation()
            defer { generation = after }
            return after != generation
        }
    }
}
