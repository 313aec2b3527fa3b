import Postgres

/// Runs a report's queries as `gaptrack_report` (sql/004_report_audience.sql) inside a service
/// transaction: the role reads every row of the caller's provider, restricted ones included, so a
/// report's aggregates are the same whichever role asked (docs/methodology.md §7.6); the caller's
/// role comes back when the queries are done.
///
/// Only the service needs it: the command line reads as the schema's owner, which sees everything.
///
/// A report computes between its statements: shaping a governors' view of one marker beside the
/// EAL and SEN views takes tens of seconds (docs/disclosure-control.md §7.8). The service limits
/// how long a session may sit idle inside a transaction to the request deadline (15 s by
/// default), which would end the session in the middle of that work; so for the rest of the
/// report's transaction, and only that (`set_config(…, true)`, gone at its end, nothing left
/// behind a transaction pool), the limit is `computeLimit`. Statements keep their own timeout.
public enum ReportReadingRole {
    public static let name = "gaptrack_report"
    /// The longest a report's transaction may sit idle between statements while it computes.
    public static let computeLimit = "10min"

    public static func run<Result>(on connection: PostgresConnection, _ body: () throws -> Result) throws -> Result {
        let previous: String = try connection.query("SELECT current_user::text AS role").single().decode("role")
        try connection.query(
            "SELECT set_config('role', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)", [name, computeLimit])
        let result = try body()
        try connection.query("SELECT set_config('role', $1, true)", [previous])
        return result
    }
}
