import Foundation
import GapTrackStore
import TestDatabase
import Testing

@Suite("Column mapping")
struct ColumnMappingTests {
    @Test func pairsParseAndComplainClearly() throws {
        let pair = try ColumnMapping.Pair(parsing: "  Legal Surname = legal_surname ")
        #expect(pair == ColumnMapping.Pair(theirs: "Legal Surname", ours: "legal_surname"))
        #expect(throws: ImportError.self) { try ColumnMapping.Pair(parsing: "Legal Surname") }
        #expect(throws: ImportError.self) { try ColumnMapping.Pair(parsing: "=upn") }
    }

    @Test func mappingErrorsNameTheProblem() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let file = try writeCSV("students.csv", studentLines(1))
            func failure(_ pairs: [ColumnMapping.Pair]) -> String {
                do {
                    _ = try Importer(connection: connection).load(.students, file, options: ImportOptions(mapping: ColumnMapping(pairs: pairs)))
                    return "imported"
                } catch {
                    return String(describing: error)
                }
            }
            #expect(failure([ColumnMapping.Pair(theirs: "Surname", ours: "legal_surname")]).contains("names the column 'Surname', which the file does not have"))
            #expect(failure([ColumnMapping.Pair(theirs: "upn", ours: "pupil_number")]).contains("names 'pupil_number', which is not a column of a students file"))
            #expect(failure([ColumnMapping.Pair(theirs: "forename", ours: "legal_surname"), ColumnMapping.Pair(theirs: "legal_surname", ours: "legal_surname")])
                        .contains("two mappings give gaptrack's 'legal_surname'"))
            // Mapping a column away leaves gaptrack's own column unmapped: reported as missing.
            let missing = try writeCSV("students.csv", ["upn,surname,forename"] + ["\(testUPN(0)),A,B"])
            do {
                _ = try Importer(connection: connection).load(.students, missing)
                Issue.record("should fail")
            } catch let error as ImportError {
                #expect(error.description.hasPrefix("students.csv is missing the columns 'legal_surname', 'date_of_birth' that a students file needs."))
                #expect(error.description.contains("--map 'Their Name=legal_surname'"))
            }
        }
    }
}
