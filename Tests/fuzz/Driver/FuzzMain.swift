import PlateauFuzz

#if PLATEAU_FUZZ
// Built with `-sanitize=fuzzer,address -D PLATEAU_FUZZ` (Tests/fuzz/fuzz.sh): libFuzzer's main
// drives this, with the target named by PLATEAU_FUZZ_TARGET.
let target: FuzzTarget = {
    guard let name = getenv("PLATEAU_FUZZ_TARGET").map({ String(cString: $0) }), let t = FuzzTargets.named(name) else {
        fatalError("PLATEAU_FUZZ_TARGET names none of: \(FuzzTargets.all.map(\.name).joined(separator: " "))")
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

// SwiftPM links an executable with `main` defined as `<module>_main` (so that tests can link
// it), so libFuzzer's own `main` is not used: this one hands over to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("plateau_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var values = argv
    return LLVMFuzzerRunDriver(&count, &values) { data, size in fuzzOne(data, size) }
}
#else
// A plain build: `plateau-fuzz TARGET FILE|DIR ...` runs saved inputs (a corpus, a crash)
// through a target's checks; `plateau-fuzz --mutate SECONDS TARGET DIR` runs random mutations
// of a corpus (no coverage guidance: the short run of `make test`); `--list` names the targets.
@main struct Replay {
    static func main() {
        var args = Array(CommandLine.arguments.dropFirst())
        if args.first == "--list" { print(FuzzTargets.all.map(\.name).joined(separator: "\n")); return }
        var seconds: Double?
        if args.first == "--mutate", args.count >= 2, let s = Double(args[1]) { seconds = s; args.removeFirst(2) }
        guard let name = args.first, let target = FuzzTargets.named(name) else {
            print("usage: plateau-fuzz [--mutate SECONDS] TARGET FILE|DIR ... | --list"); exit(64)
        }
        if let seconds {
            let corpus = args.dropFirst().flatMap { Corpus.files($0) }.map { Corpus.read($0) }
            let current = "/tmp/plateau-fuzz-\(name)-\(getpid()).input"
            // A fixed seed by default, so that `make test` checks the same mutations on every
            // machine (a slower one checks a prefix of them); PLATEAU_FUZZ_SEED=random explores.
            let env = getenv("PLATEAU_FUZZ_SEED").map { String(cString: $0) } ?? "1"
            let seed = env == "random" ? UInt64(getpid()) &* 0x9E37_79B9 &+ UInt64(time(nil)) : UInt64(env) ?? 1
            let n = Mutator.run(target, corpus: corpus, seconds: seconds, seed: seed, current: current)
            print("\(name): \(n) executions (random mutations of \(corpus.count) inputs, seed \(seed)) passed")
            return
        }
        var n = 0
        for path in args.dropFirst() {
            for file in Corpus.files(path) {
                let bytes = Corpus.read(file)
                bytes.withUnsafeBytes { target.run($0) }
                n += 1
            }
        }
        print("\(name): \(n) inputs passed")
    }
}
#endif

#if canImport(Glibc)
import Glibc
#endif
