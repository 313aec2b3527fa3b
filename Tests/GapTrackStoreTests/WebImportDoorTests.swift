import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The web pages' door to the import ledger (sql/functions/web_imports.sql, docs/security.md §6):
/// an import run in a data lead's scoped session writes its rows as gaptrack_service and its ledger
/// row through the door, which takes provider and person from the bound scope and refuses anyone else.
@Suite struct WebImportDoorTests {
    struct Person {
        let providerID: Int
        let accountID: Int
        let sessionID: Int
        let email: String
        var actor: String { "web:account:\(accountID) \(email)" }
    }

    /// A provider with one signed-in person of `role`.
    static func signedIn(_ connection: PostgresConnection, code: String, role: APIRole, email: String) throws -> Person {
        let provider = try Providers(connection: connection).find(code: try ProviderCode(parsing: code)) ?? addProvider(connection, code: code)
        let account = try UserAccounts(connection: connection).add(
            providerCode: try ProviderCode(parsing: code), email: email, displayName: "Someone", role: role,
            password: "a long enough passphrase", actor: "test", cost: 4)
        _ = try WebSessions(connection: connection).open(providerID: provider.id!, accountID: account.accountID, address: "10.0.0.1", lifetime: .seconds(600))
        let sessionID: Int = try connection.query(
            "SELECT max(session_id) AS id FROM web_sessions WHERE provider_id = $1 AND account_id = $2", [provider.id!, account.accountID]
        ).single().decode("id")
        return Person(providerID: provider.id!, accountID: account.accountID, sessionID: sessionID, email: email)
    }

    static func session(_ person: Person, role: APIRole) -> ScopedSession {
        ScopedSession(role: role, providerID: person.providerID, tokenID: 0, actor: person.actor)
    }

    static func upload(_ lines: [String], kind: ImportKind = .students, name: String = "pupils.csv") -> WebUploads.Upload {
        WebUploads.Upload(kind: kind, fileName: name, preset: nil, skipInvalid: false, content: Array((lines.joined(separator: "\n") + "\n").utf8))
    }

    static func importing(_ connection: PostgresConnection, _ person: Person, _ upload: WebUploads.Upload, dryRun: Bool = false,
                          role: APIRole = .dataLead) throws -> WebImport.Outcome {
        try session(person, role: role).run(on: connection) { connection in
            try WebImport(connection: connection, provider: try ProviderCode(parsing: "school-a")).run(upload, dryRun: dryRun, actor: person.actor)
        }
    }

    @Test func aDataLeadsImportWritesItsRowsAndOneLedgerRowNamingThePersonAndAgainChangesNothing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let lead = try Self.signedIn(connection, code: "school-a", role: .dataLead, email: "lead@a.example")
            let file = Self.upload(studentLines(3))
            // The dry run counts three new pupils and writes nothing, not even the ledger row.
            guard case .counted(let checked) = try Self.importing(connection, lead, file, dryRun: true) else { throw TestFailure("dry run refused") }
            #expect(checked.inserted == 3 && checked.dryRun)
            #expect(try count(connection, "students") == 0 && count(connection, "imports") == 0)

            guard case .counted(let first) = try Self.importing(connection, lead, file) else { throw TestFailure("import refused") }
            #expect(first.inserted == 3 && first.importID > 0 && first.previousImport == nil)
            let ledger = try connection.query(
                "SELECT provider_id, os_user, rows_read, rows_inserted, file_sha256 FROM imports WHERE import_id = $1", [first.importID]).single()
            #expect(try ledger.decode("provider_id", as: Int.self) == lead.providerID)
            #expect(try ledger.decode("os_user", as: String.self) == lead.actor)
            #expect(try ledger.decode("rows_read", as: Int.self) == 3 && ledger.decode("rows_inserted", as: Int.self) == 3)
            #expect(try ledger.decode("file_sha256", as: String.self) == file.sha256)
            // The rows went in as gaptrack_service, audited row by row under the person's name.
            let audited: Int = try connection.query(
                "SELECT count(*) AS n FROM audit_log WHERE table_name = 'students' AND action = 'insert' AND actor = $1", [lead.actor]
            ).single().decode("n")
            #expect(audited == 3)
            // The journal's own triggers saw the rows, so `gaptrack import undo` can reverse a web import.
            let journalled: Int = try connection.query(
                "SELECT count(*) AS n FROM import_changes WHERE import_id = $1 AND table_name = 'students'", [first.importID]).single().decode("n")
            #expect(journalled == 3)

            // The same file again: a ledger row of its own, nothing changed, and the earlier import named.
            guard case .counted(let again) = try Self.importing(connection, lead, file) else { throw TestFailure("second import refused") }
            #expect(again.inserted == 0 && again.updated == 0 && again.unchanged == 3)
            #expect(again.previousImport?.importID == first.importID)
            #expect(try count(connection, "students") == 3)
        }
    }

    /// The service role may not create tables, so a web upload of attendance never bulk-loads a
    /// new term into a partition of its own: its marks go into attendance_marks (the default
    /// partition holds a term that has none yet), row by row under audit and the journal, and a
    /// second file merges into them as `gaptrack import` would.
    @Test func aWebUploadOfAttendanceMergesIntoTheMarksAndCreatesNoTable() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let lead = try Self.signedIn(connection, code: "school-a", role: .dataLead, email: "lead@a.example")
            guard case .counted = try Self.importing(connection, lead, Self.upload(studentLines(3))) else { throw TestFailure("pupils refused") }
            func marks(_ pmCodeOfFirst: String) -> WebUploads.Upload {
                let lines = (0..<3).flatMap { serial in
                    ["\(testUPN(serial)),2024-10-01,AM,/", "\(testUPN(serial)),2024-10-01,PM,\(serial == 0 ? pmCodeOfFirst : "\\")"]
                }
                return Self.upload(["student,date,session,code"] + lines, kind: .attendance, name: "attendance.csv")
            }
            guard case .counted(let first) = try Self.importing(connection, lead, marks("\\")) else { throw TestFailure("attendance refused") }
            #expect(first.inserted == 6 && first.importID > 0)
            let partition: Bool = try connection.query(
                "SELECT to_regclass(attendance_partition_name('2024/25', 'autumn')) IS NULL AS none").single().decode("none")
            #expect(partition, "a web upload created the term's partition")
            #expect(try count(connection, "attendance_marks_default") == 6)
            let journalled: Int = try connection.query(
                "SELECT count(*) AS n FROM import_changes WHERE import_id = $1", [first.importID]).single().decode("n")
            #expect(journalled == 6)

            // A second file changes one mark: one update, the rest unchanged, the old code in the history.
            guard case .counted(let second) = try Self.importing(connection, lead, marks("N")) else { throw TestFailure("second file refused") }
            #expect(second.inserted == 0 && second.updated == 1)
            let code: String = try connection.query(
                "SELECT m.code::text AS code FROM attendance_marks m JOIN students s USING (student_id) WHERE s.upn = $1 AND m.session = 'PM'",
                [testUPN(0)]).single().decode("code")
            #expect(code == "N")
            #expect(try count(connection, "attendance_mark_history") == 1)
        }
    }

    @Test func theDoorRefusesAGovernorAndStaff() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let governor = try Self.signedIn(connection, code: "school-a", role: .governor, email: "governor@a.example")
            let staff = try Self.signedIn(connection, code: "school-a", role: .staff, email: "staff@a.example")
            for (person, role) in [(governor, APIRole.governor), (staff, .staff)] {
                #expect {
                    try Self.session(person, role: role).run(on: connection) { connection in
                        try connection.query("SELECT web_import_open('students', 'pupils.csv', $1, 10, false)", [String(repeating: "a", count: 64)])
                    }
                } throws: { ($0 as? PostgresError)?.sqlState == "42501" }
            }
            // The whole import, as staff, is refused at the ledger and leaves nothing behind.
            #expect {
                _ = try Self.importing(connection, staff, Self.upload(studentLines(2)), role: .staff)
            } throws: { ($0 as? PostgresError)?.sqlState == "42501" }
            #expect(try count(connection, "students") == 0 && count(connection, "imports") == 0)
        }
    }

    @Test func theDoorRefusesAProviderTheSignedInPersonDoesNotBelongTo() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let lead = try Self.signedIn(connection, code: "school-a", role: .dataLead, email: "lead@a.example")
            let other = try Self.signedIn(connection, code: "school-b", role: .dataLead, email: "lead@b.example")
            // A's data lead's scope with B's provider bound: the account is not one of B's.
            let forged = ScopedSession(role: .dataLead, providerID: other.providerID, tokenID: 0, actor: lead.actor)
            #expect {
                try forged.run(on: connection) { connection in
                    try connection.query("SELECT web_import_open('students', 'pupils.csv', $1, 10, false)", [String(repeating: "b", count: 64)])
                }
            } throws: { ($0 as? PostgresError)?.sqlState == "42501" }
            // A session that has ended no longer opens the door either.
            try connection.query("UPDATE web_sessions SET ended_at = now(), ended_reason = 'signed out' WHERE provider_id = $1", [lead.providerID])
            #expect {
                _ = try Self.importing(connection, lead, Self.upload(studentLines(2)))
            } throws: { ($0 as? PostgresError)?.sqlState == "42501" }
            #expect(try count(connection, "imports") == 0 && count(connection, "students") == 0)
        }
    }

    @Test func aFailedImportWritesNothingAndTheUploadStaysForAnotherTry() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let lead = try Self.signedIn(connection, code: "school-a", role: .dataLead, email: "lead@a.example")
            var lines = studentLines(3)
            lines[2] = lines[2].replacingOccurrences(of: testUPN(1), with: upnWithWrongCheckLetter(1))
            let bad = Self.upload(lines)
            let before = try databaseFingerprint(connection)
            let outcome = try Self.session(lead, role: .dataLead).run(on: connection) { connection -> WebImport.Outcome in
                try WebUploads(connection: connection, providerID: lead.providerID, sessionID: lead.sessionID).keep(bad)
                return try WebImport(connection: connection, provider: try ProviderCode(parsing: "school-a")).run(bad, dryRun: false, actor: lead.actor)
            }
            guard case .refused(.invalidRows(_, let shown, _, _, _)) = outcome else { throw TestFailure("not refused: \(outcome)") }
            // Line 3 (the header is line 1), the UPN column, the CLI's message.
            #expect(shown.map(\.line) == [3] && shown.first?.column == "upn")
            #expect(try databaseFingerprint(connection) == before)
            // The upload was kept in the same transaction, which committed: only the import was undone.
            let kept = try Self.session(lead, role: .dataLead).run(on: connection) { connection in
                try WebUploads(connection: connection, providerID: lead.providerID, sessionID: lead.sessionID).find(sha256: bad.sha256)
            }
            #expect(kept == bad)
        }
    }
}
