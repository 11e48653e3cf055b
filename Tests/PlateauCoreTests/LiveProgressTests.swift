import Foundation
import Testing
@testable import PlateauCore

/// The progress a live ingest reports while it reads (the dashboard's status line shows it):
/// every byte a poll set out to read is counted, and an idle poll leaves nothing "in progress".
struct LiveProgressTests {
    @Test func aPollCountsEveryByteItSetOutToRead() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        _ = try generate(dir.path, scale: 0.002, from: "2020-03-16", to: "2020-03-17", gzip: false)
        let live = LiveIngest(roots: [dir.path], settings: IngestSettings())
        _ = live.poll()
        #expect(live.progress.totalBytes > 0)
        // Directory files are read before the progress starts; everything else is in it.
        #expect(live.progress.bytesDone == live.progress.totalBytes)
        // Appended bytes are the next stretch.
        let proxy = try #require(listFiles(dir.path).first { $0.hasPrefix("proxy/") && $0.hasSuffix(".csv") })
        do {
            let path = dir.path + "/" + proxy
            let last = try lines(path).last!
            let h = try #require(FileHandle(forWritingAtPath: path))
            h.seekToEndOfFile()
            h.write(Data((last + "\n").utf8))
            try h.close()
            _ = live.poll()
            #expect(live.progress.totalBytes == Int64(last.utf8.count + 1))
            #expect(live.progress.bytesDone == live.progress.totalBytes)
        }
        _ = live.poll()
        #expect(live.progress.bytesDone >= live.progress.totalBytes)
    }

    @Test func theProgressTextSaysDoneOfTotalRateAndTimeLeft() {
        let t = readingProgress(done: 250_000_000, total: 1_000_000_000, elapsed: 0.5)
        #expect(t == "reading 250.0 MB of 1.0 GB (25%)  500.0 MB/s  2s left")
    }
}
