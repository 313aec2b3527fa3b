import CSVFormat
import GapTrackDomain
import Postgres

/// attendance.csv: one row per student per session (docs/import-formats.md). Built for files of
/// millions of marks: the file is read at byte level into packed, sorted keys (no `String` per
/// field), then each reporting term is written in one of two ways:
///
/// * a term with no marks of this school yet is bulk-loaded (by `gaptrack import`, as the schema
///   owner; a web upload may create no table and merges, `ImportContext.mayCreateTables`): a new
///   table gets the marks by binary COPY in primary-key order, builds its primary key in one
///   pass, and is attached as the school's partition of the term's partition of
///   `attendance_marks`, which validates the foreign keys with one query each; other schools'
///   marks of the term are in tables of their own, so every school's first import of a term
///   takes this path, not only the first school's (sql/functions/attendance_term_tables.sql);
/// * a term that has marks of this school already is merged: binary COPY into a staging table;
///   the marks of each pupil with no mark held between their first and last new date (a later
///   week, the usual case) are inserted straight into the school's partition and journalled by
///   range per pupil, as a bulk load's are (`attendance_merge_new_marks`, owner only); the rest
///   are compared with what is held, then one UPDATE for marks whose code changed (the old mark
///   goes to `attendance_mark_history` through the table's trigger) and one INSERT for new
///   sessions, through the parent, whose triggers journal them mark by mark.
///
/// Both leave the same rows; the first is several times faster than maintaining the index and
/// foreign keys row by row (measurements in BENCHMARKS.md). Either way the partitions written
/// are analysed before the transaction ends, so the next plan that reads them is estimated from
/// their rows (a freshly loaded table planned as empty made reports pick nested loops). Students are resolved in
/// Swift from one query of the provider's identifiers, so an unknown student is reported with
/// its line before anything is written. Two rows for the same session in one file are an error.
struct AttendanceImport {
    static let columns: [ImportColumn] = [
        ImportColumn("student", required: true), ImportColumn("date", required: true),
        ImportColumn("session", required: true), ImportColumn("code", required: true),
    ]
    /// Serialises attendance imports, which may create partitions (pg_advisory_xact_lock key).
    static let advisoryLockKey = 7_130_512_003

    let context: ImportContext

    init(context: ImportContext) {
        self.context = context
    }

    func run() throws -> KindOutcome {
        var clock = PhaseClock()
        let directory = try StudentDirectory(providerID: context.providerID, connection: context.connection)
        var reading = try AttendanceFileReader(context: context, directory: directory).read()
        clock.lap("read and validate")
        reading.rows.sort()
        findRepeatedSessions(&reading)
        clock.lap("sort")
        try placeInCalendar(&reading, directory: directory)
        clock.lap("check against the school calendar and on-roll dates")
        try context.stopIfInvalid(reading.errors, rowsRead: reading.rowsRead)

        let importID = try context.openLedger()
        try context.connection.query("SELECT pg_advisory_xact_lock($1)", [Self.advisoryLockKey])
        clock.lap("checksum, ledger and lock")
        let rows = reading.rows
        var inserted = 0
        var updated = 0
        var untriggered = 0
        var toMerge: [(AttendanceTerm, Range<Int>)] = []
        for (term, range) in termRanges(rows) {
            // Only the owner may bulk-load (and only the owner may look into the default partition).
            let isEmpty: Bool = try context.mayCreateTables && context.connection.query(
                "SELECT attendance_school_term_is_empty($1, $2::term_name, $3) AS empty",
                [term.academicYear.description, term.term.rawValue, context.providerID]).single().decode("empty")
            if isEmpty {
                try bulkLoad(term: term, range: range, rows: rows, directory: directory, clock: &clock)
                inserted += range.count
                untriggered += range.count
            } else {
                toMerge.append((term, range))
            }
        }
        if !toMerge.isEmpty {
            let merged = try merge(ranges: toMerge, rows: rows, directory: directory, importID: importID, clock: &clock)
            inserted += merged.inserted
            updated += merged.updated
            untriggered += merged.untriggered
            // Only the owner may analyse; a web upload's merge leaves statistics to autovacuum.
            if context.mayCreateTables && merged.inserted + merged.updated > 0 {
                for (term, _) in toMerge {
                    try context.connection.query("SELECT attendance_analyze_school_term($1, $2::term_name, $3)",
                                                 [term.academicYear.description, term.term.rawValue, context.providerID])
                }
                clock.lap("statistics of the merged partitions")
            }
        }
        return KindOutcome(rowsRead: reading.rowsRead, inserted: inserted, updated: updated, errors: reading.errors,
                           ignoredColumns: reading.ignoredColumns, phases: clock.phases,
                           loadedUntriggered: ["attendance_marks": untriggered])
    }

    /// Two marks for one session in the same file: the later line is an error (with
    /// skip-invalid, it is dropped and the earlier kept).
    private func findRepeatedSessions(_ reading: inout AttendanceFileReader.Reading) {
        let rows = reading.rows
        var dropped = Set<Int>()
        var index = 1
        while index < rows.keys.count {
            let previous = rows.keys[index - 1], current = rows.keys[index]
            if rows.session(of: previous) == rows.session(of: current) {
                let first = rows.decode(previous).ordinal, second = rows.decode(current).ordinal
                let (kept, repeated) = rows.line(at: first) <= rows.line(at: second) ? (first, second) : (second, first)
                let session = rows.decode(current)
                let day = CalendarDate(daysSinceEpoch: AttendanceTerm(index: session.term).firstDay + session.dayInTerm)
                reading.errors.add(line: rows.line(at: repeated), column: nil,
                                   "records the same session (\(day.ukString) \(session.isAfternoon ? "PM" : "AM")) for the same student as line \(rows.line(at: kept)); a session has one mark in a file")
                dropped.insert(repeated)
            }
            index += 1
        }
        reading.rows.remove(ordinals: dropped)
    }

    /// The sorted keys split by term.
    private func termRanges(_ rows: AttendanceRows) -> [(AttendanceTerm, Range<Int>)] {
        var ranges: [(AttendanceTerm, Range<Int>)] = []
        var start = 0
        while start < rows.keys.count {
            let term = rows.decode(rows.keys[start]).term
            var end = start + 1
            while end < rows.keys.count && rows.decode(rows.keys[end]).term == term { end += 1 }
            ranges.append((AttendanceTerm(index: term), start..<end))
            start = end
        }
        return ranges
    }

    private func bulkLoad(term: AttendanceTerm, range: Range<Int>, rows: AttendanceRows, directory: StudentDirectory,
                          clock: inout PhaseClock) throws {
        let year = term.academicYear.description
        let table: String = try context.connection.query(
            "SELECT attendance_create_term_table($1, $2::term_name, $3) AS name", [year, term.term.rawValue, context.providerID]
        ).single().decode("name")
        let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try context.connection.copyIn("COPY \(quoted) (provider_id, student_id, session_date, session, code) FROM STDIN (FORMAT binary)") { writer in
            var encoder = BinaryCopyEncoder()
            for index in range {
                let mark = rows.decode(rows.keys[index])
                encoder.beginRow(fieldCount: 5)
                encoder.int64(Int64(context.providerID))
                encoder.int64(directory.studentIDs[mark.studentRank])
                encoder.date(daysSinceEpoch: term.firstDay + mark.dayInTerm)
                encoder.text(mark.isAfternoon ? Self.pm : Self.am)
                encoder.text(AttendanceCodeTable.labels[Int(rows.code(at: mark.ordinal))])
                try encoder.flushIfFull(&writer)
            }
            try encoder.finish(&writer)
        }
        clock.lap("\(term.academicTerm): copy \(range.count) marks")
        try context.connection.query("SELECT attendance_attach_term_table($1, $2::term_name, $3)", [year, term.term.rawValue, context.providerID])
        clock.lap("\(term.academicTerm): primary key, attach and statistics")
    }

    /// `untriggered`: the marks inserted straight into the school's partitions, which the
    /// parent's statement triggers did not see (`attendance_merge_new_marks`).
    private func merge(ranges terms: [(AttendanceTerm, Range<Int>)], rows: AttendanceRows, directory: StudentDirectory,
                       importID: Int, clock: inout PhaseClock) throws -> (inserted: Int, updated: Int, untriggered: Int) {
        // Temporary tables live in temp_buffers (8 MB by default); a bigger pool keeps a large
        // staging table in memory. It can only be set before the session's first temporary table.
        _ = try? context.connection.transaction { try $0.execute("SET LOCAL temp_buffers = '256MB'") }
        try context.connection.execute(
            """
            CREATE TEMP TABLE staged_attendance (line integer NOT NULL, student_id bigint NOT NULL, session_date date NOT NULL,
                session session_half NOT NULL, code attendance_code NOT NULL) ON COMMIT DROP
            """)
        try context.connection.copyIn("COPY staged_attendance (line, student_id, session_date, session, code) FROM STDIN (FORMAT binary)") { writer in
            var encoder = BinaryCopyEncoder()
            for (_, range) in terms {
                for index in range {
                    let mark = rows.decode(rows.keys[index])
                    encoder.beginRow(fieldCount: 5)
                    encoder.int32(Int32(rows.line(at: mark.ordinal)))
                    encoder.int64(directory.studentIDs[mark.studentRank])
                    encoder.date(daysSinceEpoch: AttendanceTerm(index: mark.term).firstDay + mark.dayInTerm)
                    encoder.text(mark.isAfternoon ? Self.pm : Self.am)
                    encoder.text(AttendanceCodeTable.labels[Int(rows.code(at: mark.ordinal))])
                    try encoder.flushIfFull(&writer)
                }
            }
            try encoder.finish(&writer)
        }
        try context.connection.execute("ANALYZE staged_attendance")
        clock.lap("merge: stage")
        // A later week's new marks, straight into the school's own partition and journalled by
        // range per pupil, leaving the staging table (the owner only: a web upload's role may
        // not write a partition, where row-level security does not apply). What is left is
        // compared, updated and inserted through the parent below.
        var untriggered = 0
        if context.mayCreateTables {
            for (term, _) in terms {
                let count: Int = try context.connection.query(
                    "SELECT attendance_merge_new_marks($1, $2, $3::term_name, $4) AS inserted",
                    [importID, term.academicYear.description, term.term.rawValue, context.providerID]).single().decode("inserted")
                untriggered += count
            }
            clock.lap("merge: new marks into the school's partitions")
        }
        // One join finds the new and the changed marks; an unchanged re-import stops here.
        try context.connection.execute(
            """
            CREATE TEMP TABLE attendance_changes (student_id bigint, session_date date, session session_half,
                code attendance_code, held_code attendance_code) ON COMMIT DROP
            """)
        // By the provider's own range of each term's key.
        try context.connection.query(
            """
            INSERT INTO attendance_changes
            SELECT s.student_id, s.session_date, s.session, s.code, m.code AS held_code
            FROM staged_attendance s
            LEFT JOIN attendance_marks m
              ON m.provider_id = $1 AND m.student_id = s.student_id AND m.session_date = s.session_date AND m.session = s.session
            WHERE m.code IS DISTINCT FROM s.code
            """, [context.providerID])
        // Through the parent table, so that its history trigger sees the replaced marks.
        let updated = try context.connection.query(
            """
            UPDATE attendance_marks m SET code = c.code
            FROM attendance_changes c
            WHERE c.held_code IS NOT NULL AND m.provider_id = $1
              AND m.student_id = c.student_id AND m.session_date = c.session_date AND m.session = c.session
            """, [context.providerID]).affectedRows
        let inserted = try context.connection.query(
            """
            INSERT INTO attendance_marks (provider_id, student_id, session_date, session, code)
            SELECT $1, student_id, session_date, session, code FROM attendance_changes WHERE held_code IS NULL
            """, [context.providerID]).affectedRows
        clock.lap("merge: the rest compared, updated and inserted mark by mark")
        return (inserted + untriggered, updated, untriggered)
    }

    private static let am = Array("AM".utf8)
    private static let pm = Array("PM".utf8)
}

/// The provider's students, for resolving the `student` column in Swift: every identifier
/// (UPN, ULN, HESA id, institution id) to a rank, ranks in student id order. The same rule as
/// `Students.lookUp`, kept in memory because an attendance file names a student on every row.
struct StudentDirectory {
    let studentIDs: [Int64]
    /// Normalised identifier to rank; -1 when two students share the identifier.
    let ranks: IdentifierTable

    init(providerID: Int, connection: PostgresConnection) throws {
        let rows = try connection.query(
            "SELECT student_id, upn, uln, hesa_id, institution_id FROM students WHERE provider_id = $1 ORDER BY student_id",
            [providerID]).rows
        var ids: [Int64] = []
        ids.reserveCapacity(rows.count)
        var ranks = IdentifierTable(capacity: rows.count * 2)
        for (rank, row) in rows.enumerated() {
            ids.append(Int64(try row.decode("student_id") as Int))
            for column in ["upn", "uln", "hesa_id", "institution_id"] {
                if let identifier = try row.decode(column) as String? {
                    ranks.insert(StudentIdentifier.normalised(identifier), rank: Int32(rank))
                }
            }
        }
        studentIDs = ids
        self.ranks = ranks
    }

    /// The rank for an identifier as written; -1 when it is unknown or shared. Identifiers
    /// already in their normalised form are found from the bytes; the rest (lower case, a
    /// no-break space) are normalised first.
    func rank(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
        if let rank = ranks.rank(of: bytes) { return Int(rank) }
        let normalised = StudentIdentifier.normalised(String(decoding: bytes, as: UTF8.self))
        return Array(normalised.utf8).withUnsafeBufferPointer { Int(ranks.rank(of: $0) ?? -1) }
    }

    /// The same, for an identifier read as text (the tabular imports' fields).
    func rank(of identifier: String) -> Int {
        var identifier = identifier
        return identifier.withUTF8 { rank(of: $0) }
    }

    /// What a normalised identifier names, as `Students.lookUp` answers.
    func lookUp(_ identifier: String) -> StudentLookup {
        let found = Array(identifier.utf8).withUnsafeBufferPointer { ranks.rank(of: $0) }
        switch found {
        case nil: return .unknown
        case -1: return .shared(studentCount: 2)
        case let rank?: return .student(id: Int(studentIDs[Int(rank)]))
        }
    }
}
