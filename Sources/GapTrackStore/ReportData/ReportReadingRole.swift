import Postgres

/// Runs a report's queries as `gaptrack_report` (sql/004_report_audience.sql) inside a service
/// transaction: the role reads every row of the caller's provider, restricted ones included, so a
/// report's aggregates are the same whichever role asked (docs/methodology.md §7.6); the caller's
/// role comes back when the queries are done.
///
/// Only the service needs it: the command line reads as the schema's owner, which sees everything.
public enum ReportReadingRole {
    public static let name = "gaptrack_report"

    public static func run<Result>(on connection: PostgresConnection, _ body: () throws -> Result) throws -> Result {
        let previous: String = try connection.query("SELECT current_user::text AS role").single().decode("role")
        try connection.query("SELECT set_config('role', $1, true)", [name])
        let result = try body()
        try connection.query("SELECT set_config('role', $1, true)", [previous])
        return result
    }
}
