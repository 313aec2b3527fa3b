import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

@Suite("Importing assessments.csv and support.csv")
struct AssessmentsAndSupportImportTests {
    func prepare(_ connection: PostgresConnection) throws -> Importer {
        try addProvider(connection)
        let importer = Importer(connection: connection)
        _ = try importer.load(.students, try writeCSV("students.csv", studentLines(4)))
        return importer
    }

    @Test func resultsAreScoredOnTheirScaleAndReimportChangesNothing() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let header = "student,subject,assessment,scale,academic_year,term,date,result"
            let lines = [header,
                         "\(testUPN(0)),maths,Autumn mock,gcse,2024/25,autumn,2024-11-20,U",
                         "\(testUPN(1)),maths,Autumn mock,GCSE 9-1,2024/25,Autumn,2024-11-20,7",
                         "\(testUPN(0)),reading,KS2,ks2_scaled,2024/25,summer,2025-05-13,104",
                         "\(testUPN(1)),english,Essay,percentage,2024/25,spring,2025-02-03,67.35%",
                         "\(testUPN(2)),maths,Baseline,standardised,2024/25,autumn,2024-09-12,88"]
            let first = try importer.load(.assessments, try writeCSV("assessments.csv", lines))
            #expect((first.inserted, first.updated) == (5, 0))
            let scores: [String] = try connection.query(
                "SELECT p.subject || ' ' || p.scale || ' ' || r.score::text || ' ' || r.result_text AS s FROM assessment_results r JOIN assessment_points p USING (assessment_point_id) ORDER BY 1"
            ).rows.map { try $0.decode("s") }
            #expect(scores == ["english percentage 67.35 67.35%", "maths gcse 0 U", "maths gcse 7 7",
                               "maths standardised_score 88 88", "reading ks2_scaled_score 104 104"])
            #expect(try count(connection, "assessment_points") == 4)
            let held: [String] = try connection.query("SELECT name || ' ' || held_on AS p FROM assessment_points ORDER BY held_on").rows.map { try $0.decode("p") }
            #expect(held == ["Baseline 2024-09-12", "Autumn mock 2024-11-20", "Essay 2025-02-03", "KS2 2025-05-13"])
            let again = try importer.load(.assessments, try writeCSV("assessments.csv", lines))
            #expect((again.inserted, again.updated, again.unchanged) == (0, 0, 5))
            var remarked = lines
            remarked[2] = remarked[2].replacingOccurrences(of: ",7", with: ",8")
            let third = try importer.load(.assessments, try writeCSV("assessments.csv", remarked))
            #expect((third.inserted, third.updated, third.unchanged) == (0, 1, 4))
        }
    }

    @Test func scalesRangesAndDuplicatesAreChecked() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            _ = try importer.load(.assessments, try writeCSV("assessments.csv", [
                "student,subject,assessment,scale,academic_year,term,date,result",
                "\(testUPN(0)),maths,Mock,gcse,2024/25,spring,2025-01-20,5"]))
            let errors = try importer.rejected(.assessments, try writeCSV("assessments.csv", [
                "student,subject,assessment,scale,academic_year,term,date,result",
                "\(testUPN(0)),reading,KS2,ks2_scaled,2024/25,summer,2025-05-13,79",      // 2: out of range
                "\(testUPN(1)),maths,Mock 2,gcse,2024/25,summer,2025-05-13,6",
                "\(testUPN(1)),maths,Mock 2,percentage,2024/25,summer,2025-05-14,50",    // 4: second scale for one point
                "\(testUPN(2)),maths,Mock 2,gcse,2024/25,summer,2025-05-13,4",
                "\(testUPN(2)),maths,Mock 2,gcse,2024/25,summer,2025-05-13,5",           // 6: second result
                "\(testUPN(3)),maths,Mock,percentage,2024/25,spring,2025-01-20,50",      // 7: point held on another scale
                "\(testUPN(3)),history,Exam,letters,2024/25,spring,2025-01-20,B",        // 8: unknown scale
                "\(testUPN(3)),history,Exam,degree_class,2024/25,winter,2025-01-20,2:1", // 9: term
                "\(testUPN(3)),history,Essay,he_mark,2024/25,spring,2024-07-20,55",      // 10: date outside the year
                "\(testUPN(3)),maths,Test,standardised,2024/25,spring,2025-01-20,101.5", // 11: not whole
                "\(testUPN(3)),maths,Mock 3,gcse,2024/25,summer,2025-05-13,A*",          // 12: not a GCSE grade
            ]))
            func message(_ line: Int) -> String { errors.first { $0.line == line }?.description ?? "no error on line \(line)" }
            #expect(message(2) == "assessments.csv line 2, column 'result': '79' is outside the range of the KS2 scaled score scale; it should be a whole number from 80 to 120")
            #expect(message(12).contains("'A*' is not a GCSE grade"))
            #expect(message(4).contains("differs from line 3, which puts maths 'Mock 2' (2024/25 summer) on gcse"))
            #expect(message(6).contains("is a second result for '\(testUPN(2))' in maths 'Mock 2'"))
            #expect(message(7).contains("differs from the scale gcse this assessment already has"))
            #expect(message(8).contains("'letters' is not a scale"))
            #expect(message(9).contains("'winter' is not a term"))
            #expect(message(10).contains("is not in academic year 2024/25"))
            #expect(message(11).contains("has a fractional part"))
            #expect(Set(errors.map(\.line)) == [2, 4, 6, 7, 8, 9, 10, 11, 12])
        }
    }

    /// Repeated results are found by the server (grouping on assessment point and resolved
    /// student), with both line numbers, also when one pupil is named by UPN and by ULN.
    @Test func aRepeatedResultNamesBothLinesEvenUnderAnotherIdentifier() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.load(.students, try writeCSV("students.csv", studentLines(3, extraHeader: ",uln") { ",\(testULN($0))" }))
            let lines = ["student,subject,assessment,scale,academic_year,term,date,result",
                         "\(testUPN(0)),maths,Mock,gcse,2024/25,autumn,2024-11-20,5",
                         "\(testUPN(1)),maths,Mock,gcse,2024/25,autumn,2024-11-20,6",
                         "\(testUPN(0)),maths,Mock,gcse,2024/25,autumn,2024-11-21,4",    // 4: repeats line 2
                         "\(testULN(1)),maths,Mock,gcse,2024/25,autumn,2024-11-20,7",    // 5: line 3's pupil by ULN
                         "\(testUPN(0)),maths,Mock,gcse,2024/25,spring,2025-03-20,6",    // another term: fine
                         "\(testUPN(2)),maths,Mock,gcse,2024/25,autumn,2024-11-20,3"]
            let before = try databaseFingerprint(connection)
            let errors = try importer.rejected(.assessments, try writeCSV("assessments.csv", lines))
            #expect(errors.map(\.description) == [
                "assessments.csv line 4: is a second result for '\(testUPN(0))' in maths 'Mock' (2024/25 autumn); the first is on line 2",
                "assessments.csv line 5: is a second result for '\(testULN(1))' in maths 'Mock' (2024/25 autumn); the first is on line 3",
            ])
            #expect(try databaseFingerprint(connection) == before)

            // With --skip-invalid the first of each pair loads and the repeats are rejected.
            let summary = try importer.load(.assessments, try writeCSV("assessments.csv", lines), options: ImportOptions(skipInvalid: true))
            #expect((summary.inserted, summary.rejected) == (4, 2))
            let scores: [String] = try connection.query(
                "SELECT s.upn || ' ' || r.score::text AS r FROM assessment_results r JOIN students s USING (student_id) JOIN assessment_points p USING (assessment_point_id) WHERE p.term = 'autumn' ORDER BY 1"
            ).rows.map { try $0.decode("r") }
            #expect(scores == ["\(testUPN(0)) 5", "\(testUPN(1)) 6", "\(testUPN(2)) 3"].sorted())
        }
    }

    @Test func supportRecordsKeepPoundsExactAndUpsertOnTheirNaturalKeys() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let header = "reference,student,type,start_date,end_date,hours,sessions,amount,funding_source,staff,intended_outcome,status,review_date"
            let lines = [header,
                         "T-1,\(testUPN(0)),1:1 tuition,2024-09-09,2024-12-13,12.5,10,\"£1,234.56\",PP,Ms Khan,Reading age +12 months,,2024-11-01",
                         "T-2,\(testUPN(1)),mentoring,2024-09-09,,,6,,pupil_premium,,,planned,",
                         ",\(testUPN(2)),cost of living award,2024-10-01,2024-10-01,,,250,hardship fund,,,completed,",
                         ",\(testUPN(3)),laptop,2024-09-20,,,,£0.10,other,,,,"]
            let file = try writeCSV("support.csv", lines)
            let first = try importer.load(.support, file)
            #expect((first.inserted, first.updated) == (4, 0))
            let records: [String] = try connection.query(
                "SELECT coalesce(reference, '-') || ' ' || type || ' ' || coalesce(amount::text, '-') || ' ' || coalesce(funding_source, '-') || ' ' || status AS r FROM support_records ORDER BY starts_on, type"
            ).rows.map { try $0.decode("r") }
            #expect(records == ["T-2 mentoring - pupil_premium planned", "T-1 tutoring 1234.56 pupil_premium active",
                                "- device_or_data 0.10 other active", "- hardship_award 250.00 hardship_fund ended"])
            #expect(try connection.query("SELECT sum(amount)::text AS t FROM support_records").single().decode("t") == "1484.66")
            #expect(try importer.load(.support, file).unchanged == 4)
            var changed = lines
            changed[1] = changed[1].replacingOccurrences(of: "12.5", with: "14")
            changed[3] = changed[3].replacingOccurrences(of: ",250,", with: ",300,")
            let update = try importer.load(.support, try writeCSV("support.csv", changed))
            #expect((update.inserted, update.updated, update.unchanged) == (0, 2, 2))
            let errors = try importer.rejected(.support, try writeCSV("support.csv", [header,
                "T-3,\(testUPN(0)),tutoring,2024-09-09,,,,-5,,,,,",
                "T-4,\(testUPN(0)),juggling,2024-09-09,,,,,,,,,",
                "T-5,\(testUPN(0)),tutoring,2024-09-09,2024-09-01,,,,,,,,",
                "T-7,\(testUPN(1)),tutoring,2024-09-09,,,,,,,,,",
                "T-6,\(testUPN(0)),tutoring,2024-09-09,,1.234,,12.345,crowdfunding,,,paused,",
                "T-7,\(testUPN(2)),tutoring,2024-10-09,,,,,,,,,",
            ]))
            func message(_ line: Int) -> String { errors.first { $0.line == line }?.description ?? "no error on line \(line)" }
            #expect(message(2).contains("column 'amount': amount '-5' is negative"))
            #expect(message(3).contains("'juggling' is not an intervention type; expected one of: bursary,"))
            #expect(message(4).contains("is before the start date"))
            #expect(errors.filter { $0.line == 6 }.map(\.column) == ["hours", "amount", "funding_source", "status"])
            #expect(message(7).contains("reference 'T-7' is already used on line 5"))
        }
    }

    @Test("a support row that matches a restricted record updates it, in a first load and after, rather than adding an unrestricted twin")
    func restrictedRecordsAreMatchedNotTwinned() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let student: Int = try connection.query("SELECT student_id FROM students WHERE upn = $1", [testUPN(0)]).single().decode("student_id")
            let provider: Int = try connection.query("SELECT provider_id FROM students WHERE upn = $1", [testUPN(0)]).single().decode("provider_id")
            // Two restricted records, one with a reference, one keyed by student, type and start.
            try connection.query(
                """
                INSERT INTO support_records (provider_id, student_id, reference, type, starts_on, hours, restricted)
                VALUES ($1, $2, 'R-1', 'mentoring', DATE '2024-09-09', 1, true), ($1, $2, NULL, 'tutoring', DATE '2024-10-07', 1, true)
                """, [provider, student])
            let header = "reference,student,type,start_date,end_date,hours"
            let lines = [header,
                         "R-1,\(testUPN(0)),mentoring,2024-09-09,,5",
                         ",\(testUPN(0)),tutoring,2024-10-07,,6",
                         "N-1,\(testUPN(1)),mentoring,2024-09-09,,7"]
            let summary = try importer.load(.support, try writeCSV("support.csv", lines))
            #expect((summary.inserted, summary.updated) == (1, 2))
            let records: [String] = try connection.query(
                "SELECT coalesce(reference, '-') || ' ' || type || ' ' || hours::text || ' ' || restricted::text AS r FROM support_records ORDER BY reference NULLS FIRST"
            ).rows.map { try $0.decode("r") }
            #expect(records == ["- tutoring 6.00 true", "N-1 mentoring 7.00 false", "R-1 mentoring 5.00 true"])
            #expect(try importer.load(.support, try writeCSV("support.csv", lines)).unchanged == 3)
        }
    }

    @Test("a new support record's id is checked against the records held by index, not by reading them all: 2,000 records written in one statement do not read the table for each")
    func newRecordIdsAreCheckedByIndex() throws {
        try TestDatabase.withMigratedDatabase { connection in
            _ = try prepare(connection)
            try connection.transaction { transaction in
                // From an empty table, as a first import starts (docs/scaling.md, "Reads by id alone").
                try transaction.query(
                    """
                    INSERT INTO support_records (provider_id, student_id, type, starts_on)
                    SELECT s.provider_id, s.student_id, 'tutoring', DATE '2024-09-02' + g
                    FROM students s, generate_series(0, 499) g
                    """)
                let read = try transaction.query(
                    "SELECT seq_tup_read AS n, idx_scan AS probes FROM pg_stat_xact_user_tables WHERE relname = 'support_records'").single()
                #expect(try count(transaction, "support_records") == 2000)
                // Before sql/032, each id's check read every record written before it: about 2,000,000 rows here.
                let rowsRead: Int = try read.decode("n")
                let probes: Int = try read.decode("probes")
                #expect(rowsRead < 2000)
                #expect(probes >= 2000)
            }
        }
    }
}
