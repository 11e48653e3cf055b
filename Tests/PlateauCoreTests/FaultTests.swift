import Foundation
import Testing
@testable import PlateauCore

/// Files that go away under plateau: deleted while they are read, or between being listed and
/// being read. Nothing crashes, nothing read is lost, and the file that could not be read is
/// named as such.
@Suite struct FaultTests {
    static let line = #"{"time":"Mon Mar 23 09:14:02 2020","login":"ann@corp.example","location":"Road Warrior","dept":"Ops"}"#

    /// Deleted while it is read (after its first 1 MiB block, plain and gzip): the open file
    /// is read to its end (POSIX keeps a deleted file's data while it is open).
    @Test func aFileDeletedWhileItIsReadIsReadWhole() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let rows = 60_000  // ~6 MiB: several blocks, and a gzip member past the 4 MiB held whole
        let text = Array(repeating: Self.line, count: rows).joined(separator: "\n") + "\n"
        for gzip in [false, true] {
            let path = dir.path + "/proxy.jsonl" + (gzip ? ".gz" : "")
            if gzip {
                let out = try GzipOutput(FileOutput(path: path))
                try Array(text.utf8).withUnsafeBytes { try out.write($0) }
                try out.close()
            } else {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            }
            var lines = 0, chunks = 0
            var f = LineFramer()
            try FileReader.read(path, compressed: gzip) { chunk in
                chunks += 1
                if chunks == 1 { #expect(unlink(path) == 0) }
                f.feed(chunk, { _, _ in lines += 1 }, overlong: { _ in })
            }
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(chunks > 1 && lines == rows, "gzip \(gzip): \(lines) lines in \(chunks) chunks")
        }
    }

    /// Deleted between discovery and reading: that file has an error ("No such file or
    /// directory"), every other file is read.
    @Test func aFileDeletedBeforeItIsReadIsNamedAndTheOthersAreRead() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        try write(dir.path + "/a.jsonl", Self.line + "\n")
        try write(dir.path + "/b.jsonl", Self.line.replacingOccurrences(of: "ann", with: "bob") + "\n")
        let inputs = try InputDiscovery.discover([dir.path])
        #expect(inputs.count == 2)
        _ = unlink(dir.path + "/b.jsonl")
        let result = Ingest(settings: IngestSettings()).run(inputs)
        let a = try #require(result.inputs.first { $0.path.hasSuffix("/a.jsonl") })
        let b = try #require(result.inputs.first { $0.path.hasSuffix("/b.jsonl") })
        #expect(a.account.records == 1 && a.account.fileError == nil)
        #expect(b.account.records == 0 && b.account.lines == 0)
        #expect(b.account.fileError?.contains("No such file") == true, "\(String(describing: b.account.fileError))")
    }

    /// The follower: a followed file deleted between polls is gone (its records stay counted
    /// once); one deleted and written again under the same name is a new file.
    @Test func aFollowedFileDeletedIsGoneAndItsRecordsStay() throws {
        let dir = TempDir(); defer { dir.cleanup() }
        let path = dir.path + "/proxy.jsonl"
        try write(path, Self.line + "\n" + Self.line + "\n")
        let live = LiveIngest(roots: [dir.path], settings: IngestSettings())
        #expect(live.poll().recordsAdded == 2)
        _ = unlink(path)
        let gone = live.poll()
        #expect(gone.filesGone == [path] && gone.recordsAdded == 0)
        #expect(live.totalRecords == 2)
        try write(path, Self.line + "\n")
        let again = live.poll()
        #expect(again.filesAdded == [path] && again.recordsAdded == 1, "\(again)")
        #expect(live.totalRecords == 3)
    }
}
