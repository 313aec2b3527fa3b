import Postgres

/// A pupils file's snapshot column ("FSM Eligible: Y" on a date) and a history file's spell ("FSM
/// since 10/01/2023") are two accounts of one fact, and load in either order
/// (docs/import-formats.md, "Snapshot columns and marker history").
///
/// * A history spell that covers the snapshot's date, with the same value (or either without
///   one), confirms it: a snapshot spell already held is replaced by the history's spell, and a
///   snapshot arriving after the history changes nothing.
/// * A history spell beginning after the snapshot's date, within the snapshot spell, extends it:
///   the snapshot spell ends the day before (as `StudentsMerge` does when the snapshot comes second).
/// * A true contradiction is an error naming both sources: within the snapshot's academic year
///   (the most a snapshot spell claims), the history says the spell ended before the snapshot
///   date, with no spell covering it; or, for a history arriving after the snapshot, its spell
///   covers the date with another value (SEN K where the snapshot said E).
///   A snapshot arriving after the history with another value is a change of stage, and starts a
///   new spell as before (`StudentsMerge`).
/// * A snapshot "N" or blank is no account at all (`StudentsMerge`), so it never contradicts.
enum MarkerReconciliation {
    /// The academic year around a date, as the enrolments' checks bound it (1 August to 31 July,
    /// sql/001_baseline.sql): SQL for its first day.
    static func yearStart(_ date: String) -> String {
        "make_date(extract(year FROM \(date))::int - CASE WHEN extract(month FROM \(date)) >= 8 THEN 0 ELSE 1 END, 8, 1)"
    }

    /// A history file (`staged_markers`) against the snapshot spells held.
    static func historyContradictions(context: ImportContext) throws -> [RowError] {
        let rows = try context.connection.query(
            """
            SELECT s.line, s.marker::text AS marker, s.value, to_char(s.starts_on, 'DD/MM/YYYY') AS starts,
                   to_char(s.ends_on, 'DD/MM/YYYY') AS ends, k.value AS snapshot_value, to_char(k.starts_on, 'DD/MM/YYYY') AS snapshot_on,
                   i.import_id, i.file_name, daterange(s.starts_on, s.ends_on, '[]') @> k.starts_on AS covers
            FROM staged_markers s
            JOIN student_markers k
              ON k.provider_id = $1 AND k.source = 'snapshot' AND k.student_id = s.student_id AND k.marker = s.marker
             AND k.overlap_key = s.overlap_key
            LEFT JOIN imports i ON i.provider_id = k.provider_id AND i.import_id = k.import_id
            WHERE NOT EXISTS (SELECT 1 FROM staged_markers c
                              WHERE c.student_id = k.student_id AND c.marker = k.marker AND c.overlap_key = k.overlap_key
                                AND daterange(c.starts_on, c.ends_on, '[]') @> k.starts_on
                                AND (c.value IS NULL OR k.value IS NULL OR c.value = k.value))
              AND (daterange(s.starts_on, s.ends_on, '[]') @> k.starts_on OR \(endsBefore(end: "s.ends_on", date: "k.starts_on")))
            ORDER BY s.line
            """, [context.providerID]).rows
        return try rows.map { row in
            let (marker, snapshotOn, source) = try sides(row)
            let said = "\(source) recorded \(marker)\(try (row.decode("snapshot_value") as String?).map { " \($0)" } ?? "") on \(snapshotOn) from a snapshot column"
            let message = try row.decode("covers") as Bool
                ? "its \(marker) spell (\(try (row.decode("value") as String?) ?? "no value")) covers \(snapshotOn), but \(said); "
                    + "one of the two is wrong: correct this row or the pupils file"
                : "its \(marker) spell ends on \(try row.decode("ends") as String), but \(said), in the same academic year; "
                    + "if the pupil's \(marker) began again, add a row for that spell, otherwise correct this row or the pupils file"
            return RowError(fileName: context.fileName, line: try row.decode("line"), column: nil, message: message)
        }
    }

    /// Snapshot spells a history file confirms are replaced by the history's spell (which starts
    /// earlier or on the same day, and ends where the history says); one the history extends, with
    /// a spell beginning later in it, ends the day before, as a snapshot arriving second would.
    /// Call before the upsert.
    static func absorbConfirmedSnapshots(context: ImportContext) throws {
        try context.connection.query(
            """
            DELETE FROM student_markers k USING staged_markers s
            WHERE k.provider_id = $1 AND k.source = 'snapshot' AND k.student_id = s.student_id AND k.marker = s.marker
              AND k.overlap_key = s.overlap_key
              AND daterange(s.starts_on, s.ends_on, '[]') @> k.starts_on AND s.starts_on <> k.starts_on
              AND (s.value IS NULL OR k.value IS NULL OR s.value = k.value)
            """, [context.providerID])
        try context.connection.query(
            """
            UPDATE student_markers k SET ends_on = later.starts_on - 1, updated_at = now()
            FROM (SELECT s.student_id, s.marker, s.overlap_key, k.marker_id, min(s.starts_on) AS starts_on
                  FROM staged_markers s JOIN student_markers k
                    ON k.provider_id = $1 AND k.source = 'snapshot' AND k.student_id = s.student_id AND k.marker = s.marker
                   AND k.overlap_key = s.overlap_key AND s.starts_on > k.starts_on AND k.spell @> s.starts_on
                  GROUP BY 1, 2, 3, 4) later
            WHERE k.provider_id = $1 AND k.marker_id = later.marker_id
            """, [context.providerID])
    }

    /// A pupils file's snapshot columns (`snapshotSQL` over `staged_students`) against the history
    /// spells held.
    static func snapshotContradictions(snapshotSQL: String, context: ImportContext) throws -> [RowError] {
        let rows = try context.connection.query(
            """
            WITH snapshot AS (\(snapshotSQL))
            SELECT sn.line, sn.marker::text AS marker, to_char(sn.as_of, 'DD/MM/YYYY') AS snapshot_on,
                   to_char(k.starts_on, 'DD/MM/YYYY') AS starts, to_char(k.ends_on, 'DD/MM/YYYY') AS ends,
                   i.import_id, i.file_name
            FROM snapshot sn
            JOIN student_markers k
              ON k.provider_id = $1 AND k.source = 'spell' AND k.student_id = sn.student_id AND k.marker = sn.marker
             AND k.overlap_key = sn.overlap_key
            LEFT JOIN imports i ON i.provider_id = k.provider_id AND i.import_id = k.import_id
            WHERE NOT EXISTS (SELECT 1 FROM student_markers c
                              WHERE c.provider_id = $1 AND c.student_id = sn.student_id AND c.marker = sn.marker
                                AND c.overlap_key = sn.overlap_key
                                AND c.spell @> sn.as_of)
              AND \(endsBefore(end: "k.ends_on", date: "sn.as_of"))
            ORDER BY sn.line
            """, [context.providerID]).rows
        return try rows.map { row in
            let (marker, snapshotOn, source) = try sides(row)
            let message = "says \(marker) on \(snapshotOn), but \(source) gave the \(marker) spell an end on \(try row.decode("ends") as String), "
                + "earlier in the same academic year; if it began again, load that spell from the history file, otherwise correct this row"
            return RowError(fileName: context.fileName, line: try row.decode("line"), column: nil, message: message)
        }
    }

    /// SQL: a spell ending on `end` (NULL: open) ends before `date`, within `date`'s academic year.
    static func endsBefore(end: String, date: String) -> String {
        "(\(end) < \(date) AND \(end) >= \(yearStart(date)))"
    }

    /// The marker, the snapshot's date and the other import, of a contradiction's row.
    private static func sides(_ row: PostgresRow) throws -> (marker: String, snapshotOn: String, source: String) {
        (try row.decode("marker"), try row.decode("snapshot_on"),
         source(importID: try row.decode("import_id"), fileName: try row.decode("file_name")))
    }

    /// "import 12 (markers.csv)", or a change made outside an import.
    static func source(importID: Int?, fileName: String?) -> String {
        guard let importID, let fileName else { return "a change made outside an import" }
        return "import \(importID) (\(fileName))"
    }
}
