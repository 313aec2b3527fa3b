import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The data-protection lifecycle through the commands (docs/data-protection.md), on the small demo
/// with last year's leavers, against a real database: retention plan and apply, legal holds,
/// erasure, subject access and the research export.
@Suite("gaptrack retention, student and export research", .serialized)
struct DataProtectionCommandTests {
    static let demo = ["demo", "load", "--cohort-size", "12", "--year-groups", "11", "--attendance-days", "3"]

    static func withDemo(_ body: (PostgresConnection, [String]) throws -> Void) throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(Self.demo + database)
            try body(connection, database)
        }
    }

    /// Rows in every table of the schema (partitions counted through their parent), the
    /// data-protection ledgers included.
    static func tableCounts(_ connection: PostgresConnection) throws -> [String: Int] {
        let tables: [String] = try connection.query(
            """
            SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('public', 'data_protection') AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1
            """).rows.map { try $0.decode("t") }
        var counts: [String: Int] = [:]
        for table in tables { counts[table] = try connection.query("SELECT count(*) AS n FROM \(table)").single().decode("n") }
        return counts
    }

    /// The tables with a student_id column, and how many rows of each belong to the student.
    static func rowsOf(student: Int, _ connection: PostgresConnection) throws -> [String: Int] {
        let tables: [String] = try connection.query(
            """
            SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'student_id' AND NOT a.attisdropped
            WHERE n.nspname IN ('public', 'data_protection') AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1
            """).rows.map { try $0.decode("t") }
        var counts: [String: Int] = [:]
        for table in tables {
            counts[table] = try connection.query("SELECT count(*) AS n FROM \(table) WHERE student_id = $1", [student]).single().decode("n")
        }
        return counts
    }

    /// A student of the provider who left by 2025 (every enrolment has a leave date), with an identifier.
    static func leaver(_ provider: String, _ connection: PostgresConnection) throws -> (id: Int, identifier: String) {
        let row = try connection.query(
            """
            SELECT s.student_id, coalesce(s.upn, s.uln, s.hesa_id, s.institution_id) AS identifier
            FROM students s JOIN providers p ON p.provider_id = s.provider_id
            WHERE p.code = $1 AND retention_left_on(s.student_id) <= '2025-07-31'
            ORDER BY EXISTS (SELECT FROM assessment_results r WHERE r.student_id = s.student_id) DESC,
                     EXISTS (SELECT FROM support_records r WHERE r.student_id = s.student_id) DESC, s.student_id
            LIMIT 1
            """, [provider]).single()
        return (try row.decode("student_id"), try row.decode("identifier"))
    }

    static func providerID(_ code: String, _ connection: PostgresConnection) throws -> Int {
        try connection.query("SELECT provider_id FROM providers WHERE code = $1", [code]).single().decode("provider_id")
    }

    // MARK: - Retention

    @Test("retention plan lists exactly what apply deletes, table by table; a second apply deletes and records nothing")
    func planMatchesApply() throws {
        try Self.withDemo { connection, database in
            let school = try Self.providerID("demo-academy", connection)
            // 2060: last year's leavers are past date of birth + 25; every attendance mark is past six years.
            let asOf = ["--as-of", "2060-01-01"]
            let plan = try Retention(connection: connection).plan(providerID: school, asOf: .init(year: 2060, month: 1, day: 1)!)
            #expect(plan.contains { $0.kind == .studentRecord && $0.table == "students" && $0.rows > 0 })
            #expect(plan.contains { $0.kind == .attendance && $0.table == "attendance_marks" && $0.rows > 0 })
            let printedPlan = try GapTrackCommandLine.run(["retention", "plan", "--provider", "demo-academy"] + asOf + database)
            for line in plan {
                #expect(printedPlan.contains { $0.contains("\(line.kind.argument)  \(line.table): \(line.rows) rows of \(line.students) students") })
            }

            // A change by hand to a student who goes whole leaves an audit entry with their row in it.
            let goner: Int = try connection.query(
                "SELECT min(student_id) AS id FROM retention_due($1, '2060-01-01') WHERE table_name = 'students'", [school]
            ).single().decode("id")
            let surname: String = try connection.query(
                "UPDATE students SET forename = forename || ' Jr' WHERE student_id = $1 RETURNING legal_surname", [goner]
            ).single().decode("legal_surname")
            let before = try Self.tableCounts(connection)
            let auditBefore = before["public.audit_log"]!
            let printed = try GapTrackCommandLine.run(["retention", "apply", "--provider", "demo-academy", "--confirm"] + asOf + database)
            let copies: Int = try connection.query(
                "SELECT count(*) AS n FROM audit_log WHERE row_key ->> 'student_id' = $1 AND (after::text LIKE '%' || $2 || '%')",
                [String(goner), surname]).single().decode("n")
            #expect(copies == 0, "the audit entry that copied the deleted student's row is redacted")
            let runRedacted: Int = try connection.query("SELECT redacted_audit_entries FROM data_protection.retention_runs").single().decode("redacted_audit_entries")
            #expect(runRedacted == 1)
            #expect(printed.first == "Deleted at demo-academy as of 2060-01-01:")
            let after = try Self.tableCounts(connection)
            // Each table lost exactly the rows the plan listed for it, over every kind of record.
            var planned: [String: Int] = [:]
            for line in plan { planned["public." + line.table, default: 0] += line.rows }
            // The import journal (sql/008_import_undo.sql) loses the deleted students' entries too, beyond the plan's rows,
            // and so do the facts derived from their enrolments (sql/029_student_census_facts.sql).
            for (table, count) in before where !["public.audit_log", "data_protection.retention_runs", "public.data_changes",
                                                 "public.report_snapshots", "public.report_snapshot_horizon",
                                                 "public.import_changes", "public.student_census_facts"].contains(table) {
                #expect(after[table] == count - (planned[table] ?? 0), "\(table): \(count) before, \(after[table] ?? -1) after, \(planned[table] ?? 0) planned")
            }
            // One audit entry and one ledger row for the run, naming the rules and counts, not the rows;
            // and one entry recording the redaction of earlier entries about the pupils deleted whole.
            #expect(after["public.audit_log"] == auditBefore + 2)
            let redactions: Int = try connection.query(
                "SELECT count(*) AS n FROM audit_log WHERE table_name = 'audit_log' AND after ->> 'reason' LIKE 'retention-%'").single().decode("n")
            #expect(redactions == 1)
            #expect(after["data_protection.retention_runs"] == 1)
            let entry: String = try connection.query(
                "SELECT after::text AS a FROM audit_log WHERE table_name = 'retention_runs'").single().decode("a")
            #expect(entry.contains("date of birth + 25 years") && entry.contains("\"students\""))
            #expect(!entry.contains("legal_surname") && !entry.contains("date_of_birth"))

            // Again: nothing due, nothing deleted, nothing recorded.
            let again = try GapTrackCommandLine.run(["retention", "apply", "--provider", "demo-academy", "--confirm"] + asOf + database)
            #expect(again == ["Deleted at demo-academy as of 2060-01-01:", "  nothing was due"])
            let replanned = try GapTrackCommandLine.run(["retention", "plan", "--provider", "demo-academy"] + asOf + database)
            #expect(replanned == ["Due for deletion at demo-academy on 2060-01-01:", "  nothing"])
            #expect(try Self.tableCounts(connection).filter { $0.key != "public.data_changes" } == after.filter { $0.key != "public.data_changes" })
        }
    }

    @Test("a report snapshot resting on deleted rows is not served: the report after retention is the recomputed one")
    func retentionInvalidatesTheReportCache() throws {
        try Self.withDemo { connection, database in
            let report = ["report", "termly", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-autumn",
                          "--no-impact", "--format", "csv"] + database
            let before = try GapTrackCommandLine.run(report)
            let stored: Int = try connection.query("SELECT count(DISTINCT report_snapshot_report(cache_key)) AS n FROM report_snapshots").single().decode("n")
            #expect(stored == 1)
            // 2031: the autumn 2024 attendance marks are past six years; the pupils are still held.
            let marksBefore: Int = try connection.query("SELECT count(*) AS n FROM attendance_marks").single().decode("n")
            _ = try GapTrackCommandLine.run(["retention", "apply", "--provider", "demo-academy", "--as-of", "2031-01-01", "--confirm"] + database)
            let marksAfter: Int = try connection.query("SELECT count(*) AS n FROM attendance_marks").single().decode("n")
            #expect(marksAfter < marksBefore)
            #expect(try connection.query("SELECT count(*) AS n FROM report_snapshots").single().decode("n") as Int == 0)
            let after = try GapTrackCommandLine.run(report)
            let recomputed = try GapTrackCommandLine.run(report + ["--recompute"])
            #expect(after == recomputed)
            #expect(after != before, "the attendance section must change once the marks are gone")
        }
    }

    @Test("a rule shorter than the law allows is refused and changes nothing; a provider's own rule replaces the default")
    func policy() throws {
        try Self.withDemo { connection, database in
            let message = GapTrackCommandLine.failureMessage(
                ["retention", "policy", "--provider", "demo-academy", "--set", "attendance=entry+3"] + database)
            #expect(message?.contains("School Attendance (Pupil Registration) (England) Regulations 2024") == true)
            let bad = GapTrackCommandLine.failureMessage(["retention", "policy", "--provider", "demo-academy", "--set", "support=forever"] + database)
            #expect(bad?.contains("'forever' is not a retention rule") == true)
            let printed = try GapTrackCommandLine.run(
                ["retention", "policy", "--provider", "demo-university", "--set", "student-record=left+80"] + database)
            #expect(printed.contains("  student-record: left+80"))
            #expect(printed.contains("  support: left+6"))
            let rules = try Retention(connection: connection).policy(providerID: try Self.providerID("demo-university", connection))
            #expect(rules.first { $0.kind == .studentRecord }?.setByProvider == true)
            #expect(rules.first { $0.kind == .attendance }?.rule == .years(6, after: .left))
        }
    }

    // MARK: - Erasure

    @Test("erasure removes every row about the student and nothing else; the audit keeps only the erasure and the record of its redaction")
    func erasure() throws {
        try Self.withDemo { connection, database in
            let (id, identifier) = try Self.leaver("demo-university", connection)
            let person = try connection.query(
                "SELECT legal_surname, forename, date_of_birth::text AS dob, provider_id FROM students WHERE student_id = $1", [id]).single()
            let surname: String = try person.decode("legal_surname")
            // A change by hand, audited row by row, so that there is an earlier entry naming the student.
            try connection.query(
                "UPDATE students SET ethnicity = CASE WHEN ethnicity = 'WBRI' THEN 'WIRI' ELSE 'WBRI' END WHERE student_id = $1", [id])
            let naming: Int = try connection.query(
                "SELECT count(*) AS n FROM audit_log WHERE after ->> 'student_id' = $1 OR row_key ->> 'student_id' = $1", [String(id)]
            ).single().decode("n")
            #expect(naming >= 1)
            let own = try Self.rowsOf(student: id, connection)
            #expect(own["public.students"] == 1 && own["public.assessment_results"]! > 0)
            let before = try Self.tableCounts(connection)

            let printed = try GapTrackCommandLine.run(
                ["student", "erase", "--provider", "demo-university", "--student", identifier, "--reason", "request from the student"] + database)
            #expect(printed.first?.hasPrefix("Erased. Erasure reference: erasure-") == true)

            let after = try Self.tableCounts(connection)
            for (table, count) in before where !["public.data_changes", "public.report_snapshots"].contains(table) {
                let expected: Int
                switch table {
                // The erasure's own entry, and the entry recording the redaction of earlier ones.
                case "public.audit_log": expected = count + 2
                case "data_protection.erasures": expected = count + 1
                default: expected = count - (own[table] ?? 0)
                }
                #expect(after[table] == expected, "\(table): \(count) before, \(after[table] ?? -1) after")
            }
            #expect(try Self.rowsOf(student: id, connection).values.allSatisfy { $0 == 0 })
            // Nothing in the audit log names the student any more: not the identifier, the name, the
            // date of birth, nor (in a row's contents) the internal id.
            let auditText: String = try connection.query(
                "SELECT coalesce(string_agg(coalesce(before::text, '') || coalesce(after::text, ''), ' '), '') AS t FROM audit_log").single().decode("t")
            #expect(!auditText.contains(identifier))
            #expect(!auditText.contains(surname))
            #expect(!auditText.contains(try person.decode("dob") as String))
            #expect(!auditText.contains("\"student_id\": \(id),") && !auditText.contains("\"student_id\": \(id)}"))
            let erasure = try connection.query(
                "SELECT action::text AS action, after ->> 'reason' AS reason, after ->> 'token' AS token FROM audit_log WHERE table_name = 'erasures'").single()
            #expect(try erasure.decode("reason") as String == "request from the student")
            #expect(printed.first?.hasSuffix(try erasure.decode("token") as String) == true)
            let redacted: Int = try connection.query(
                "SELECT count(*) AS n FROM audit_log WHERE after = '{\"redacted\": true}'::jsonb OR before = '{\"redacted\": true}'::jsonb"
            ).single().decode("n")
            #expect(redacted == naming)
            let redactionReason: String = try connection.query(
                "SELECT after ->> 'reason' AS reason FROM audit_log WHERE table_name = 'audit_log'").single().decode("reason")
            #expect(redactionReason == (try erasure.decode("token") as String))
            // The redaction is the only change the audit log allows.
            #expect(throws: PostgresError.self) { try connection.query("UPDATE audit_log SET actor = 'someone else'") }
            #expect(throws: PostgresError.self) { try connection.query("DELETE FROM audit_log WHERE table_name = 'erasures'") }
        }
    }

    @Test("a legal hold, a student on roll and a school's statutory attendance period each refuse erasure, changing nothing")
    func erasureRefusals() throws {
        try Self.withDemo { connection, database in
            let (_, identifier) = try Self.leaver("demo-university", connection)
            _ = try GapTrackCommandLine.run(
                ["student", "hold", "--provider", "demo-university", "--student", identifier, "--reason", "claim notified 2025-03-01"] + database)
            let before = try Self.tableCounts(connection)
            let held = GapTrackCommandLine.failureMessage(
                ["student", "erase", "--provider", "demo-university", "--student", identifier, "--reason", "asked"] + database)
            #expect(held?.contains("a legal hold applies") == true && held?.contains("claim notified 2025-03-01") == true)
            #expect(try Self.tableCounts(connection) == before)
            // Retention passes a held student by, even when everything of theirs is due.
            let plan = try Retention(connection: connection).plan(
                providerID: try Self.providerID("demo-university", connection), asOf: .init(year: 2100, month: 1, day: 1)!)
            let heldID: Int = try connection.query("SELECT student_id FROM data_protection.legal_holds").single().decode("student_id")
            let due: Int = try connection.query(
                "SELECT count(*) AS n FROM retention_due($1, '2100-01-01') WHERE student_id = $2",
                [try Self.providerID("demo-university", connection), heldID]).single().decode("n")
            #expect(due == 0 && !plan.isEmpty)
            _ = try GapTrackCommandLine.run(["student", "hold", "--provider", "demo-university", "--student", identifier, "--clear"] + database)

            let beforeOnRoll = try Self.tableCounts(connection)
            let onRoll: String = try connection.query(
                """
                SELECT s.upn FROM students s JOIN providers p USING (provider_id)
                WHERE p.code = 'demo-academy' AND EXISTS (SELECT FROM enrolments e WHERE e.student_id = s.student_id AND e.leave_date IS NULL)
                ORDER BY s.student_id LIMIT 1
                """).single().decode("upn")
            let current = GapTrackCommandLine.failureMessage(
                ["student", "erase", "--provider", "demo-academy", "--student", onRoll, "--reason", "asked"] + database)
            #expect(current?.contains("still on roll") == true)
            #expect(current?.contains("attendance marks must be kept until 2030") == true)
            #expect(try Self.tableCounts(connection) == beforeOnRoll)
        }
    }

    @Test("importing again a file that held an erased student brings them back as a new student, and the ledger shows it")
    func reimportAfterErasure() throws {
        try Self.withDemo { connection, database in
            let (id, identifier) = try Self.leaver("demo-university", connection)
            let printed = try GapTrackCommandLine.run(
                ["student", "erase", "--provider", "demo-university", "--student", identifier, "--reason", "asked"] + database)
            #expect(printed.contains { $0.contains("importing any of those files again would bring the student back") })
            let importsBefore: Int = try connection.query("SELECT count(*) AS n FROM imports").single().decode("n")
            _ = try GapTrackCommandLine.run(Self.demo + database)
            let back = try connection.query(
                "SELECT student_id FROM students WHERE $1 IN (upn, uln, hesa_id, institution_id)", [identifier]).rows
            #expect(back.count == 1)
            #expect(try back[0].decode("student_id") as Int != id)
            // The files are recorded again, with the same checksums as before the erasure.
            let repeated: Int = try connection.query(
                """
                SELECT count(*) AS n FROM imports i
                WHERE i.import_id > $1 AND EXISTS (SELECT FROM imports j WHERE j.import_id <= $1 AND j.file_sha256 = i.file_sha256)
                """, [importsBefore]).single().decode("n")
            #expect(repeated > 0)
        }
    }

    // MARK: - Subject access

    @Test("the subject-access export holds every record about the student, as JSON and as a readable page, and is audited")
    func subjectAccess() throws {
        try Self.withDemo { connection, database in
            let (id, identifier) = try Self.leaver("demo-university", connection)
            let folder = DemoCommandTests.temporaryFolder()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("sar.json")
            let which = ["--provider", "demo-university", "--student", identifier]
            _ = try GapTrackCommandLine.run(["student", "export"] + which + ["--format", "json", "--output", file.path] + database)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            let own = try Self.rowsOf(student: id, connection)
            let attendance = try #require(document["attendance"] as? [String: Any])
            #expect((document["enrolments"] as? [Any])?.count == own["public.enrolments"])
            #expect((document["markers"] as? [Any])?.count == own["public.student_markers"])
            #expect((document["results"] as? [Any])?.count == own["public.assessment_results"])
            #expect((document["support"] as? [Any])?.count == own["public.support_records"])
            #expect((attendance["marks"] as? [Any])?.count == own["public.attendance_marks"])
            #expect((attendance["replaced_marks"] as? [Any])?.count == own["public.attendance_mark_history"])
            let student = try #require(document["student"] as? [String: Any])
            #expect([student["upn"], student["uln"], student["hesa_id"], student["institution_id"]].contains { ($0 as? String) == identifier })
            let spend: String = try connection.query(
                "SELECT coalesce(sum(amount), 0)::text AS s FROM support_records WHERE student_id = $1", [id]).single().decode("s")
            #expect(Decimal(string: "\(document["support_spend"]!)") == Decimal(string: spend))
            let imports: Int = try connection.query(
                """
                SELECT count(DISTINCT i) AS n FROM (SELECT import_id AS i FROM students WHERE student_id = $1
                    UNION SELECT import_id FROM enrolments WHERE student_id = $1 UNION SELECT import_id FROM student_markers WHERE student_id = $1
                    UNION SELECT import_id FROM assessment_results WHERE student_id = $1 UNION SELECT import_id FROM support_records WHERE student_id = $1) x
                WHERE i IS NOT NULL
                """, [id]).single().decode("n")
            #expect((document["imports"] as? [Any])?.count == imports && imports > 0)

            let page = folder.appendingPathComponent("sar.html")
            _ = try GapTrackCommandLine.run(["student", "export"] + which + ["--format", "html", "--output", page.path] + database)
            let html = try String(contentsOf: page, encoding: .utf8)
            #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains(identifier))
            for heading in ["Enrolments", "Markers (with dates and sources)", "Assessment results", "Support and interventions",
                            "Audit log entries about this student", "Import files the records came from"] {
                #expect(html.contains("<h2>\(heading)</h2>"))
            }
            #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"))
            // Both exports are in the audit log, with the format.
            let formats: [String] = try connection.query(
                "SELECT after ->> 'format' AS f FROM audit_log WHERE table_name = 'subject_access_exports' AND row_key ->> 'student_id' = $1 ORDER BY audit_id",
                [String(id)]).rows.map { try $0.decode("f") }
            #expect(formats == ["json", "html"])
        }
    }

    // MARK: - Research export

    @Test("the research export holds no identifier of any student, meets k, and its pseudonyms link files but not exports")
    func researchExport() throws {
        try Self.withDemo { connection, database in
            let first = DemoCommandTests.temporaryFolder()
            let second = DemoCommandTests.temporaryFolder()
            defer {
                try? FileManager.default.removeItem(at: first)
                try? FileManager.default.removeItem(at: second)
            }
            let k = 3
            let arguments = ["export", "research", "--provider", "demo-academy", "--cohort", "year-11", "--year", "2024/25", "--k", String(k)]
            _ = try GapTrackCommandLine.run(arguments + ["--output", first.path] + database)
            _ = try GapTrackCommandLine.run(arguments + ["--output", second.path] + database)
            let names = try FileManager.default.contentsOfDirectory(atPath: first.path).sorted()
            #expect(names == ["README.txt", "attendance.csv", "markers.csv", "results.csv", "students.csv", "support.csv"])

            // No identifier, name, or date of birth of any student of the provider, in any file.
            let identifying: [String] = try connection.query(
                """
                SELECT unnest(array_remove(ARRAY[upn, uln, hesa_id, institution_id, legal_surname, forename, date_of_birth::text,
                                                 to_char(date_of_birth, 'DD/MM/YYYY')], NULL)) AS v
                FROM students
                """).rows.map { try $0.decode("v") }
            #expect(identifying.count > 20)
            for name in names {
                let text = try String(contentsOf: first.appendingPathComponent(name), encoding: .utf8)
                for value in identifying where value.count >= 4 {
                    #expect(!text.contains(value), "\(name) contains '\(value)'")
                }
            }
            // k-anonymity: every released combination of quasi-identifiers is shared by at least k rows.
            func students(_ folder: URL) throws -> [[String]] {
                try String(contentsOf: folder.appendingPathComponent("students.csv"), encoding: .utf8)
                    .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            }
            let rows = try students(first)
            let cohort: Int = try connection.query(
                "SELECT count(*) AS n FROM research_cohort($1, '2024/25', 'year-11')", [try Self.providerID("demo-academy", connection)]
            ).single().decode("n")
            #expect(rows.count <= cohort && rows.count >= cohort - k)
            let classes = Dictionary(grouping: rows) { Array($0.dropFirst()) }
            #expect(classes.values.allSatisfy { $0.count >= k }, "classes: \(classes.mapValues(\.count))")
            // Pseudonyms: unique, the same in every file of one export, none shared with the other export.
            let pseudonyms = Set(rows.map { $0[0] })
            #expect(pseudonyms.count == rows.count)
            for file in ["markers.csv", "attendance.csv", "results.csv", "support.csv"] {
                let used = try String(contentsOf: first.appendingPathComponent(file), encoding: .utf8)
                    .split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }
                #expect(Set(used).isSubset(of: pseudonyms), "\(file) names a student students.csv does not")
            }
            #expect(pseudonyms.isDisjoint(with: Set(try students(second).map { $0[0] })))
            let readme = try String(contentsOf: first.appendingPathComponent("README.txt"), encoding: .utf8)
            #expect(readme.contains("HMAC-SHA-256") && readme.contains("k = \(k)"))

            // An existing folder with files in it is refused.
            let again = GapTrackCommandLine.failureMessage(arguments + ["--output", first.path] + database)
            #expect(again?.contains("is not empty") == true)
        }
    }
}
