/// The directory CSV (FORMATS.md §1): `user_id`, `upn`, `display_name`, `business_unit`,
/// `country`. Read before every other input, into a `Directory`.
public struct DirectoryParser: RecordParser {
    private var fields = CSVFields()
    private var haveHeader = false
    private var userID = -1, upn = -1, bu = -1
    public let builder: DirectoryBuilder

    static let noKey = Reason("no user_id or upn")

    public init(builder: DirectoryBuilder) { self.builder = builder }

    public mutating func adoptHeader(_ line: Line, _ ctx: ParseContext) { _ = readHeader(line) }

    private mutating func readHeader(_ line: Line) -> Bool {
        guard fields.split(line) else { return false }
        let h = CSVHeader(fields)
        userID = h.index("user_id") ?? -1
        upn = h.index("upn") ?? -1
        bu = h.index("business_unit") ?? -1
        haveHeader = true
        return (userID >= 0 || upn >= 0) && bu >= 0
    }

    public mutating func parse(_ line: Line, number: Int, _ ctx: ParseContext) -> LineOutcome {
        if line.count == 0 { return .header }
        if !haveHeader { return readHeader(line) ? .header : .skipped(Reasons.noHeader) }
        guard fields.split(line) else { return .skipped(Reasons.unterminatedQuote) }
        guard fields.count > max(userID, upn, bu) else { return .skipped(Reasons.missingColumns) }
        let id = userID >= 0 ? fields[userID].trimmed() : nil
        let u = upn >= 0 ? fields[upn].trimmed() : nil
        guard (id?.count ?? 0) > 0 || (u?.count ?? 0) > 0 else { return .skipped(DirectoryParser.noKey) }
        let unit = builder.units.id(fields[bu].trimmed().string)
        builder.directory.add(userID: id, upn: u, bu: unit)
        return .record
    }
}

/// The directory being read (phase one of an ingest).
public final class DirectoryBuilder {
    public var directory: Directory
    public let units: BusinessUnits
    public init(hasher: IdentityHasher, units: BusinessUnits) {
        directory = Directory(hasher: hasher)
        self.units = units
    }
}
