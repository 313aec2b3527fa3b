import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The constraints make bad states impossible whatever writes to the tables, not only the importer.
@Suite("Schema constraints")
struct SchemaTests {
    /// A student to hang rows on.
    func student(_ connection: PostgresConnection) throws -> Int {
        let provider = try addProvider(connection)
        return try connection.query(
            "INSERT INTO students (provider_id, upn, legal_surname, forename, date_of_birth) VALUES ($1, $2, 'Smith', 'Ann', '2013-01-01') RETURNING student_id",
            [provider.id!, testUPN(1)]).single().decode("student_id")
    }

    /// The SQLSTATE with which the server refuses a statement, or nil when it accepts it.
    /// (Statements are passed as values rather than closures: a test that built many similar
    /// closure literals inside expectations once ran the wrong one.)
    func refusal(_ connection: PostgresConnection, _ sql: String, _ parameters: [any PostgresEncodable] = []) -> String? {
        do {
            try connection.query(sql, parameters)
            return nil
        } catch {
            return error.sqlState ?? "client error: \(error)"
        }
    }

    @Test func attendanceCodeTableAgreesWithTheDomain() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let rows = try connection.query("SELECT code::text AS code, category::text AS category, withdrawn_from::text AS withdrawn FROM attendance_codes").rows
            var table: [String: (String, String?)] = [:]
            for row in rows { table[try row.decode("code")] = (try row.decode("category"), try row.decode("withdrawn")) }
            let enumLabels: [String] = try connection.query("SELECT unnest(enum_range(NULL::attendance_code))::text AS code").rows.map { try $0.decode("code") }
            #expect(Set(enumLabels) == Set(table.keys), "every enum value has a row in the code table")
            #expect(Set(enumLabels) == Set(AttendanceCode.allCases.map(\.rawValue)))
            for code in AttendanceCode.allCases {
                #expect(table[code.rawValue]?.0 == code.category.rawValue, "category of \(code.rawValue)")
                #expect(table[code.rawValue]?.1 == code.withdrawnFrom?.isoString, "withdrawal date of \(code.rawValue)")
            }
        }
    }

    @Test func withdrawnCodesAreRefusedFromTheirWithdrawalDate() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let id = try student(connection)
            try connection.query("INSERT INTO attendance_marks VALUES ($1, '2024-07-19', 'AM', 'H')", [id])
            #expect(refusal(connection, "INSERT INTO attendance_marks VALUES ($1, '2024-09-02', 'AM', 'H')", [id]) == ServerError.Code.checkViolation)
            #expect(refusal(connection, "INSERT INTO attendance_marks VALUES ($1, '2024-07-19', 'AM', 'N')", [id]) == ServerError.Code.uniqueViolation)
            #expect(refusal(connection, "INSERT INTO attendance_marks VALUES ($1, '2024-09-03', 'AM', 'Q9')", [id]) == ServerError.Code.invalidTextRepresentation)
        }
    }

    @Test func markerSpellsOfOneKindNeverOverlap() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let id = try student(connection)
            let insert = "INSERT INTO student_markers (student_id, marker, value, starts_on, ends_on, source) VALUES ($1, $2::marker_kind, $3, $4, $5, 'spell')"
            func refusal(_ marker: String, _ value: String?, _ start: String, _ end: String?) -> String? {
                self.refusal(connection, insert, [id, marker, value, start, end])
            }
            try connection.query(insert, [id, "fsm", String?.none, "2020-01-01", "2020-12-31"])
            let overlapping = refusal("fsm", nil, "2020-12-31", nil)
            #expect(overlapping == ServerError.Code.exclusionViolation)
            try connection.query(insert, [id, "fsm", String?.none, "2021-01-01", String?.none])
            // Eligible and funded pupil premium are separate facts and may overlap each other.
            try connection.query(insert, [id, "pupil_premium", "eligible", "2020-09-01", String?.none])
            try connection.query(insert, [id, "pupil_premium", "funded", "2020-09-01", String?.none])
            let fundedTwice = refusal("pupil_premium", "funded", "2021-04-01", nil)
            #expect(fundedTwice == ServerError.Code.exclusionViolation)
            // Values are checked per marker.
            let noSEN = refusal("sen", "N", "2020-01-01", nil)
            #expect(noSEN == ServerError.Code.checkViolation)
            let sixthQuintile = refusal("imd_quintile", "6", "2020-01-01", nil)
            #expect(sixthQuintile == ServerError.Code.checkViolation)
            let valueWhereNoneBelongs = refusal("looked_after", "yes", "2020-01-01", nil)
            #expect(valueWhereNoneBelongs == ServerError.Code.checkViolation)
            // A spell ending before it starts: the range itself cannot be built (22000) before the CHECK runs.
            let backwards = refusal("young_carer", nil, "2020-02-01", "2020-01-01")
            #expect(backwards == "22000" || backwards == ServerError.Code.checkViolation, "got \(backwards ?? "no error")")
            #expect(try count(connection, "student_markers") == 4)
        }
    }

    @Test func assessmentScoresMustFitTheirScale() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let id = try student(connection)
            let point: Int = try connection.query(
                "INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term, held_on) SELECT provider_id, 'maths', 'KS2', 'ks2_scaled_score', '2024/25', 'summer', '2025-05-12' FROM students WHERE student_id = $1 RETURNING assessment_point_id",
                [id]).single().decode("assessment_point_id")
            let insert = "INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on) VALUES ($1, $2::assessment_scale, $3, $4::numeric, $4, '2025-05-13')"
            #expect(refusal(connection, insert, [point, "ks2_scaled_score", id, "79"]) == ServerError.Code.checkViolation)
            #expect(refusal(connection, insert, [point, "ks2_scaled_score", id, "100.5"]) == ServerError.Code.checkViolation)
            // The result's scale must be its assessment point's scale.
            #expect(refusal(connection, insert, [point, "gcse", id, "7"]) == ServerError.Code.foreignKeyViolation)
            try connection.query(insert, [point, "ks2_scaled_score", id, "104"])
        }
    }

    @Test func moneyIsExactAndNeverNegative() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let id = try student(connection)
            let insert = "INSERT INTO support_records (student_id, provider_id, type, starts_on, amount) SELECT student_id, provider_id, 'bursary', '2024-09-01', $2::numeric FROM students WHERE student_id = $1"
            #expect(refusal(connection, insert, [id, "-1.00"]) == ServerError.Code.checkViolation)
            for _ in 0..<10 { try connection.query(insert.replacingOccurrences(of: "'2024-09-01'", with: "'2024-09-01'::date + (SELECT count(*)::int FROM support_records)"), [id, "0.10"]) }
            let total: String = try connection.query("SELECT sum(amount)::text AS total FROM support_records").single().decode("total")
            #expect(total == "1.00")
            // A type outside the catalogue is refused.
            #expect(refusal(connection, "INSERT INTO support_records (student_id, provider_id, type, starts_on) SELECT student_id, provider_id, 'magic', '2024-09-01' FROM students") == ServerError.Code.foreignKeyViolation)
        }
    }

    @Test func enrolmentDatesFallInTheirAcademicYear() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let id = try student(connection)
            let insert = "INSERT INTO enrolments (student_id, academic_year, year_group, start_date, leave_date) VALUES ($1, '2024/25', '7', $2::date, $3::date)"
            #expect(refusal(connection, insert, [id, "2024-07-31", String?.none]) == ServerError.Code.checkViolation)
            #expect(refusal(connection, insert, [id, "2024-09-02", "2024-09-01"]) == ServerError.Code.checkViolation)
            #expect(refusal(connection, "INSERT INTO enrolments (student_id, academic_year, start_date) VALUES ($1, '2024/25', '2024-09-02')", [id]) == ServerError.Code.checkViolation)
            try connection.query(insert, [id, "2024-09-02", "2025-07-18"])
            #expect(refusal(connection, insert, [id, "2024-10-01", String?.none]) == ServerError.Code.uniqueViolation)
        }
    }

    @Test func censusDaysMatchTheDomainRule() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let rows = try connection.query("SELECT academic_year, collection::text AS collection, census_date::text AS day FROM census_days").rows
            #expect(rows.count == 31 * 3)
            for row in rows {
                let year = try AcademicYear(parsing: try row.decode("academic_year"))
                let collection = SchoolCensus.Collection(rawValue: try row.decode("collection"))!
                #expect(try row.decode("day") == SchoolCensus.censusDay(collection, of: year).isoString)
            }
        }
    }

    @Test func smcAnswersAreGroupedAsTheDomainGroupsThem() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let rows = try connection.query("SELECT answer, smc_group::text AS grp, declared FROM smc_parental_occupations").rows
            #expect(rows.count == SMCParentalOccupation.allCases.count)
            for row in rows {
                let answer = SMCParentalOccupation(rawValue: try row.decode("answer"))
                #expect(answer != nil)
                #expect(try row.decode("grp") as String? == answer?.group?.rawValue)
                #expect(try row.decode("declared") == answer?.isDeclared)
            }
        }
    }

    @Test func theImportLedgerIsAppendOnly() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try addProvider(connection)
            try connection.query(
                "INSERT INTO imports (provider_id, kind, file_name, file_sha256, file_bytes, skip_invalid, os_user, started_at, finished_at) VALUES ($1, 'students', 'a.csv', repeat('a', 64), 1, false, 'me', now(), now())",
                [provider.id!])
            #expect(refusal(connection, "DELETE FROM imports") == "23001")
            // Counts must add up.
            #expect(refusal(connection, "UPDATE imports SET rows_read = 5") == ServerError.Code.checkViolation)
        }
    }
}
