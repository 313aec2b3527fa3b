import Foundation
import GapTrackStore
import TestDatabase
import Testing

/// `--map-values` and a mapping file's `[values]` section (docs/import-formats.md, "Value maps").
@Suite("Value maps")
struct ValueMapTests {
    static let senDescriptions = "SEN Provisions:N - No Special Educational Need=N,K - SEN Support=K,E - Education, Health and Care Plan=E"

    @Test func parsingKeepsCommasInsideValuesAndComplainsClearly() throws {
        let map = try ValueMap(parsing: Self.senDescriptions)
        #expect(map.column == "SEN Provisions")
        #expect(map.values == ["n - no special educational need": "N", "k - sen support": "K", "e - education, health and care plan": "E"])
        #expect(try ValueMap(parsing: "FSM: T = Y , F=N ,Unknown=").values == ["t": "Y", "f": "N", "unknown": ""])
        for (bad, message) in [("FSM", "has no ':'"), (":T=Y", "names no column"), ("FSM:", "maps no values"),
                               ("FSM:T=Y,T=N", "maps 't' twice"), ("FSM:=Y", "nothing before '='")] {
            do {
                _ = try ValueMap(parsing: bad)
                Issue.record("'\(bad)' should be refused")
            } catch {
                #expect(error.description.contains(message), "\(bad): \(error)")
            }
        }
    }

    /// A SIMS export whose SEN column holds the descriptions, not the census codes: without the
    /// map every row with SEN is refused; with it they load, and a description the map does not
    /// list is still refused naming line, column and value.
    @Test func anExportsOwnCodesLoadThroughAValueMap() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let header = "UPN,Surname,Forename,Date of Birth,Year Group,Admission Date,SEN Provisions,FSM Eligible"
            let rows = [
                "\(testUPN(1)),A,B,2013-03-01,7,2024-09-02,N - No Special Educational Need,T",
                "\(testUPN(2)),C,D,2013-03-01,7,2024-09-02,K - SEN Support,F",
                "\(testUPN(3)),E,F,2013-03-01,7,2024-09-02,\"E - Education, Health and Care Plan\",Unknown",
            ]
            let importer = Importer(connection: connection)
            let file = try writeCSV("pupils.csv", [header] + rows)
            let mapping = ColumnMapping(presets: [.sims], valueMaps: [try ValueMap(parsing: Self.senDescriptions),
                                                                       try ValueMap(parsing: "fsm:unknown=")])
            let unmapped = try importer.rejected(.students, file, options: ImportOptions(mapping: ColumnMapping(presets: [.sims]), maxErrorsShown: 50, academicYear: MISExportTests.year2024))
            #expect(Set(unmapped.map(\.line)) == [2, 3, 4])
            let summary = try importer.load(.students, file, options: ImportOptions(mapping: mapping, academicYear: MISExportTests.year2024))
            #expect(summary.inserted == 3)
            let sen = try connection.query("SELECT s.upn, m.value FROM student_markers m JOIN students s USING (student_id) WHERE m.marker = 'sen' ORDER BY s.upn").rows
            #expect(Set(try sen.map { try $0.decode("upn") as String }) == [testUPN(2), testUPN(3)])
            // "Unknown" mapped to blank: not recorded, so no FSM marker for pupil 3; T is FSM for pupil 1.
            #expect(try connection.query("SELECT count(*) AS n FROM student_markers WHERE marker = 'fsm'").single().decode("n") == 1)

            let unlisted = try writeCSV("pupils.csv", [header, "\(testUPN(4)),G,H,2013-03-01,7,2024-09-02,S - Statement,F"])
            let errors = try importer.rejected(.students, unlisted, options: ImportOptions(mapping: mapping, maxErrorsShown: 50, academicYear: MISExportTests.year2024))
            #expect(errors.count == 1)
            #expect(errors.first?.description.hasPrefix("pupils.csv line 2, column 'SEN Provisions': ") == true)
            #expect(errors.first?.description.contains("S - Statement") == true)
        }
    }

    /// The mapping file's `[values]` section; a map naming a column the import does not read is an error.
    @Test func aMappingFileCarriesValueMaps() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let mappingFile = try writeCSV("mapping.txt", ["# columns", "Pupil=upn", "Sex=gender", "[values]", "# values", "Sex:1=M,2=F", "Pupil:xx=yy"])
            let read = try ColumnMapping.read(fromFile: mappingFile)
            #expect(read.pairs == [ColumnMapping.Pair(theirs: "Pupil", ours: "upn"), ColumnMapping.Pair(theirs: "Sex", ours: "gender")])
            #expect(read.valueMaps.map(\.column) == ["Sex", "Pupil"])
            let file = try writeCSV("students.csv", ["Pupil,legal_surname,forename,date_of_birth,Sex,year_group,start_date",
                                                     "\(testUPN(1)),A,B,2013-03-01,2,7,2024-09-02"])
            let summary = try Importer(connection: connection).load(.students, file, options: ImportOptions(mapping: ColumnMapping(pairs: read.pairs, valueMaps: read.valueMaps)))
            #expect(summary.inserted == 1)
            #expect(try connection.query("SELECT gender FROM students").single().decode("gender") == "F")
            do {
                _ = try Importer(connection: connection).load(.students, file, options: ImportOptions(
                    mapping: ColumnMapping(pairs: read.pairs, valueMaps: [try ValueMap(parsing: "Ward:1=2")])))
                Issue.record("a map for a column not read should be refused")
            } catch let error as ImportError {
                #expect(error.description.hasPrefix("the value map for 'Ward' names no column of the file that gaptrack reads"))
            }
        }
    }
}
