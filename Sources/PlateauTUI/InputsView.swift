import PlateauCore

/// The screen of this stage of the dashboard: the inputs found under the PATHs, their format
/// and size, so an operator sees at once what plateau will read (and what it will not).
public struct InputsView: Sendable {
    public let title: String
    public let roots: [String]
    public let inputs: [DiscoveredInput]
    public var scroll: Int = 0

    public init(title: String = "plateau", roots: [String], inputs: [DiscoveredInput]) {
        self.title = title
        self.roots = roots
        self.inputs = inputs
    }

    public func render(width: Int, height: Int) -> Frame {
        var f = Frame(width: width, height: height)
        guard width >= 20, height >= 5 else {
            f.put("plateau: window too small", x: 0, y: 0, maxWidth: width)
            return f
        }
        f.fill(y: 0, style: Style(color: .title, reverse: true))
        let recognised = inputs.filter { $0.format != nil }.count
        let total = inputs.reduce(Int64(0)) { $0 + $1.size }
        f.put(" \(title)", x: 0, y: 0, style: Style(color: .title, bold: true, reverse: true))
        let summary = "\(inputs.count) files · \(recognised) recognised · \(humanBytes(total)) "
        f.put(summary, x: max(title.count + 3, width - summary.count), y: 0, style: Style(color: .title, reverse: true))
        f.put("Inputs under " + roots.joined(separator: ", "), x: 1, y: 1, style: Style(color: .muted), maxWidth: width - 2)

        let formatWidth = 20, sizeWidth = 9
        f.put("FORMAT", x: 1, y: 3, style: Style(bold: true))
        f.put("SIZE".leftPadded(sizeWidth), x: 2 + formatWidth, y: 3, style: Style(bold: true))
        f.put("FILE", x: 3 + formatWidth + sizeWidth, y: 3, style: Style(bold: true))
        let rows = height - 5
        let commonPrefix = roots.count == 1 ? roots[0].hasSuffix("/") ? roots[0] : roots[0] + "/" : ""
        for (i, input) in inputs.dropFirst(scroll).prefix(rows).enumerated() {
            let y = 4 + i
            let name = input.format?.rawValue ?? "unknown"
            f.put(name, x: 1, y: y, style: Style(color: input.format == nil ? .warning : .accent), maxWidth: formatWidth)
            f.put(humanBytes(input.size).leftPadded(sizeWidth), x: 2 + formatWidth, y: y)
            let shown = input.path.hasPrefix(commonPrefix) ? String(input.path.dropFirst(commonPrefix.count)) : input.path
            f.put(shown, x: 3 + formatWidth + sizeWidth, y: y, maxWidth: width - 4 - formatWidth - sizeWidth)
        }
        if inputs.isEmpty { f.put("No input files.", x: 1, y: 4, style: Style(color: .warning)) }
        let more = inputs.count - scroll - rows
        let footer = " q quit · ↑↓ scroll" + (more > 0 ? " · \(more) more below" : "")
        f.fill(y: height - 1, style: Style(color: .muted, reverse: true))
        f.put(footer, x: 0, y: height - 1, style: Style(color: .muted, reverse: true))
        return f
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
