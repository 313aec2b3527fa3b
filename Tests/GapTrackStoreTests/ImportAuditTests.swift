import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// One audit entry per import instead of a copy of every row (the import audit section of
/// sql/001_baseline.sql and sql/functions/audit_log.sql),
/// and the guarantee that a service role cannot use the same switch to hide its own writes.
@Suite("The audit entry of an import")
struct ImportAuditTests {
    static let header = "student,subject,assessment,scale,academic_year,term,date,result"

    /// The audit entries written for one import's ledger row, as (table, after) pairs.
    static func entries(_ connection: PostgresConnection, importID: Int) throws -> [(table: String, after: [String: Any])] {
        try connection.query(
            "SELECT table_name, after::text AS after FROM audit_log WHERE row_key = jsonb_build_object('import_id', $1::bigint) ORDER BY audit_id",
            [importID]
        ).rows.map { row in
            let text: String = try row.decode("after")
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
            return (try row.decode("table_name"), object)
        }
    }

    static func tableCount(_ after: [String: Any], _ table: String, _ action: String) -> Int? {
        ((after["tables"] as? [String: Any])?[table] as? [String: Any])?[action] as? Int
    }

    @Test func anImportWritesOneEntryNamingTheFileItsChecksumAndItsRowsPerTable() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(3)))
            let before = try count(connection, "audit_log")
            let lines = [Self.header,
                         "\(testUPN(0)),maths,Mock,gcse,2024/25,autumn,2024-11-20,5",
                         "\(testUPN(1)),maths,Mock,gcse,2024/25,autumn,2024-11-20,6",
                         "\(testUPN(2)),maths,Mock,gcse,2024/25,autumn,2024-11-20,7",
                         "\(testUPN(0)),english,Essay,percentage,2024/25,spring,2025-02-03,61"]
            let file = try writeCSV("assessments.csv", lines)
            let summary = try importer.load(.assessments, file, options: ImportOptions(operatingSystemUser: "alice"))

            // Exactly one new audit row, and it is the import's.
            #expect(try count(connection, "audit_log") == before + 1)
            let copied: Int = try connection.query(
                "SELECT count(*) AS n FROM audit_log WHERE table_name IN ('assessment_results', 'assessment_points')").single().decode("n")
            #expect(copied == 0)
            let entries = try Self.entries(connection, importID: summary.importID)
            #expect(entries.count == 1)
            let entry = try #require(entries.first)
            #expect(entry.table == "imports")
            #expect(entry.after["file_name"] as? String == "assessments.csv")
            #expect(entry.after["file_sha256"] as? String == summary.sha256)
            #expect(try entry.after["file_sha256"] as? String == SHA256.hexDigest(ofFileAt: file).hex)
            #expect(entry.after["os_user"] as? String == "alice")
            #expect(entry.after["import_id"] as? Int == summary.importID)
            #expect(entry.after["rows_inserted"] as? Int == 4)
            #expect(Self.tableCount(entry.after, "assessment_results", "inserted") == 4)
            #expect(Self.tableCount(entry.after, "assessment_points", "inserted") == 2)
            #expect((entry.after["tables"] as? [String: Any])?["imports"] == nil)
            let actor: String = try connection.query("SELECT actor FROM audit_log ORDER BY audit_id DESC LIMIT 1").single().decode("actor")
            #expect(actor == "cli:alice")

            // A re-import that changes one result and adds one to a point that has results: one
            // more entry, counting one update and one insert.
            var remarked = lines
            remarked[2] = remarked[2].replacingOccurrences(of: ",6", with: ",8")
            remarked.append("\(testUPN(2)),english,Essay,percentage,2024/25,spring,2025-02-03,70")
            let again = try importer.load(.assessments, try writeCSV("assessments.csv", remarked))
            #expect((again.inserted, again.updated, again.unchanged) == (1, 1, 3))
            let second = try #require(try Self.entries(connection, importID: again.importID).first)
            #expect(Self.tableCount(second.after, "assessment_results", "updated") == 1)
            #expect(Self.tableCount(second.after, "assessment_results", "inserted") == 1)
            #expect(try count(connection, "assessment_results") == 5)
            #expect(try count(connection, "audit_log") == before + 2)
        }
    }

    @Test func bulkLoadedAttendanceIsCountedInTheEntry() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(2)))
            let summary = try importer.load(.attendance, try writeCSV("attendance.csv", [
                "student,date,session,code",
                "\(testUPN(0)),2024-09-04,AM,/", "\(testUPN(0)),2024-09-04,PM,\\", "\(testUPN(1)),2024-09-04,AM,N"]))
            #expect(summary.inserted == 3)
            let entry = try #require(try Self.entries(connection, importID: summary.importID).first)
            #expect(Self.tableCount(entry.after, "attendance_marks", "inserted") == 3)
            let copied: Int = try connection.query("SELECT count(*) AS n FROM audit_log WHERE table_name = 'attendance_marks'").single().decode("n")
            #expect(copied == 0)
        }
    }

    /// The switch is a row only the owner may write, and it counts only for statements of the
    /// role that opened it: a service session can neither open one nor shelter under one.
    @Test func aServiceRoleSessionCannotSuppressItsAudit() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try addProvider(connection)
            _ = try Importer(connection: connection).load(.students, try writeCSV("students.csv", studentLines(1)))
            let student: Int = try connection.query("SELECT student_id FROM students").single().decode("student_id")
            func supportAudits() throws -> Int {
                try connection.query("SELECT count(*) AS n FROM audit_log WHERE table_name = 'support_records'").single().decode("n")
            }
            func actAsService() throws {
                try connection.query(
                    "SELECT set_config('role', 'gaptrack_service', true), set_config('gaptrack.provider_id', $1, true), set_config('gaptrack.role', 'data_lead', true)",
                    [String(provider.id!)])
            }
            let insert = "INSERT INTO support_records (student_id, provider_id, type, starts_on) VALUES ($1, $2, 'mentoring', '2024-10-01')"

            // A service session: opening a scope is refused, writing one is not allowed, and
            // a transaction-local setting changes nothing.
            try connection.execute("BEGIN")
            try actAsService()
            let serviceOpened: Bool = try connection.query("SELECT gaptrack_import_audit_open() AS opened").single().decode("opened")
            #expect(serviceOpened == false)
            #expect(try Self.failure(connection, "INSERT INTO import_audit_scopes DEFAULT VALUES") == "42501")
            #expect(try Self.failure(connection, "SELECT gaptrack_import_audit_close(1)") == "42501")
            try connection.query("SELECT set_config('gaptrack.import_id', '1', true), set_config('gaptrack.audit', 'off', true)")
            try connection.query(insert, [student, provider.id!])
            try connection.execute("COMMIT")
            #expect(try supportAudits() == 1)

            // The owner opens a scope and then becomes the service role: still audited per row.
            try connection.execute("BEGIN")
            let ownerOpened: Bool = try connection.query("SELECT gaptrack_import_audit_open() AS opened").single().decode("opened")
            #expect(ownerOpened == true)
            try actAsService()
            try connection.query(insert.replacingOccurrences(of: "mentoring", with: "tutoring"), [student, provider.id!])
            try connection.execute("RESET ROLE")
            #expect(try supportAudits() == 2)
            // The owner's own statements in the same scope are counted instead.
            try connection.query(insert.replacingOccurrences(of: "mentoring", with: "enrichment"), [student, provider.id!])
            #expect(try supportAudits() == 2)
            let counted: String = try connection.query("SELECT changes::text AS c FROM import_audit_scopes").single().decode("c")
            #expect(counted == #"{"support_records": {"inserted": 1}}"#)
            try connection.execute("ROLLBACK")
        }
    }

    /// The SQLSTATE of what `statement` throws inside a savepoint, or nil if it succeeds.
    static func failure(_ connection: PostgresConnection, _ sql: String) throws -> String? {
        try connection.execute("SAVEPOINT attempt")
        do {
            try connection.query(sql)
            try connection.execute("RELEASE SAVEPOINT attempt")
            return nil
        } catch {
            try connection.execute("ROLLBACK TO SAVEPOINT attempt")
            return error.sqlState ?? "client"
        }
    }
}
