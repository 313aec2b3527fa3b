import GapTrackDomain
import Postgres

/// One delivered support record in the first year of a course instance (sql/functions/lifecycle_support.sql).
public struct FirstYearSupport: Sendable, Equatable {
    public var studentID: Int
    public var commencedOn: CalendarDate
    public var type: String
    public var fundingSource: String?
    public var amount: Double?

    public init(studentID: Int, commencedOn: CalendarDate, type: String, fundingSource: String?, amount: Double?) {
        self.studentID = studentID
        self.commencedOn = commencedOn
        self.type = type
        self.fundingSource = fundingSource
        self.amount = amount
    }
}

extension HigherEducationLifecycle {
    /// The support of `types` each instance of the provider received in its first year.
    public func firstYearSupport(providerID: Int, types: [String]) throws -> [FirstYearSupport] {
        try connection.query(
            """
            SELECT student_id, commenced_on::text AS commenced_on, support_type, funding_source, amount::float8 AS amount
            FROM lifecycle_support_received($1, $2::text[])
            ORDER BY student_id, commenced_on, support_type
            """, [providerID, types]).rows.map { row in
                FirstYearSupport(studentID: try row.decode("student_id"), commencedOn: try CalendarDate(parsing: try row.decode("commenced_on") as String),
                                 type: try row.decode("support_type"), fundingSource: try row.decode("funding_source"),
                                 amount: try row.decode("amount"))
            }
    }
}
