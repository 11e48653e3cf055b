/// Files that sit beside logs and are not logs: a README, notes, a config, a spreadsheet. A file
/// is one when no format claims its content (content always decides first: a proxy export named
/// `.txt` is read) and its name says so. Such files are not inputs: no warning, no line in the
/// review's accounting; `--verbose` lists them.
public enum Documents {
    /// Extensions of documentation, configuration, office and image files (lower case).
    static let extensions: Set<String> = [
        "md", "markdown", "txt", "text", "rst", "adoc", "asciidoc", "org", "tex",
        "toml", "ini", "cfg", "conf", "yaml", "yml", "properties", "env",
        "html", "htm", "pdf", "rtf", "doc", "docx", "odt", "xls", "xlsx", "ods", "ppt", "pptx",
        "png", "jpg", "jpeg", "gif", "svg", "sh", "py", "sql",
    ]
    /// Names (without extension, upper case) that are documentation whatever they end with.
    static let names: Set<String> = ["README", "LICENSE", "LICENCE", "COPYING", "NOTICE", "CHANGELOG", "CHANGES", "AUTHORS", "MAKEFILE"]

    /// True when the name of `path` is a document's (`README.md`, `notes.txt`, `rules.toml`,
    /// `LICENSE`, `report.pdf.gz`).
    public static func isDocument(_ path: String) -> Bool {
        var name = Substring(path.split(separator: "/").last ?? Substring(path))
        if name.lowercased().hasSuffix(".gz") { name = name.dropLast(3) }
        let stem = name.split(separator: ".", maxSplits: 1).first.map { $0.uppercased() } ?? ""
        if names.contains(stem) { return true }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
    }
}
