import Foundation
import PlateauTestSupport
import Testing

/// Issue 18: the HTML review of SampleLogs in a real browser. Headless Chromium renders the page
/// to PNG (light, and dark through `prefers-color-scheme`); the pixels must show a page of the
/// expected size, not blank, with one framed panel for the group's every metric and for every BU
/// of the chosen metrics — each panel where the page draws a line showing that line, each panel
/// without one showing none — and the page's background in the scheme asked for.
///
/// `make test` installs Debian's `chromium` and sets PLATEAU_REQUIRE_BROWSER=1, so there a
/// missing browser fails the test; elsewhere (a developer's `swift test`) it is skipped.
@Suite(.serialized) struct BrowserRenderTests {
    static let root = SnapshotGoldenTests.root
    static let browser: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }()
    static let required = ProcessInfo.processInfo.environment["PLATEAU_REQUIRE_BROWSER"] == "1"
    static let size = (width: 1280, height: 4000)

    struct Scheme: Sendable, CustomStringConvertible {
        var name: String
        var flags: [String]
        /// The page's background and the panels' frame (ReviewChart.palette).
        var background: (Int, Int, Int)
        var frame: (Int, Int, Int)
        var description: String { name }
    }

    static let schemes = [
        Scheme(name: "light", flags: [], background: (0xFF, 0xFF, 0xFF), frame: (0xB7, 0xC0, 0xC9)),
        Scheme(name: "dark", flags: ["--force-dark-mode"], background: (0x0D, 0x11, 0x17), frame: (0x3D, 0x47, 0x52)),
    ]

    /// A framed box: its top-left corner and size.
    struct Box { var x, y, width, height: Int }

    @Test(arguments: schemes)
    func theReviewPageRendersEveryPanel(_ scheme: Scheme) throws {
        guard let browser = Self.browser else {
            #expect(!Self.required, "no chromium on PATH (make test installs Debian's chromium)")
            return
        }
        // The page of SampleLogs that SnapshotGoldenTests checks the binary writes, byte for byte.
        let page = SnapshotGoldenTests.snapshots + "/review.html"
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let dir = NSTemporaryDirectory() + "plateau-browser-\(getpid())-\(scheme.name)"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let png = dir + "/review.png"

        // What the page should show, from the data (the csv of a week of SampleLogs: every metric
        // and BU), not from the page itself.
        let csv = try String(contentsOfFile: SnapshotGoldenTests.snapshots + "/week-12.csv", encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let metrics = Set(rows.map { $0[0] })
        let units = Set(rows.filter { ["remote.users", "meetings.users"].contains($0[0]) && $0[1] != "ALL" }.map { "\($0[0]) \($0[1])" })
        let figures = html.components(separatedBy: "<figure class=\"panel\">").dropFirst()
        #expect(figures.count == metrics.count + units.count)
        let drawn = figures.map { $0.contains("class=\"series\"") }

        let r = try CLITests.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                                  "--force-device-scale-factor=1", "--window-size=\(Self.size.width),\(Self.size.height)",
                                  "--screenshot=\(png)"] + scheme.flags + ["file://" + page], in: dir, shell: true)
        #expect(r.code == 0, "\(r.err.suffix(2000))")
        let image = try PNGImage(contentsOf: png)
        #expect(image.width == Self.size.width && image.height == Self.size.height)

        // The scheme's background, and not blank: many colours, text among them.
        let corner = image.pixel(2, 2)
        #expect(abs(corner.r - scheme.background.0) <= 2 && abs(corner.g - scheme.background.1) <= 2 && abs(corner.b - scheme.background.2) <= 2,
                "background \(corner)")
        var colours = Set<Int>()
        for p in stride(from: 0, to: image.rgb.count, by: 3 * 7) {
            colours.insert(Int(image.rgb[p]) << 16 | Int(image.rgb[p + 1]) << 8 | Int(image.rgb[p + 2]))
        }
        #expect(colours.count > 100, "\(colours.count) colours")

        // Every panel, found by its frame, in the page's order; the page ends inside the shot.
        let boxes = Self.frames(image, colour: scheme.frame)
        #expect(boxes.count == figures.count, "\(boxes.count) framed panels for \(figures.count) figures")
        guard boxes.count == figures.count else { return }
        for (i, (box, line)) in zip(boxes, drawn).enumerated() {
            // Panels are alike: the grid's columns.
            #expect(abs(box.width - boxes[0].width) <= 1 && abs(box.height - boxes[0].height) <= 1, "panel \(i): \(box)")
            let blue = Self.count(image, box) { p in scheme.name == "light" ? (p.r < 90 && p.g > 70 && p.g < 150 && p.b > 160)
                                                                             : (p.r < 130 && p.g > 130 && p.b > 200) }
            if line { #expect(blue >= 20, "panel \(i) should show its line: \(blue) pixels") } else { #expect(blue < 3, "panel \(i) has no line: \(blue)") }
            // Its title: text pixels in the top band.
            let title = Box(x: box.x + 2, y: box.y + 2, width: box.width / 2, height: 14)
            let text = Self.count(image, title) { p in scheme.name == "light" ? p.r + p.g + p.b < 300 : p.r + p.g + p.b > 500 }
            #expect(text >= 10, "panel \(i) title: \(text) text pixels")
        }
        #expect(drawn.filter { $0 }.count > figures.count * 3 / 4)
    }

    /// On paper: every page A4 landscape (297 × 210 mm: 841.92 × 594.96 points), the six-column
    /// grid keeping the page count of SampleLogs' review to a handful.
    @Test func theReviewPagePrintsOnA4Landscape() throws {
        guard let browser = Self.browser else {
            #expect(!Self.required, "no chromium on PATH (make test installs Debian's chromium)")
            return
        }
        let dir = NSTemporaryDirectory() + "plateau-print-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pdf = dir + "/review.pdf"
        let r = try CLITests.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-pdf-header-footer",
                                  "--print-to-pdf=\(pdf)", "file://" + SnapshotGoldenTests.snapshots + "/review.html"], in: dir, shell: true)
        #expect(r.code == 0, "\(r.err.suffix(2000))")
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: pdf)), as: UTF8.self)
        let boxes = text.components(separatedBy: "/MediaBox [").dropFirst().map { $0.prefix { $0 != "]" }.split(separator: " ").compactMap { Double($0) } }
        #expect((2...8).contains(boxes.count), "\(boxes.count) pages")
        for b in boxes {
            #expect(b.count == 4 && abs(b[2] - 841.92) < 1 && abs(b[3] - 594.96) < 1, "\(b)")
        }
    }

    /// The boxes drawn by a one-pixel frame of `colour`, top to bottom, left to right.
    static func frames(_ image: PNGImage, colour: (Int, Int, Int)) -> [Box] {
        func isFrame(_ x: Int, _ y: Int) -> Bool {
            guard x >= 0, y >= 0, x < image.width, y < image.height else { return false }
            let p = image.pixel(x, y)
            return abs(p.r - colour.0) <= 3 && abs(p.g - colour.1) <= 3 && abs(p.b - colour.2) <= 3
        }
        var boxes: [Box] = []
        for y in 0..<image.height {
            for x in 0..<image.width where isFrame(x, y) && !isFrame(x - 1, y) && !isFrame(x, y - 1) && isFrame(x + 1, y) && isFrame(x, y + 1) {
                var w = 1, h = 1
                while isFrame(x + w, y) { w += 1 }
                while isFrame(x, y + h) { h += 1 }
                // A closed frame: its right and bottom edges too.
                guard w >= 100, h >= 50, isFrame(x + w - 1, y + h - 1), isFrame(x + w - 1, y + h / 2), isFrame(x + w / 2, y + h - 1) else { continue }
                boxes.append(Box(x: x, y: y, width: w, height: h))
            }
        }
        return boxes
    }

    static func count(_ image: PNGImage, _ box: Box, _ match: ((r: Int, g: Int, b: Int)) -> Bool) -> Int {
        var n = 0
        for y in (box.y + 1)..<min(image.height, box.y + box.height - 1) {
            for x in (box.x + 1)..<min(image.width, box.x + box.width - 1) where match(image.pixel(x, y)) { n += 1 }
        }
        return n
    }
}
