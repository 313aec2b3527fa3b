import GapTrackDomain
import Postgres

/// A markers file in the wide layout (`--layout wide`): one row per pupil, a column per flag
/// (FSM, FSM Ever 6, SEN, EAL, looked after, pupil premium), each saying what the MIS held on one
/// date. The flags become marker spells exactly as a pupils file's snapshot columns do, so they
/// reconcile with marker history loaded before or after (docs/import-formats.md, "Wide files").
///
/// The staging table takes the pupils file's name and snapshot columns so that the one snapshot
/// merge (`StudentsMerge.writeSnapshotMarkers`) and contradiction check serve both.
struct MarkersWideImport: TabularFormat {
    static let columns: [ImportColumn] = [ImportColumn("student", required: true), ImportColumn("as_of")]
        + SnapshotColumns.names.map { ImportColumn($0) }

    static let stagingTable = "staged_students"
    static let stagingColumns: [(name: String, type: String)] = [("student", "text"), ("as_of", "date"), ("academic_year", "text")]
        + SnapshotColumns.staging
    static let workColumns: [(name: String, type: String)] = [("student_id", "bigint")]

    private let providerKind: ProviderKind
    private let asOf: CalendarDate?
    private var snapshot = SnapshotColumns()
    private var students = Memo<String>()
    private var lineOfStudent: [String: Int] = [:]

    init(context: ImportContext) throws {
        providerKind = context.provider.kind
        asOf = context.options.asOf
    }

    mutating func validate(_ row: inout RowContext) -> [String?]? {
        let kind = providerKind
        let student = row.parse("student", required: true, expected: "the student's identifier") { (text: String) throws(FieldProblem) -> String in
            try students(text) { (text: String) throws(FieldProblem) -> String in try StudentIdentifiers.normalise(text, providerKind: kind) }
        }
        let date = row.parse("as_of", expected: "the date the flags held", FieldParsers.date) ?? asOf
        if date == nil && row.text("as_of") == nil {
            row.fail(nil, "has no date the flags held: give an as_of column or --as-of DATE")
        }
        let flags = snapshot.read(&row)
        guard row.isValid, let student, let date else { return nil }
        let key = "\(student)|\(date.isoString)"
        if let earlier = lineOfStudent[key] {
            row.fail(nil, "repeats the flags of '\(student)' on \(date.ukString) already on line \(earlier)")
            return nil
        }
        lineOfStudent[key] = row.line
        return [student, date.isoString, AcademicYear(containing: date).description] + flags
    }

    func databaseChecks(context: ImportContext) throws -> [RowError] {
        try StudentIdentifiers.resolve(
            stagingTable: Self.stagingTable, providerID: context.providerID, fileName: context.fileName,
            columnName: "student", connection: context.connection)
            + MarkerReconciliation.snapshotContradictions(snapshotSQL: StudentsMerge.snapshotColumns, context: context)
    }

    func merge(importID: Int, context: ImportContext) throws -> (inserted: Int, updated: Int)? {
        try StudentsMerge(connection: context.connection, providerID: context.providerID, importID: importID).writeSnapshotMarkers()
        return nil
    }
}
