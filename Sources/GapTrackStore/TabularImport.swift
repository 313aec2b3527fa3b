import CSVFormat
import Foundation
import Postgres

/// The part of an import that differs by kind (students, markers, assessments, support):
/// its columns, row validation, staging table, database checks and merge.
protocol TabularFormat {
    static var columns: [ImportColumn] { get }
    /// The temporary staging table: its name, and its columns after `line` (name, SQL type),
    /// in the order `validate` returns the fields. COPY fills exactly these.
    static var stagingTable: String { get }
    static var stagingColumns: [(name: String, type: String)] { get }
    /// Further staging columns the database checks and merge fill in (not copied).
    static var workColumns: [(name: String, type: String)] { get }
    /// The staging table's primary key: `line`, or `line` and a staging column when one file line
    /// stages several rows (a wide marksheet's line, one row per subject column). Either way
    /// `--skip-invalid` drops a whole line and the rejects file holds the line as written.
    static var stagingKey: String { get }
    /// What one staging row is, in the summary's words, when a line stages several ("results").
    static var stagedName: String { get }

    init(context: ImportContext) throws

    /// Sees the file's header once its columns are resolved, before any row: a wide file's
    /// columns carry meaning of their own. Returns the columns to read rows with.
    mutating func prepare(columns: ResolvedColumns, context: ImportContext) throws -> ResolvedColumns

    /// Validates one row. Returns the staging fields (after `line`) for a valid row; records
    /// errors in `row` and returns nil for an invalid one.
    mutating func validate(_ row: inout RowContext) -> [String?]?

    /// The staging rows of one valid line (none for a line that holds no facts, such as a
    /// marksheet row of blank cells); records errors in `row` for an invalid one.
    mutating func validateRows(_ row: inout RowContext) -> [[String?]]

    /// Checks that need every row of the file (duplicates within the file, ...), after reading.
    mutating func finishReading(errors: inout RowErrors, context: ImportContext) throws

    /// Checks that need the database (unknown students, overlapping spells), set-based.
    func databaseChecks(context: ImportContext) throws -> [RowError]

    /// Writes the staged rows. Returns the rows inserted and updated, or nil after setting
    /// `inserted` or `changed` on the staging rows it affected (the driver then counts those).
    func merge(importID: Int, context: ImportContext) throws -> (inserted: Int, updated: Int)?

    /// What the summary should say beyond the counts, after the merge (probable duplicates).
    func notices(context: ImportContext) throws -> [String]
}

extension TabularFormat {
    static var workColumns: [(name: String, type: String)] { [] }

    static var stagingKey: String { "line" }

    static var stagedName: String { "rows" }

    mutating func prepare(columns: ResolvedColumns, context: ImportContext) throws -> ResolvedColumns { columns }

    mutating func validateRows(_ row: inout RowContext) -> [[String?]] {
        validate(&row).map { [$0] } ?? []
    }

    mutating func finishReading(errors: inout RowErrors, context: ImportContext) throws {}

    func notices(context: ImportContext) throws -> [String] { [] }
}

/// Runs a `TabularFormat` import: read and validate while COPYing into staging, then check,
/// then merge, then count.
struct TabularImportDriver<Format: TabularFormat> {
    let context: ImportContext

    func run() throws -> KindOutcome {
        var clock = PhaseClock()
        let reader: CSVReader
        do {
            reader = try CSVReader(path: context.url.path)
        } catch {
            throw ImportError.unreadable(fileName: context.fileName, error)
        }
        guard let headerRow = try readRow(reader) else {
            throw ImportError.unreadable(fileName: context.fileName, .missingHeader)
        }
        let resolved = try context.options.mapping.resolve(header: headerRow.fields, kind: context.kind, columns: Format.columns)
        try resolved.requireColumns(Format.columns, of: context.kind, fileName: context.fileName)

        var format = try Format(context: context)
        let columns = try format.prepare(columns: resolved, context: context)
        let columnDefinitions = (Format.stagingColumns + Format.workColumns).map { "\($0.name) \($0.type)" }.joined(separator: ", ")
        try context.connection.execute(
            """
            CREATE TEMP TABLE \(Format.stagingTable) (line integer NOT NULL, \(columnDefinitions),
                inserted boolean NOT NULL DEFAULT false, changed boolean NOT NULL DEFAULT false,
                PRIMARY KEY (\(Format.stagingKey))) ON COMMIT DROP
            """)
        var errors = RowErrors(fileName: context.fileName)
        var rowsRead = 0
        var ticker = ProgressTicker(options: context.options, fileName: context.fileName)
        let headerCount = headerRow.fields.count
        let copyColumns = (["line"] + Format.stagingColumns.map(\.name)).joined(separator: ", ")
        try context.connection.copyIn("COPY \(Format.stagingTable) (\(copyColumns)) FROM STDIN") { writer in
            while let row = try readRow(reader) {
                rowsRead += 1
                ticker.tick(rowsRead)
                guard row.fields.count == headerCount else {
                    errors.add(line: row.lineNumber, column: nil,
                               "has \(row.fields.count) field\(row.fields.count == 1 ? "" : "s") but the header has \(headerCount); check for an unquoted comma or a missing value")
                    continue
                }
                var rowContext = RowContext(fields: row.fields, columns: columns, line: row.lineNumber, fileName: context.fileName)
                let staged = format.validateRows(&rowContext)
                if rowContext.isValid {
                    for fields in staged { try writer.writeRow([String(row.lineNumber)] + fields) }
                } else {
                    rowContext.errors.forEach { errors.add($0) }
                }
            }
        }
        ticker.finish(rowsRead)
        try format.finishReading(errors: &errors, context: context)
        try context.connection.execute("ANALYZE \(Format.stagingTable)")
        clock.lap("read, validate and stage")
        let importID = try context.openLedger()
        for error in try format.databaseChecks(context: context) { errors.add(error) }
        clock.lap("database checks")
        try context.stopIfInvalid(errors, rowsRead: rowsRead)
        if !errors.isEmpty {
            try context.connection.query("DELETE FROM \(Format.stagingTable) WHERE line = ANY($1::integer[])",
                                         [errors.invalidLines.sorted()])
        }
        let written = try format.merge(importID: importID, context: context) ?? stagedChanges()
        clock.lap("merge")
        var outcome = KindOutcome(rowsRead: rowsRead, inserted: written.inserted, updated: written.updated,
                                  errors: errors, ignoredColumns: columns.ignored, phases: clock.phases,
                                  notices: try format.notices(context: context))
        if Format.stagingKey != "line" {
            // The counts are of what was staged; the summary says so, since they exceed the rows.
            let staged: Int = try context.connection.query("SELECT count(*) AS n FROM \(Format.stagingTable)").single().decode("n")
            outcome.stagedRows = staged
            outcome.notices.insert("\(ImportSummary.grouped(rowsRead - outcome.rejected)) row\(rowsRead - outcome.rejected == 1 ? "" : "s") held "
                + "\(ImportSummary.grouped(staged)) \(Format.stagedName): inserted, updated and unchanged count \(Format.stagedName), rejected counts rows", at: 0)
        }
        return outcome
    }

    /// The rows a merge marked `inserted` or `changed` in the staging table, for formats whose
    /// merge does not count them itself.
    private func stagedChanges() throws -> (inserted: Int, updated: Int) {
        let counts = try context.connection.query(
            """
            SELECT count(*) FILTER (WHERE inserted) AS inserted,
                   count(*) FILTER (WHERE changed AND NOT inserted) AS updated
            FROM \(Format.stagingTable)
            """).single()
        return (try counts.decode("inserted"), try counts.decode("updated"))
    }

    private func readRow(_ reader: CSVReader) throws -> CSVRow? {
        do {
            return try reader.nextRow()
        } catch {
            throw ImportError.unreadable(fileName: context.fileName, error)
        }
    }
}

