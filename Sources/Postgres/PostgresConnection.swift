import CLibPQ
import Foundation

/// One libpq connection.
///
/// libpq allows a connection to be used from any thread but only from one at a time. This type
/// is deliberately *not* `Sendable`: the Swift 6 compiler then refuses any code that could hand
/// the same connection to two concurrent tasks, which is the proof the style guide asks for.
/// A service shares connections through a pool that owns them, never by passing one around.
public final class PostgresConnection {
    private let handle: OpaquePointer

    /// Opens a connection. `conninfo` is a libpq connection string (`host=... dbname=...`) or a
    /// URI (`postgresql://user@host/db`). Empty means "use the PG* environment variables,
    /// ~/.pgpass and the service file", exactly as `psql` does.
    public init(conninfo: String = "") throws(PostgresError) {
        guard let handle = PQconnectdb(conninfo) else {
            throw .connectionFailed(message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw .connectionFailed(message: message)
        }
        self.handle = handle
        // Notices ("relation already exists, skipping") are not errors; keep them off stderr.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        // Fixed session settings make decoding and reports independent of the server's defaults.
        try execute("SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; SET client_encoding TO 'UTF8'; SET IntervalStyle TO 'iso_8601'")
    }

    deinit {
        PQfinish(handle)
    }

    /// The database this connection is attached to, as the server reports it.
    public var databaseName: String { String(cString: PQdb(handle)) }

    /// Server version as an integer, e.g. 150018 for 15.18.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one statement with `$1, $2, ...` bound to `parameters`. Values travel separately from
    /// the SQL text, so a surname like `O'Brien'); DROP TABLE students; --` is stored verbatim.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws(PostgresError) -> PostgresResult {
        let texts = parameters.map { $0.postgresText }
        let result = withParameterPointers(texts) { pointers in
            PQexecParams(handle, sql, Int32(texts.count), nil, pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs SQL text that may hold several statements and takes no parameters: migrations and
    /// session settings. Never pass user data through here.
    public func execute(_ sql: String) throws(PostgresError) {
        _ = try consume(PQexec(handle, sql))
    }

    /// Settings (`set_config(name, value, true)`, the transaction-local form of `SET LOCAL`) made
    /// by every `begin`, in the same round trip: the service's statement limits, which end with the
    /// transaction, because behind a transaction-pooling PgBouncer the next transaction may run on
    /// another server session (docs/scaling.md).
    public var transactionSettings: [TransactionSetting] = []

    /// Opens a transaction with `statement` (BEGIN, or BEGIN with an isolation level), then makes
    /// `transactionSettings` and `settings`, all in one round trip (`pipeline`). The values travel
    /// as bound parameters.
    public func begin(_ statement: String = "BEGIN", settings: [TransactionSetting] = []) throws(PostgresError) {
        let all = transactionSettings + settings
        guard !all.isEmpty else { return try execute(statement) }
        let calls = all.indices.map { "set_config($\(2 * $0 + 1), $\(2 * $0 + 2), true)" }.joined(separator: ", ")
        _ = try pipeline([PipelinedStatement(statement), PipelinedStatement("SELECT " + calls, all.flatMap { [$0.name, $0.value] })])
    }

    /// Sends `statements` together and reads their answers together: one round trip instead of one
    /// each (libpq's pipeline mode). Each statement is parsed and run as `query` would; those
    /// after a failed one are skipped by the server, and the first failure is thrown once every
    /// answer has been read, so the connection is left ready for the next statement. Outside a
    /// transaction the statements run as one implicit transaction; inside one, a failure leaves it
    /// aborted, for the caller to roll back as after any failed statement.
    public func pipeline(_ statements: [PipelinedStatement]) throws(PostgresError) -> [PostgresResult] {
        guard !statements.isEmpty else { return [] }
        guard PQenterPipelineMode(handle) == 1 else { throw clientError() }
        var failure: PostgresError?
        var sent = 0
        for statement in statements {
            let texts = statement.parameters.map { $0.postgresText }
            let queued = withParameterPointers(texts) { pointers in
                PQsendQueryParams(handle, statement.sql, Int32(texts.count), nil, pointers, nil, nil, 0)
            }
            guard queued == 1 else {
                failure = clientError()
                break
            }
            sent += 1
        }
        var results: [PostgresResult] = []
        if PQpipelineSync(handle) == 1 {
            reading: for _ in 0..<sent {
                guard let result = PQgetResult(handle) else {
                    failure = failure ?? clientError()
                    break
                }
                if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                    PQclear(result)
                } else {
                    do { results.append(try consume(result)) } catch { failure = failure ?? error }
                }
                // The end of this statement's answer (a NULL result).
                while let extra = PQgetResult(handle) {
                    PQclear(extra)
                    if PQstatus(handle) != CONNECTION_OK { break reading }
                }
                if PQstatus(handle) != CONNECTION_OK { break }
            }
            // The synchronisation point's own answer.
            if PQstatus(handle) == CONNECTION_OK, let sync = PQgetResult(handle) { PQclear(sync) }
        } else {
            failure = failure ?? clientError()
        }
        if PQexitPipelineMode(handle) != 1 { failure = failure ?? clientError() }
        if let failure { throw failure }
        return results
    }

    /// Runs `body` in a transaction: it commits when `body` returns and rolls back when it throws.
    /// Inside an open transaction it uses a savepoint, so a nested failure undoes only its own part.
    @discardableResult
    public func transaction<Result>(_ body: (PostgresConnection) throws -> Result) throws -> Result {
        let nested = PQtransactionStatus(handle) != PQTRANS_IDLE
        let savepoint = "gaptrack_nested"
        if nested { try execute("SAVEPOINT \(savepoint)") } else { try begin() }
        do {
            let result = try body(self)
            if nested { try execute("RELEASE SAVEPOINT \(savepoint)") } else { try commit() }
            return result
        } catch {
            // The original error matters more than a failure to roll back on a broken connection.
            try? execute(nested ? "ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)" : "ROLLBACK")
            throw error
        }
    }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool { PQtransactionStatus(handle) != PQTRANS_IDLE }

    /// False once libpq has seen the server go away (a terminated backend, a restart). libpq
    /// notices only when it next talks to the server, so a connection that is still "open" here
    /// may yet fail its next statement; a pool checks this after a failure, before a round trip.
    public var isOpen: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Commits the open transaction. A lost connection while the COMMIT is in flight leaves it
    /// unknown whether the server committed (it may have, and died before answering), so that
    /// failure is `.commitUnconfirmed`, never an ordinary connection loss that a caller might
    /// safely repeat.
    public func commit() throws(PostgresError) {
        do {
            try execute("COMMIT")
        } catch let error where error.isConnectionLoss {
            throw .commitUnconfirmed(message: error.description)
        }
    }

    /// Streams data into a `COPY ... FROM STDIN` statement. `produce` writes the rows through the
    /// `CopyWriter`; if it throws, the COPY is aborted and the server keeps none of its rows.
    /// Returns the number of rows the server copied.
    @discardableResult
    public func copyIn(_ sql: String, _ produce: (inout CopyWriter) throws -> Void) throws -> Int {
        _ = try startCopy(sql, expecting: PGRES_COPY_IN)
        var writer = CopyWriter(handle: handle)
        do {
            try produce(&writer)
            try writer.flush()
        } catch {
            let reason = String(describing: error)
            _ = PQputCopyEnd(handle, reason)
            drainResults()
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw clientError() }
        var copied = 0
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            do {
                copied = try consume(result).affectedRows
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return copied
    }

    /// Streams the output of a `COPY ... TO STDOUT` statement to `receive`, chunk by chunk, so an
    /// export never holds the whole table in memory.
    public func copyOut(_ sql: String, _ receive: (UnsafeRawBufferPointer) throws -> Void) throws {
        _ = try startCopy(sql, expecting: PGRES_COPY_OUT)
        var buffer: UnsafeMutablePointer<CChar>?
        var receiveError: (any Error)?
        while true {
            let length = PQgetCopyData(handle, &buffer, 0)
            if length > 0, let bytes = buffer {
                if receiveError == nil {
                    do {
                        try receive(UnsafeRawBufferPointer(start: bytes, count: Int(length)))
                    } catch {
                        receiveError = error
                    }
                }
                PQfreemem(bytes)
            } else if length == -1 {
                break
            } else {
                throw clientError()
            }
        }
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            do { _ = try consume(result) } catch { failure = failure ?? error }
        }
        if let receiveError { throw receiveError }
        if let failure { throw failure }
    }

    private func startCopy(_ sql: String, expecting status: ExecStatusType) throws(PostgresError) -> Void {
        guard let result = PQexec(handle, sql) else { throw clientError() }
        let actual = PQresultStatus(result)
        if actual == status {
            PQclear(result)
            return
        }
        _ = try consume(result)
        throw .client(message: "statement did not start a COPY: \(sql)")
    }

    private func drainResults() {
        while let result = PQgetResult(handle) { PQclear(result) }
    }

    /// Converts a `PGresult` into a `PostgresResult` or the server's error, and frees it.
    private func consume(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else { throw clientError() }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN, PGRES_COPY_OUT:
            return PostgresResult(result)
        default:
            // An error without a SQLSTATE was made by libpq itself ("server closed the connection
            // unexpectedly"): the server never answered, so it is the connection's failure.
            guard PQresultErrorField(result, Int32(Character("C").asciiValue!)) != nil else {
                let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
                throw .client(message: message.isEmpty ? String(cString: PQerrorMessage(handle)) : message)
            }
            throw .server(Self.serverError(from: result))
        }
    }

    private static func serverError(from result: OpaquePointer) -> ServerError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let fallback = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
        return ServerError(
            severity: field("V") ?? field("S") ?? "ERROR",
            sqlState: field("C") ?? "XX000",
            message: field("M") ?? fallback,
            detail: field("D"),
            hint: field("H"),
            constraint: field("n"),
            table: field("t"),
            column: field("c")
        )
    }

    private func clientError() -> PostgresError {
        .client(message: String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// One setting of `PostgresConnection.begin`: a configuration parameter's name and its value.
public struct TransactionSetting: Sendable, Equatable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One statement of `PostgresConnection.pipeline`, with `$1, $2, ...` bound to `parameters`.
public struct PipelinedStatement {
    public let sql: String
    public let parameters: [any PostgresEncodable]

    public init(_ sql: String, _ parameters: [any PostgresEncodable] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}

@available(*, unavailable, message: "a PostgresConnection must not be shared between concurrent tasks")
extension PostgresConnection: Sendable {}

/// Buffers COPY data and hands it to libpq in large chunks; one `PQputCopyData` call per row
/// would spend more time in libpq than in the server.
public struct CopyWriter: ~Copyable {
    private let handle: OpaquePointer
    private var buffer: [UInt8] = []
    private static let flushThreshold = 256 * 1024

    init(handle: OpaquePointer) {
        self.handle = handle
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Appends raw bytes in the COPY's format (text, CSV or binary).
    public mutating func write(_ bytes: some Sequence<UInt8>) throws(PostgresError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    public mutating func write(_ text: String) throws(PostgresError) {
        try write(text.utf8)
    }

    /// Appends one row in COPY's text format, escaping tabs, newlines and backslashes; nil is NULL.
    public mutating func writeRow(_ fields: [String?]) throws(PostgresError) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let field else {
                buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
                continue
            }
            for byte in field.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    mutating func flush() throws(PostgresError) {
        guard !buffer.isEmpty else { return }
        let status = buffer.withUnsafeBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { pointer in
                PQputCopyData(handle, pointer, Int32(bytes.count))
            }
        }
        guard status == 1 else {
            throw .client(message: String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Keeps the C strings for `PQexecParams` alive for the duration of the call.
private func withParameterPointers<Result>(
    _ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> Result
) -> Result {
    let storage: [UnsafeMutablePointer<CChar>?] = values.map { value in value.map { strdup($0) } }
    defer { for pointer in storage { free(pointer) } }
    return body(storage.map { UnsafePointer($0) })
}
