import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// A pupils file's FSM/SEN/EAL columns and a history file's spells are one account of one fact,
/// loaded in either order; only a true contradiction is an error, naming both sources
/// (MarkerReconciliation; docs/import-formats.md, "Snapshot columns and marker history").
@Suite("Snapshot columns and marker history reconcile")
struct MarkerReconciliationTests {
    static let pupils = 40

    /// 40 pupils on roll from 2 September 2024, their MIS snapshot columns as at that day: every
    /// pupil FSM, every other SEN K, every third EAL (no band given).
    static func pupilsFile() -> [String] {
        studentLines(pupils, extraHeader: ",fsm,sen_status,eal") { serial in
            ",Y,\(serial % 2 == 0 ? "K" : "N"),\(serial % 3 == 0 ? "Y" : "N")"
        }
    }

    /// The school's historic markers for the same pupils: FSM spells that began before the
    /// snapshot day (a quarter of them ending later in the year), SEN K since 2023, EAL band B
    /// since 2020. Every spell covers 2 September 2024, as the snapshot says.
    static func historyFile() -> [String] {
        var lines = ["student,marker,value,start_date,end_date"]
        for serial in 0..<pupils {
            lines.append("\(testUPN(serial)),fsm,,20\(19 + serial % 5)-0\(1 + serial % 9)-10,\(serial % 4 == 0 ? "2025-03-31" : "")")
            if serial % 2 == 0 { lines.append("\(testUPN(serial)),sen,K,2023-09-01,") }
            if serial % 3 == 0 { lines.append("\(testUPN(serial)),eal,B,2020-09-01,") }
        }
        return lines
    }

    static func spells(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT s.upn || ' ' || m.marker || coalesce(':' || m.value, '') || ' ' || m.starts_on || '..' || coalesce(m.ends_on::text, 'open') AS spell
            FROM student_markers m JOIN students s USING (student_id) ORDER BY 1
            """).rows.map { try $0.decode("spell") }
    }

    @Test func pupilsThenHistoryAndHistoryThenPupilsLeaveTheSameSpells() throws {
        let history = Self.historyFile()
        #expect(history.count - 1 == 40 + 20 + 14)
        var results: [[String]] = []
        for pupilsFirst in [true, false] {
            try TestDatabase.withMigratedDatabase { connection in
                try addProvider(connection)
                let importer = Importer(connection: connection)
                if pupilsFirst {
                    _ = try importer.load(.students, try writeCSV("pupils.csv", Self.pupilsFile()))
                    // Each snapshot tick is a spell from the snapshot day to the end of the year.
                    #expect(try count(connection, "student_markers") == 40 + 20 + 14)
                    let summary = try importer.load(.markers, try writeCSV("markers.csv", history))
                    #expect(summary.rejected == 0)
                    #expect(summary.inserted == history.count - 1)
                } else {
                    _ = try importer.load(.students, try writeCSV("pupils.csv", studentLines(Self.pupils)))
                    _ = try importer.load(.markers, try writeCSV("markers.csv", history))
                    let summary = try importer.load(.students, try writeCSV("pupils.csv", Self.pupilsFile()))
                    #expect(summary.rejected == 0)
                    #expect(summary.updated == 0, "the snapshot only confirms what the history holds")
                }
                let spells = try Self.spells(connection)
                // The history's own spells, nothing from the snapshot left over.
                #expect(spells.count == history.count - 1)
                #expect(spells.contains("\(testUPN(0)) fsm 2019-01-10..2025-03-31"))
                #expect(spells.contains("\(testUPN(1)) fsm 2020-02-10..open"))
                #expect(spells.contains("\(testUPN(3)) eal:B 2020-09-01..open"))
                #expect(try count(connection, "student_markers WHERE source = 'snapshot'") == 0)
                results.append(spells)
            }
        }
        #expect(results.count == 2 && results[0] == results[1])
    }

    @Test func trueContradictionsNameBothSourcesInEitherOrder() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            let snapshot = try importer.load(.students, try writeCSV("pupils.csv", studentLines(4, extraHeader: ",fsm,sen_status") { serial in
                serial == 2 ? ",N,E" : ",Y,N"
            }))
            let before = try databaseFingerprint(connection)
            let agreeing = ["\(testUPN(1)),fsm,,2024-10-01,",   // begins after the snapshot day: extends the snapshot's spell
                            "\(testUPN(3)),fsm,,2022-05-01,"]   // covers the snapshot day: replaces its spell
            let errors = try importer.rejected(.markers, try writeCSV("markers.csv", [
                "student,marker,value,start_date,end_date",
                "\(testUPN(0)),fsm,,2023-01-10,2024-08-20",   // ended before the snapshot said FSM, same year
                "\(testUPN(2)),sen,K,2023-09-01,",            // K on the day the snapshot said E
            ] + agreeing))
            #expect(try databaseFingerprint(connection) == before)
            #expect(errors.map(\.line) == [2, 3])
            let said = "import \(snapshot.importID) (pupils.csv) recorded"
            #expect(errors[0].message.contains("its fsm spell ends on 20/08/2024, but \(said) fsm on 02/09/2024 from a snapshot column"))
            #expect(errors[1].message.contains("its sen spell (K) covers 02/09/2024, but \(said) sen E on 02/09/2024"))
            #expect(errors.allSatisfy { $0.fileName == "markers.csv" })
            _ = try importer.load(.markers, try writeCSV("markers.csv", ["student,marker,value,start_date,end_date"] + agreeing))
            let spells = try Self.spells(connection)
            #expect(spells.filter { $0.hasPrefix(testUPN(1)) } == ["\(testUPN(1)) fsm 2024-09-02..2024-09-30", "\(testUPN(1)) fsm 2024-10-01..open"])
            #expect(spells.filter { $0.hasPrefix(testUPN(3)) } == ["\(testUPN(3)) fsm 2022-05-01..open"])
        }
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("pupils.csv", studentLines(2)))
            let history = try importer.load(.markers, try writeCSV("markers.csv", [
                "student,marker,value,start_date,end_date",
                "\(testUPN(0)),fsm,,2023-01-10,2024-08-20", "\(testUPN(1)),fsm,,2024-10-01,"]))
            let pupils = studentLines(2, extraHeader: ",fsm") { _ in ",Y" }
            let errors = try importer.rejected(.students, try writeCSV("pupils.csv", pupils))
            #expect(errors.map(\.line) == [2])
            #expect(errors[0].message.contains("says fsm on 02/09/2024, but import \(history.importID) (markers.csv) gave the fsm spell an end on 20/08/2024"))
            // The spell beginning later is extended back to the snapshot day, as in the other order.
            _ = try importer.load(.students, try writeCSV("pupils.csv", [pupils[0], pupils[2]]))
            #expect(try Self.spells(connection).filter { $0.hasPrefix(testUPN(1)) }
                    == ["\(testUPN(1)) fsm 2024-09-02..2024-09-30", "\(testUPN(1)) fsm 2024-10-01..open"])
        }
    }
}
