/// plateau's version, as `plateau --version` prints it and the man page names it. Raised with
/// each release (MAJOR.MINOR.PATCH); the JSON schema and the ClickHouse schema have their own.
public enum PlateauVersion {
    public static let current = "0.19.0"
}
