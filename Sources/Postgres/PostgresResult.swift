import CLibPQ

/// The rows a statement returned, copied out of libpq's `PGresult` so that the result is a
/// plain value: it can outlive the connection and be handed between threads.
public struct PostgresResult: Sendable {
    public let columns: [Column]
    public let rows: [PostgresRow]
    /// The command tag's row count (rows inserted, updated, deleted or copied).
    public let affectedRows: Int

    public struct Column: Sendable, Equatable {
        public let name: String
        public let typeOID: UInt32
    }

    init(_ result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        var columns: [Column] = []
        columns.reserveCapacity(columnCount)
        for index in 0..<columnCount {
            columns.append(Column(name: String(cString: PQfname(result, Int32(index))), typeOID: PQftype(result, Int32(index))))
        }
        let layout = ColumnLayout(columns: columns)
        let rowCount = Int(PQntuples(result))
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(PostgresRow(layout: layout, values: values))
        }
        self.columns = columns
        self.rows = rows
        self.affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// The only row of a result that must have exactly one.
    public func single() throws(PostgresError) -> PostgresRow {
        guard rows.count == 1 else {
            throw .client(message: "expected exactly one row, got \(rows.count)")
        }
        return rows[0]
    }
}

/// Column names and types shared by every row of one result.
final class ColumnLayout: Sendable {
    let columns: [PostgresResult.Column]
    let indexByName: [String: Int]

    init(columns: [PostgresResult.Column]) {
        self.columns = columns
        var indexByName: [String: Int] = [:]
        for (index, column) in columns.enumerated() where indexByName[column.name] == nil {
            indexByName[column.name] = index
        }
        self.indexByName = indexByName
    }
}

/// One row, read by column name or position. NULL reads as nil through an `Optional` type and
/// is an error through a non-optional one.
public struct PostgresRow: Sendable {
    let layout: ColumnLayout
    let values: [String?]

    /// The raw text of a column, nil for NULL.
    public func text(_ column: String) throws(PostgresError) -> String? {
        values[try index(of: column)]
    }

    public func decode<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws(PostgresError) -> Value {
        let index = try index(of: column)
        guard let text = values[index] else { throw .unexpectedNull(column: column) }
        return try Value.decode(postgresText: text, oid: layout.columns[index].typeOID, column: column)
    }

    public func decode<Value: PostgresDecodable>(_ column: String, as type: Value?.Type = Value?.self) throws(PostgresError) -> Value? {
        let index = try index(of: column)
        guard let text = values[index] else { return nil }
        return try Value.decode(postgresText: text, oid: layout.columns[index].typeOID, column: column)
    }

    public func decode<Value: PostgresDecodable>(at index: Int, as type: Value.Type = Value.self) throws(PostgresError) -> Value {
        guard values.indices.contains(index) else { throw .noSuchColumn("#\(index)") }
        let column = layout.columns[index]
        guard let text = values[index] else { throw .unexpectedNull(column: column.name) }
        return try Value.decode(postgresText: text, oid: column.typeOID, column: column.name)
    }

    private func index(of column: String) throws(PostgresError) -> Int {
        guard let index = layout.indexByName[column] else { throw .noSuchColumn(column) }
        return index
    }
}
