/// Everything that can go wrong talking to PostgreSQL, with the fields a person needs to act on it.
///
/// Server errors keep the SQLSTATE so callers can react to a class of failure (a unique
/// violation, `23505`, is a duplicate row, not a crash) without parsing message text.
public enum PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    /// libpq could not open the connection; `message` is libpq's own explanation.
    case connectionFailed(message: String)
    /// The server rejected a statement.
    case server(ServerError)
    /// The connection broke or libpq failed outside of a server error.
    case client(message: String)
    /// The connection was lost while a COMMIT was in flight: the transaction may or may not have
    /// committed, so the work must not be repeated blindly.
    case commitUnconfirmed(message: String)
    /// A column held NULL where the caller asked for a non-optional value.
    case unexpectedNull(column: String)
    /// The column's PostgreSQL type cannot be decoded as the Swift type asked for.
    case typeMismatch(column: String, swiftType: String, postgresType: UInt32)
    /// The text the server sent could not be read as the Swift type asked for.
    case malformedValue(column: String, value: String, swiftType: String)
    /// The query result has no column of that name or index.
    case noSuchColumn(String)

    public var description: String {
        switch self {
        case .connectionFailed(let message):
            return "could not connect to PostgreSQL: \(message)"
        case .server(let error):
            return error.description
        case .client(let message):
            return "PostgreSQL client error: \(message)"
        case .commitUnconfirmed(let message):
            return "the connection to PostgreSQL was lost during COMMIT, so whether the change was saved is unknown: \(message)"
        case .unexpectedNull(let column):
            return "column '\(column)' is NULL, but a value was required"
        case .typeMismatch(let column, let swiftType, let oid):
            return "column '\(column)' has PostgreSQL type \(PostgresType.name(of: oid)), which cannot be read as \(swiftType)"
        case .malformedValue(let column, let value, let swiftType):
            return "column '\(column)' holds '\(value)', which is not a valid \(swiftType)"
        case .noSuchColumn(let name):
            return "the query result has no column '\(name)'"
        }
    }

    /// Whether the session is gone rather than the statement wrong: a client-side failure, a
    /// connection exception (SQLSTATE class 08), or an operator intervention ending the session
    /// (57P01 admin shutdown or `pg_terminate_backend`, 57P02 crash shutdown, 57P03 cannot connect
    /// now, i.e. the server is starting or stopping). Not 57014, a cancelled statement, after which
    /// the session still works.
    public var isConnectionLoss: Bool {
        switch self {
        case .connectionFailed, .client, .commitUnconfirmed:
            return true
        case .server(let error):
            return error.sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(error.sqlState)
        default:
            return false
        }
    }

    /// The SQLSTATE of a server error, or nil for client-side failures.
    public var sqlState: String? {
        if case .server(let error) = self { return error.sqlState }
        return nil
    }
}

/// An error reported by the server, as libpq's `PQresultErrorField` exposes it.
public struct ServerError: Error, CustomStringConvertible, Sendable, Equatable {
    public var severity: String
    /// Five-character SQLSTATE, e.g. `23505` for a unique violation.
    public var sqlState: String
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?

    public init(
        severity: String, sqlState: String, message: String, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.severity = severity
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    public var description: String {
        var text = "\(severity) \(sqlState): \(message)"
        if let detail { text += "\nDETAIL: \(detail)" }
        if let hint { text += "\nHINT: \(hint)" }
        return text
    }

    /// Well-known SQLSTATE codes the application reacts to.
    public enum Code {
        public static let uniqueViolation = "23505"
        public static let foreignKeyViolation = "23503"
        public static let checkViolation = "23514"
        public static let notNullViolation = "23502"
        public static let exclusionViolation = "23P01"
        public static let queryCanceled = "57014"
        public static let lockNotAvailable = "55P03"
        public static let insufficientPrivilege = "42501"
        public static let undefinedTable = "42P01"
        public static let invalidTextRepresentation = "22P02"
        public static let duplicateDatabase = "42P04"
    }
}
