/// The directory CSV (FORMATS.md §1): `user_id`, `upn`, `display_name`, `business_unit`,
/// `country`. Read before every other input, into a `Directory`.
public typealias DirectoryParser = CSVParser<DirectoryRows>

extension CSVParser where Reader == DirectoryRows {
    public init(builder: DirectoryBuilder) { self.init(DirectoryRows(builder: builder)) }
}

public struct DirectoryRows: CSVRowReader {
    private var userID = -1, upn = -1, bu = -1, displayName = -1
    public private(set) var fieldsNeeded = 0
    public let builder: DirectoryBuilder

    static let noKey = Reason("no user_id or upn")

    public init(builder: DirectoryBuilder) { self.builder = builder }

    public mutating func columns(_ h: CSVHeader) -> Bool {
        userID = h.index("user_id") ?? -1
        upn = h.index("upn") ?? -1
        bu = h.index("business_unit") ?? -1
        displayName = h.index("display_name") ?? -1
        fieldsNeeded = max(userID, upn, bu, displayName) + 1
        return (userID >= 0 || upn >= 0) && bu >= 0
    }

    public mutating func row(_ fields: CSVFields, _ ctx: ParseContext) -> LineOutcome {
        guard bu >= 0 else { return .skipped(Reasons.missingColumns) }
        let id = userID >= 0 ? fields[userID].trimmed() : nil
        let u = upn >= 0 ? fields[upn].trimmed() : nil
        guard (id?.count ?? 0) > 0 || (u?.count ?? 0) > 0 else { return .skipped(DirectoryRows.noKey) }
        let unit = builder.units.id(fields[bu].trimmed().string)
        let name = displayName >= 0 ? fields[displayName].trimmed() : nil
        builder.directory.add(userID: id, upn: u, bu: unit, displayName: name)
        return .record
    }
}

/// The directory being read (phase one of an ingest).
public final class DirectoryBuilder {
    public var directory: Directory
    public let units: BusinessUnits
    public init(hasher: IdentityHasher, units: BusinessUnits, pseudonyms: PersonPseudonyms? = nil) {
        directory = Directory(hasher: hasher, pseudonyms: pseudonyms)
        self.units = units
    }
}
