import GapTrackDomain
import Postgres

/// markers.csv: dated disadvantage markers, one spell per row (docs/import-formats.md).
///
/// Natural key: (student, marker, start_date), with pupil premium's eligible and funded kept
/// apart. A row for a spell already held updates its value and end date. Spells of the same
/// marker for a student must not overlap: an overlapping row is an error naming the other row or
/// the spell already held. Importing never deletes a spell.
struct MarkersImport: TabularFormat {
    static let columns: [ImportColumn] = [
        ImportColumn("student", required: true), ImportColumn("marker", required: true), ImportColumn("value"),
        ImportColumn("start_date", required: true), ImportColumn("end_date"),
    ]
    static let stagingTable = "staged_markers"
    static let stagingColumns: [(name: String, type: String)] = [
        ("student", "text"), ("marker", "marker_kind"), ("value", "text"), ("starts_on", "date"), ("ends_on", "date"),
    ]
    static let workColumns: [(name: String, type: String)] = [
        ("student_id", "bigint"),
        ("overlap_key", "text GENERATED ALWAYS AS (CASE WHEN marker = 'pupil_premium' THEN value ELSE '' END) STORED"),
    ]

    private let providerKind: ProviderKind
    private var students = Memo<String>()
    private var markers = Memo<DisadvantageMarkerKind>()
    private var values = Memo<String?>()
    private var lineOfKey: [String: Int] = [:]

    init(context: ImportContext) throws {
        providerKind = context.provider.kind
    }

    mutating func validate(_ row: inout RowContext) -> [String?]? {
        let kind = providerKind
        let student = row.parse("student", required: true, expected: "the student's identifier") { (text: String) throws(FieldProblem) -> String in
            try students(text) { (text: String) throws(FieldProblem) -> String in try StudentIdentifiers.normalise(text, providerKind: kind) }
        }
        let marker = row.parse("marker", required: true, expected: "a marker name") { (text: String) throws(FieldProblem) -> DisadvantageMarkerKind in
            try markers(text, DisadvantageMarkerKind.parseImported)
        }
        var value: String?
        if let marker {
            let given = row.text("value")
            do {
                value = try values(marker.rawValue + "\u{0}" + (given ?? "\u{1}")) { (_: String) throws(FieldProblem) -> String? in
                    try marker.storedValue(given)
                }
            } catch {
                row.fail("value", error.message)
            }
        }
        let start = row.parse("start_date", required: true, expected: "the first day the marker applies", FieldParsers.date)
        let end = row.parse("end_date", expected: "the last day the marker applies", FieldParsers.date)
        if let start, let end, end < start {
            row.fail("end_date", "'\(row.text("end_date")!)' is before the start date \(start.ukString)")
        }
        guard row.isValid, let student, let marker, let start else { return nil }
        let key = "\(student)|\(marker.rawValue)|\(marker.overlapKey(value: value))|\(start.isoString)"
        if let earlier = lineOfKey[key] {
            row.fail(nil, "repeats the \(marker.rawValue) spell starting \(start.ukString) for '\(student)' already on line \(earlier)")
            return nil
        }
        lineOfKey[key] = row.line
        return [student, marker.rawValue, value, start.isoString, end?.isoString]
    }

    func databaseChecks(context: ImportContext) throws -> [RowError] {
        var errors = try StudentIdentifiers.resolve(
            stagingTable: Self.stagingTable, providerID: context.providerID, fileName: context.fileName,
            columnName: "student", connection: context.connection)
        // Overlaps in the state the import would leave: the file's spells with each other, and
        // with the spells held that the file does not replace (a held spell with the same natural
        // key is replaced). Plain joins on the analysed staging table, so the planner hashes.
        let overlaps = try context.connection.query(
            """
            SELECT a.line, a.marker::text AS marker, b.line AS other_line, NULL::text AS held_from, NULL::text AS held_to
            FROM staged_markers a
            JOIN staged_markers b
              ON b.student_id = a.student_id AND b.marker = a.marker AND b.overlap_key = a.overlap_key AND b.line < a.line
             AND daterange(b.starts_on, b.ends_on, '[]') && daterange(a.starts_on, a.ends_on, '[]')
            UNION ALL
            SELECT a.line, a.marker::text, NULL, to_char(k.starts_on, 'DD/MM/YYYY'), to_char(k.ends_on, 'DD/MM/YYYY')
            FROM staged_markers a
            JOIN (
                -- The spells held that the file does not replace, planned on their own (OFFSET 0)
                -- so that the anti-join is hashed whatever the range join is expected to find.
                SELECT k.* FROM student_markers k
                WHERE k.provider_id = $1 AND k.student_id IN (SELECT student_id FROM staged_markers) AND k.source <> 'snapshot'
                  AND NOT EXISTS (SELECT 1 FROM staged_markers s
                                  WHERE s.student_id = k.student_id AND s.marker = k.marker
                                    AND s.overlap_key = k.overlap_key AND s.starts_on = k.starts_on)
                OFFSET 0
            ) k
              ON k.student_id = a.student_id AND k.marker = a.marker AND k.overlap_key = a.overlap_key
             AND k.spell && daterange(a.starts_on, a.ends_on, '[]')
            ORDER BY 1
            """, [context.providerID]).rows
        for row in overlaps {
            let marker: String = try row.decode("marker")
            let message: String
            if let other = try row.decode("other_line") as Int? {
                message = "its \(marker) spell overlaps the spell on line \(other); spells of the same marker for a student must not overlap"
            } else {
                let from: String = try row.decode("held_from")
                let to = (try row.decode("held_to") as String?) ?? "open (no end date)"
                message = "its \(marker) spell overlaps the spell already held from \(from) to \(to); "
                    + "spells must not overlap, so give the held spell its end date (a row with its start date) or correct these dates"
            }
            errors.append(RowError(fileName: context.fileName, line: try row.decode("line"), column: nil, message: message))
        }
        // Snapshot spells are reconciled rather than overlapped (MarkerReconciliation).
        return errors + (try MarkerReconciliation.historyContradictions(context: context))
    }

    func merge(importID: Int, context: ImportContext) throws -> (inserted: Int, updated: Int)? {
        // Shortening one spell and lengthening its neighbour in one statement may overlap for a
        // moment; the constraint is checked at the end of the statement group instead.
        try context.connection.execute("SET CONSTRAINTS student_markers_no_overlap DEFERRED")
        try MarkerReconciliation.absorbConfirmedSnapshots(context: context)
        try context.connection.query(
            """
            WITH written AS (
                INSERT INTO student_markers AS m (provider_id, student_id, marker, value, starts_on, ends_on, source, import_id)
                SELECT $2, student_id, marker, value, starts_on, ends_on, 'spell', $1 FROM staged_markers
                ON CONFLICT ON CONSTRAINT student_markers_natural_key DO UPDATE SET
                    value = EXCLUDED.value, ends_on = EXCLUDED.ends_on, source = 'spell',
                    import_id = EXCLUDED.import_id, updated_at = now()
                WHERE (m.value, m.ends_on) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.ends_on)
                RETURNING m.student_id, m.marker, m.overlap_key, m.starts_on, (m.xmax = 0) AS was_inserted
            )
            UPDATE staged_markers s SET inserted = w.was_inserted, changed = true
            FROM written w
            WHERE w.student_id = s.student_id AND w.marker = s.marker AND w.overlap_key = s.overlap_key AND w.starts_on = s.starts_on
            """, [importID, context.providerID])
        try context.connection.execute("SET CONSTRAINTS student_markers_no_overlap IMMEDIATE")
        return nil
    }
}
