import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// sql/020_text_limits.sql: the tables refuse what the importers and the service refuse
/// (docs/import-formats.md, "Text limits"), whoever writes to them.
@Suite("Text limits in the database")
struct TextLimitBackstopTests {
    /// Provider-owned text columns without a length bound, each with the reason.
    static let unbounded: [String: String] = [
        "api_tokens.created_by": "who issued the token, written by gaptrack itself, never from a file or a request",
        "api_tokens.revoked_by": "likewise who revoked it",
        "audit_log.actor": "the append-only audit log, written only by triggers; the schema guard refuses changes to it (sql/README.md)",
        "audit_log.actor_role": "likewise", "audit_log.table_name": "likewise: a table's own name",
        "imports.database_user": "the append-only import ledger, which the schema guard keeps as it is (sql/README.md)",
        "imports.os_user": "likewise", "imports.file_name": "likewise: the operating system's file name",
        "import_changes.table_name": "written by the import journal's trigger from a table's own name",
        "provider_group_members.added_by": "who acted, written by gaptrack itself",
        "web_accounts.created_by": "who acted, written by gaptrack itself", "web_accounts.disabled_by": "likewise",
        "web_sessions.address": "the client address the server saw, not input",
        "providers.name": "set by an administrator with 'gaptrack provider add', not by an import or the provider's API",
        "students.upn": "upn_is_valid: 13 characters with a valid check letter",
        "students.uln": "uln_is_valid: 10 digits with a valid check digit",
        "students.former_upns": "an array of UPNs the importers parse as UPNs; each is a former value of upn",
        "pupil_premium_statement_rows.text": "the pupil premium plan import sets no limit of its own yet (docs/methodology.md §9): a CHECK would turn a long statement into a database error",
        "pupil_premium_statement_rows.evidence": "likewise", "pupil_premium_statement_rows.external_provider": "likewise",
        "pupil_premium_statement_rows.success_criteria": "likewise",
    ]

    /// A check that bounds the length: char_length/length, a list of values, or an anchored
    /// pattern without an unbounded repeat.
    static func bounds(_ definition: String) -> Bool {
        if definition.contains("length(") || definition.contains("= ANY (ARRAY[") { return true }
        guard let start = definition.range(of: "~ '^"), let end = definition.range(of: "$'::text", range: start.upperBound..<definition.endIndex) else { return false }
        let pattern = definition[start.upperBound..<end.lowerBound]
        return !pattern.contains("*") && !pattern.contains("+") && !pattern.contains(",}")
    }

    @Test func everyProviderOwnedTextColumnIsBounded() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let columns = try connection.query(
                """
                SELECT c.relname || '.' || a.attname AS name,
                       coalesce((SELECT string_agg(pg_get_constraintdef(k.oid), ' ;; ') FROM pg_constraint k
                                 WHERE k.conrelid = c.oid AND k.contype = 'c' AND a.attnum = ANY (k.conkey)), '') AS checks,
                       EXISTS (SELECT FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f' AND a.attnum = ANY (k.conkey)) AS referenced
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity
                  AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'text[]'::regtype)
                ORDER BY 1
                """).rows
            #expect(columns.count > 50)
            var unboundedFound: [String] = []
            for column in columns {
                let name: String = try column.decode("name")
                let checks = (try column.decode("checks") as String).components(separatedBy: " ;; ")
                // A foreign key bounds a column by the one it refers to (academic years, catalogue codes).
                if try column.decode("referenced") as Bool || checks.contains(where: Self.bounds) { continue }
                unboundedFound.append(name)
            }
            #expect(unboundedFound.sorted() == Self.unbounded.keys.sorted(), "every unbounded column is allow-listed with a reason, and every allow-listed one is still unbounded")
        }
    }

    /// Raw SQL, past every importer: an over-long name, a control character in a staff name.
    @Test func rawSQLCannotStoreWhatTheImportersRefuse() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try addProvider(connection)
            func refusal(_ sql: String, _ parameters: [any PostgresEncodable]) -> String? {
                do {
                    try connection.query(sql, parameters)
                    return nil
                } catch let error as PostgresError {
                    return "\(error.sqlState ?? "") \(error)"
                } catch {
                    return "\(error)"
                }
            }
            let insertStudent = "INSERT INTO students (provider_id, upn, legal_surname, forename, date_of_birth) VALUES ($1, $2, $3, 'Ann', '2013-01-01')"
            let long = String(repeating: "é", count: 201)
            let tooLong = refusal(insertStudent, [provider.id!, testUPN(1), long])
            #expect(tooLong?.hasPrefix("23514") == true && tooLong?.contains("students_legal_surname_length") == true, "\(tooLong ?? "stored")")
            // 200 scalars fit, though 400 bytes: the limit counts characters as TextLimit does.
            #expect(refusal(insertStudent, [provider.id!, testUPN(2), String(long.dropLast())]) == nil)
            // An intended outcome may hold a line break; a staff name may not hold an escape.
            let insertSupport = """
                INSERT INTO support_records (provider_id, student_id, type, starts_on, staff, intended_outcome)
                SELECT $1, student_id, 'tutoring', '2024-09-02', $2, $3 FROM students WHERE upn = $4
                """
            let control = refusal(insertSupport, [provider.id!, "Ms \u{1B}Jones", "Read\nwell", testUPN(2)])
            #expect(control?.contains("support_records_staff_length") == true, "\(control ?? "stored")")
            #expect(refusal(insertSupport, [provider.id!, "Ms Jones", "Read\nwell", testUPN(2)]) == nil)
        }
    }

    /// The importer refuses the same over-long name first, naming line and column.
    @Test func theStudentsImportRefusesAnOverLongNameItself() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let lines = studentLines(2)
            let file = try writeCSV("students.csv", [lines[0], lines[1], lines[2].replacingOccurrences(of: "Surname1", with: String(repeating: "x", count: 201))])
            let errors = try Importer(connection: connection).rejected(.students, file)
            #expect(errors.map(\.description) == ["students.csv line 3, column 'legal_surname': is 201 characters long ('\(String(repeating: "x", count: 40))…'); at most 200 are accepted"])
        }
    }
}
