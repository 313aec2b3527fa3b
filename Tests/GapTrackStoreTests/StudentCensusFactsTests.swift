import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The disadvantage facts kept per pupil and census day (`student_census_facts`, sql/029 and
/// sql/functions/student_census_facts.sql) are what the rules give from scratch after any sequence
/// of writes: imports, direct writes of markers and enrolments as the service and the web pages
/// make them, undos, erasure and retention (docs/scaling.md, "Derived data kept current").
@Suite("Disadvantage facts kept current on every write")
struct StudentCensusFactsTests {
    /// A small deterministic generator (SplitMix64), so that a failing sequence is the same on
    /// every run: the seed is in the failure's message.
    struct Steps {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    }

    /// Rows of the kept table that a computation from scratch does not give, and the other way
    /// round, with the number kept. From scratch: for every provider's census days of the years
    /// its pupils are enrolled, `student_disadvantage` (all the provider's students, the path the
    /// reports took before the facts were kept), matched to the pupils enrolled that year.
    static func differences(_ connection: PostgresConnection) throws -> (differing: Int, kept: Int) {
        let row = try connection.query(
            """
            WITH wanted AS (
                SELECT DISTINCT e.provider_id, e.student_id, c.census_date
                FROM enrolments e JOIN census_days c ON c.academic_year = e.academic_year
            ), days AS (
                SELECT DISTINCT provider_id, census_date FROM wanted
            ), fresh AS (
                SELECT d.provider_id, d.census_date, f.student_id, f::text AS facts
                FROM days d CROSS JOIN LATERAL student_disadvantage(d.provider_id, d.census_date) f
                JOIN wanted w ON w.provider_id = d.provider_id AND w.census_date = d.census_date AND w.student_id = f.student_id
            ), kept AS (
                SELECT provider_id, census_date, student_id, facts::text AS facts FROM student_census_facts
            )
            SELECT (SELECT count(*) FROM (SELECT * FROM kept EXCEPT ALL SELECT * FROM fresh) a)
                 + (SELECT count(*) FROM (SELECT * FROM fresh EXCEPT ALL SELECT * FROM kept) b) AS differing,
                   (SELECT count(*) FROM kept) AS kept
            """).single()
        return (try row.decode("differing"), try row.decode("kept"))
    }

    /// students.csv for some pupils (serials) in 2023/24 (year 6) and 2024/25 (year 7), each
    /// year present or not, with the MIS's FSM snapshot column.
    static func studentsFile(_ serials: [Int], _ steps: inout Steps) -> [String] {
        var lines = ["upn,legal_surname,forename,date_of_birth,gender,academic_year,year_group,start_date,fsm"]
        for serial in serials {
            let fsm = steps.chance(30) ? "Y" : "N"
            let person = "\(testUPN(serial)),Surname\(serial),Forename\(serial),2013-0\(1 + serial % 9)-15,\(serial % 2 == 0 ? "F" : "M")"
            if steps.chance(60) { lines.append("\(person),2023/24,6,2023-09-04,\(fsm)") }
            if lines.count == 1 || steps.chance(80) { lines.append("\(person),2024/25,7,2024-09-02,\(fsm)") }
        }
        return lines
    }

    /// markers.csv with a few dated spells: FSM, looked after, service child, EAL, SEN, each
    /// starting in some month of 2018 to 2025 and lasting 1 to 30 months, or open.
    static func markersFile(_ serials: [Int], _ steps: inout Steps) -> [String] {
        let kinds = [("fsm", ""), ("looked_after", ""), ("service_child", ""), ("sen", "K"), ("previously_looked_after", "")]
        var lines = ["student,marker,value,start_date,end_date"]
        for serial in serials {
            let (marker, value) = kinds[steps.below(kinds.count)]
            let start = 2018 * 12 + steps.below(8 * 12)
            let startText = String(format: "%04d-%02d-01", start / 12, start % 12 + 1)
            let end = start + 1 + steps.below(30)
            let endText = steps.chance(25) ? "" : String(format: "%04d-%02d-01", end / 12, end % 12 + 1)
            lines.append("\(testUPN(serial)),\(marker),\(value),\(startText),\(endText)")
        }
        return lines
    }

    /// What a step may meet without anything being wrong: a file refused (an overlapping spell),
    /// an undo refused (something later rests on it), an erasure refused, a write the
    /// constraints refuse (a spell moved onto another).
    static func isRefusal(_ error: any Error) -> Bool {
        switch error {
        case is ImportError, is ImportUndoError, is DataProtectionError: true
        case let error as PostgresError: error.sqlState?.hasPrefix("23") == true
        default: false
        }
    }

    /// The kept rows, as one checksum.
    static func keptChecksum(_ connection: PostgresConnection) throws -> String {
        try connection.query(
            "SELECT md5(string_agg(f::text, '|' ORDER BY provider_id, census_date, student_id)) AS h FROM student_census_facts f").single().decode("h")
    }

    @Test(arguments: [UInt64(17), 2024])
    func afterAnySequenceOfWritesTheKeptFactsAreTheRulesFromScratch(seed: UInt64) throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            try addProvider(connection, code: "other-school")
            let importer = Importer(connection: connection)
            var steps = Steps(state: seed)
            var imports = [Int]()
            var applied = [String: Int]()
            let pupils = 12
            func serials(_ most: Int) -> [Int] { (0..<(1 + steps.below(most))).map { _ in steps.below(pupils) } }
            for step in 0..<160 {
                var action = ""
                do {
                    switch steps.below(10) {
                    case 0, 1:
                        action = "students import"
                        let provider = steps.chance(20) ? "other-school" : "test-school"
                        let file = try writeCSV("students.csv", Self.studentsFile(Array(Set(serials(6))).sorted(), &steps))
                        imports.append(try importer.load(.students, file, provider: provider).importID)
                    case 2, 3, 4:
                        action = "markers import"
                        let file = try writeCSV("markers.csv", Self.markersFile(Array(Set(serials(3))).sorted(), &steps))
                        imports.append(try importer.load(.markers, file).importID)
                    case 5:
                        action = "undo"
                        guard let last = imports.popLast() else { continue }
                        _ = try ImportUndo(connection: connection).undo(
                            importID: last, provider: try ProviderCode(parsing: "test-school"), operatingSystemUser: "tester")
                    case 6:
                        // One marker's spell closed or moved, as a page or the API changes it.
                        action = "marker changed"
                        try connection.query(
                            """
                            UPDATE student_markers SET ends_on = starts_on + $2::int
                            WHERE marker_id = (SELECT marker_id FROM student_markers ORDER BY marker_id OFFSET $1 LIMIT 1)
                            """, [steps.below(8), 30 + steps.below(900)])
                    case 7:
                        action = "marker deleted"
                        try connection.query(
                            "DELETE FROM student_markers WHERE marker_id = (SELECT marker_id FROM student_markers ORDER BY marker_id OFFSET $1 LIMIT 1)",
                            [steps.below(8)])
                    case 8:
                        action = "enrolment left"
                        try connection.query(
                            """
                            UPDATE enrolments SET leave_date = start_date + 30, leave_reason = 'other'
                            WHERE enrolment_id = (SELECT enrolment_id FROM enrolments ORDER BY enrolment_id OFFSET $1 LIMIT 1)
                            """, [steps.below(10)])
                    default:
                        if steps.chance(50) {
                            action = "erasure"
                            let students: [Int] = try connection.query("SELECT student_id FROM students ORDER BY student_id").rows.map { try $0.decode("student_id") }
                            guard !students.isEmpty else { continue }
                            let student = students[steps.below(students.count)]
                            _ = try StudentRecords(connection: connection).erase(
                                studentID: student, identifier: "pupil \(student)", reason: "request from the family", asOf: .init(year: 2060, month: 1, day: 1)!,
                                actor: "tester")
                        } else {
                            action = "retention"
                            let provider: Int = try connection.query("SELECT provider_id FROM providers WHERE code = 'test-school'").single().decode("provider_id")
                            _ = try Retention(connection: connection).apply(providerID: provider, asOf: .init(year: 2060, month: 1, day: 1)!, actor: "tester")
                        }
                    }
                } catch let error where Self.isRefusal(error) {
                    // A refused file, undo, erasure or write changes nothing: compared all the same.
                    action = "refused (\(action))"
                }
                applied[action, default: 0] += 1
                let (differing, _) = try Self.differences(connection)
                #expect(differing == 0, "seed \(seed), step \(step) (\(action)): \(differing) kept rows differ from the rules")
                if differing != 0 { return }
            }
            // The sequence did write: pupils with facts, and every kind of step taken.
            let (differing, kept) = try Self.differences(connection)
            #expect(differing == 0)
            #expect(kept > 0, "seed \(seed): the sequence left no facts to compare")
            for action in ["students import", "markers import", "undo", "marker changed", "marker deleted", "enrolment left"] {
                #expect(applied[action, default: 0] > 0, "seed \(seed): no \(action) in \(applied)")
            }
            #expect(applied["erasure", default: 0] + applied["retention", default: 0] > 0, "seed \(seed): \(applied)")
            // Rebuilt from scratch through the same rules: the same rows.
            let before = try Self.keptChecksum(connection)
            try connection.query("SELECT student_census_facts_rebuild()")
            #expect(try Self.keptChecksum(connection) == before)
        }
    }

    /// A pupil's facts follow an FSM spell recorded after their census day's facts were kept: the
    /// summer census of 2024/25 sees them as FSM Ever 6 once a spell covering an earlier census
    /// day is imported (docs/methodology.md §1), and no longer once that import is undone.
    @Test func aLaterFSMSpellChangesTheKeptFactsAndItsUndoChangesThemBack() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(3)))
            func ever6() throws -> [Bool] {
                try connection.query(
                    """
                    SELECT (f.facts).fsm_ever6 AS e FROM student_census_facts f
                    JOIN census_days c ON c.census_date = f.census_date AND c.academic_year = '2024/25' AND c.collection = 'summer'
                    ORDER BY f.student_id
                    """).rows.map { try $0.decode("e") }
            }
            #expect(try ever6() == [false, false, false])
            // A spell of 2021/22 covers that year's census days, within six years of summer 2025.
            let spell = try importer.load(.markers, try writeCSV("markers.csv", ["student,marker,value,start_date,end_date", "\(testUPN(1)),fsm,,2021-09-01,2022-07-31"]))
            #expect(try ever6() == [false, true, false])
            _ = try ImportUndo(connection: connection).undo(importID: spell.importID, provider: try ProviderCode(parsing: "test-school"), operatingSystemUser: "tester")
            #expect(try ever6() == [false, false, false])
            #expect(try Self.differences(connection).differing == 0)
        }
    }

    /// The service roles read their own provider's facts and write none (sql/029).
    @Test func theServiceRolesMayReadTheirProvidersFactsButNotWriteThem() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            try addProvider(connection, code: "other-school")
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(2)))
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(3, first: 10)), provider: "other-school")
            let total = try count(connection, "student_census_facts")
            #expect(total == (2 + 3) * 3, "five pupils enrolled in 2024/25, three census days each")
            let own: Int = try connection.query("SELECT provider_id FROM providers WHERE code = 'test-school'").single().decode("provider_id")
            for role in ["gaptrack_service", "gaptrack_governor", "gaptrack_report"] {
                let seen: Int = try connection.transaction { connection in
                    try connection.query("SELECT set_config('gaptrack.provider_id', $1, true)", [String(own)])
                    try connection.execute("SET LOCAL ROLE \(role)")
                    return try connection.query("SELECT count(*) AS n FROM student_census_facts").single().decode("n")
                }
                #expect(seen == 2 * 3, "\(role) sees its provider's facts only")
            }
            let privilege: Bool = try connection.query(
                "SELECT has_table_privilege('gaptrack_service', 'student_census_facts', 'INSERT') OR has_table_privilege('gaptrack_service', 'student_census_facts', 'UPDATE') OR has_table_privilege('gaptrack_service', 'student_census_facts', 'DELETE') AS w"
            ).single().decode("w")
            #expect(!privilege)
        }
    }
}
