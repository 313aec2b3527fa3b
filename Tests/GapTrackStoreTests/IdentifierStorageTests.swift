import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// Identifiers are stored in the form every door looks them up by, and the repositories that
/// take a provider code refuse an unknown one with the codes there are.
@Suite struct IdentifierStorageTests {
    @Test func normalisingDropsUnicodeWhiteSpaceAndUpperCases() {
        #expect(StudentIdentifier("\u{00A0} a123b\u{2003}\t").value == "A123B")
        #expect(StudentIdentifier(" \u{00A0}").value == "")
        #expect(StudentIdentifier("k801200005001") == StudentIdentifier("K801200005001\u{00A0}"))
    }

    @Test func institutionIdsAreStoredUpperCaseAndFoundWhateverTheCase() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try addProvider(connection, code: "test-uni", kind: .university)
            let file = try writeCSV("students.csv", [
                "institution_id,legal_surname,forename,date_of_birth,gender,academic_year,course,start_date",
                "\u{00A0}ab-123 ,Surname,Forename,2005-03-01,F,2024/25,BSC-PSY,2024-09-23",
            ])
            _ = try Importer(connection: connection).load(.students, file, provider: "test-uni")
            let stored: String = try connection.query("SELECT institution_id FROM students").single().decode("institution_id")
            #expect(stored == "AB-123")
            let lookups = try Students(connection: connection).lookUp(
                [StudentIdentifier("ab-123"), StudentIdentifier("AB-123\u{00A0}"), StudentIdentifier("ab-124")], providerID: provider.id!)
            let id: Int = try connection.query("SELECT student_id FROM students").single().decode("student_id")
            #expect(lookups == [.student(id: id), .student(id: id), .unknown])
        }
    }

    @Test func aTokenForAnUnknownProviderNamesTheKnownOnes() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection, code: "test-school")
            #expect(throws: ProviderError.notFound(code: "nowhere", known: ["test-school"])) {
                try APITokens(connection: connection).create(
                    providerCode: ProviderCode(parsing: "Nowhere"), role: .admin, label: "MIS", actor: "test")
            }
            let created = try APITokens(connection: connection).create(
                providerCode: ProviderCode(parsing: " Test-School "), role: .staff, label: "MIS", actor: "test")
            #expect(created.record.providerCode == "test-school")
            #expect(created.token.hasPrefix("gtk_") && created.token.count == 47)
            let scope = try #require(try APITokens(connection: connection).authenticate(created.token))
            #expect(scope.providerCode == (try ProviderCode(parsing: "test-school")))
            #expect(scope.role == .staff)
        }
    }
}
