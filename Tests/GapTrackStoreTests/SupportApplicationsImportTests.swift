import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// support-applications.csv (docs/import-formats.md): the guarantees of every import, and the award
/// link to a support record.
@Suite("Importing support-applications.csv")
struct SupportApplicationsImportTests {
    static let header = "student,fund,academic_year,applied_on,decision,household_income,income_threshold,award_reference"
    static let applications = [
        header,
        "2211234567890,bursary_fund,2022/23,2022-10-20,eligible,14500.00,25000.00,B-1",
        "2211234567891,hardship_fund,2022/23,2023-01-13,,31000.00,25000.00,",
        "2211234567892,Hardship,2023/24,2023-11-02,withdrawn,,,",
    ]

    /// The three students of `hesaExtract`, and a bursary for the first.
    static func prepare(_ connection: PostgresConnection) throws -> Importer {
        try addProvider(connection, code: "test-uni", kind: .university)
        let importer = Importer(connection: connection)
        _ = try importer.load(.studentRecords, try writeCSV("hesa-extract.csv", hesaExtract), provider: "test-uni",
                              options: StudentRecordsImportTests.options)
        _ = try importer.load(.support, try writeCSV("support.csv", [
            "reference,student,type,start_date,end_date,amount,funding_source",
            "B-1,2211234567890,bursary,2022-11-15,2023-03-14,1000,bursary_fund",
        ]), provider: "test-uni")
        return importer
    }

    @Test("loads with the award linked; the same file again changes nothing; a dry run writes nothing; undo takes it all back")
    func loadsIdempotentlyAndUndoes() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try Self.prepare(connection)
            let file = try writeCSV("support-applications.csv", Self.applications)
            let first = try importer.load(.supportApplications, file, provider: "test-uni")
            #expect((first.inserted, first.updated) == (3, 0))
            let rows: [String] = try connection.query(
                """
                SELECT a.funding_source || ' ' || a.academic_year || ' ' || coalesce(a.decision::text, '-') || ' '
                       || coalesce(a.household_income::text, '-') || ' ' || coalesce(r.reference, '-') AS r
                FROM support_applications a LEFT JOIN support_records r USING (provider_id, support_id) ORDER BY a.applied_on
                """).rows.map { try $0.decode("r") }
            #expect(rows == ["bursary_fund 2022/23 eligible 14500.00 B-1", "hardship_fund 2022/23 - 31000.00 -",
                             "hardship_fund 2023/24 withdrawn - -"])
            #expect(try importer.load(.supportApplications, file, provider: "test-uni").unchanged == 3)

            let before = try ImportUndoTests.dataFingerprint(connection)
            var changed = Self.applications
            changed[2] = changed[2].replacingOccurrences(of: "2023-01-13,,", with: "2023-01-13,ineligible,")
            let dry = try importer.load(.supportApplications, try writeCSV("support-applications-2.csv", changed), provider: "test-uni",
                                        options: ImportOptions(dryRun: true))
            #expect(dry.dryRun && (dry.inserted, dry.updated, dry.unchanged) == (0, 1, 2))
            #expect(try ImportUndoTests.dataFingerprint(connection) == before)

            let summary = try ImportUndo(connection: connection).undo(importID: first.importID, provider: try ProviderCode(parsing: "test-uni"),
                                                                      operatingSystemUser: "alice")
            #expect(summary.deleted["support_applications"] == 3)
            #expect(try count(connection, "support_applications") == 0)
        }
    }

    @Test("a file with bad rows is refused whole, each error naming its line and column")
    func badRowsRefused() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try Self.prepare(connection)
            let errors = try importer.rejected(.supportApplications, try writeCSV("support-applications.csv", [
                Self.header,
                "2211234567890,bursary_fund,2022/23,2022-10-20,maybe,,,",
                "2211234567891,hardship_fund,2022/23,2022-12-01,eligible,,,B-1",
                "2211234567891,hardship_fund,2022/23,2022-12-02,ineligible,,,B-9",
                "2211234567892,hardship_fund,2023/24,2021-01-01,,,,",
                "2211234567892,hardship_fund,2023/24,2023-11-02,,,0,",
                "2211234567890,bursary_fund,2022/23,2022-11-01,,,,",
                "2211234567890,bursary_fund,2022/23,2022-11-01,,,,",
            ]), provider: "test-uni")
            let found = errors.map { "\($0.line) \($0.column ?? "-")" }
            #expect(found == ["2 decision", "3 award_reference", "4 award_reference", "5 applied_on", "6 income_threshold", "8 -"], "\(errors)")
            #expect(errors.allSatisfy { $0.fileName == "support-applications.csv" })
            // B-1 is the first student's bursary, not the second's.
            #expect(errors[1].message.contains("'B-1' is not a support record of this student"))
            #expect(errors[2].message.contains("the decision is 'ineligible'"))
            #expect(try count(connection, "support_applications") == 0)
        }
    }
}
