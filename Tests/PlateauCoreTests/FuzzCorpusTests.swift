import Foundation
import PlateauFuzz
import Testing

/// Every committed fuzz input (Tests/fuzz/corpus/<target>/: seeds, and the inputs of the bugs
/// the fuzzers found) still passes its target's checks, without libFuzzer: a regression test
/// that `swift test` runs on its own. (A failed check stops the test process with its message.)
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus").path

    @Test func everyTargetHasACorpusAndEveryCorpusATarget() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: FuzzCorpusTests.corpus).sorted()
        #expect(folders == FuzzTargets.all.map(\.name).sorted())
        for f in folders { #expect(!Corpus.files(FuzzCorpusTests.corpus + "/" + f).isEmpty, "\(f)") }
    }

    @Test(arguments: FuzzTargets.all.map(\.name)) func theCorpusPasses(_ name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        for file in Corpus.files(FuzzCorpusTests.corpus + "/" + name) {
            Corpus.read(file).withUnsafeBytes { target.run($0) }
        }
    }
}
