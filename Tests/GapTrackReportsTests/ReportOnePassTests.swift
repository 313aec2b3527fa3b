import Foundation
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestDatabase
import TestSupport
import GapTrackStore
import Testing

/// The report SQL written for national cohorts keeps its meaning: the results of a report's terms
/// read in one pass (`report_load_results`) give the same aggregates as each term read alone, and
/// follow the cohort and comparison they were read for; the cohort listed by `report_load_cohort`
/// is the same students; the progress rate takes the earliest paired point
/// (docs/methodology.md §5.5).
@Suite struct ReportOnePassTests {
    static let autumn = try! AcademicTerm(parsing: "2024/25-autumn")
    /// The report's term and the five before it, as `data(...)` reads them.
    static let shownTerms = autumn.previousTerms(5).reversed() + [autumn]

    /// Attainment of every shown term for the year 11 cohort in autumn, in one transaction: after
    /// one report_load_results of all of them (`together`), or with each term read by
    /// report_attainment itself.
    static func attainment(_ connection: PostgresConnection, providerID: Int, together: Bool, comparison: String? = nil) throws -> [[SubjectAggregates]] {
        try connection.transaction { connection in
            try connection.query("SELECT report_load_cohort($1, '2024/25', 'autumn', 'year-11')", [providerID])
            if let comparison { try connection.query("SELECT * FROM report_use_comparison($1)", [comparison]) }
            let queries = TermlyReportRepository(connection: connection)
            if together { try queries.loadResults(providerID: providerID, terms: shownTerms) }
            return try shownTerms.map { try queries.attainment(providerID: providerID, resultsTerm: $0) }
        }
    }

    @Test func termsReadTogetherGiveTheSameAggregatesAsEachTermReadAlone() throws {
        let school = SyntheticSchool.generate(count: 300, seed: 11)
        try TestDatabase.withMigratedDatabase { connection in
            let providerID = try school.load(into: connection)
            let together = try Self.attainment(connection, providerID: providerID, together: true)
            let alone = try Self.attainment(connection, providerID: providerID, together: false)
            #expect(together == alone)
            // Only the Year 10 summer exam (2023/24) and the autumn mocks have results: the other
            // trend terms have none, and every subject of the two with results is there.
            #expect(together.map(\.count) == [0, 0, 0, 0, 1, 2])
            let earlier = try #require(together[4].first)
            #expect(earlier.assessment == "Year 10 summer exam" && earlier.ageGradient?.count == 300)
            #expect((earlier.disadvantaged?.count ?? 0) + (earlier.others?.count ?? 0) == 300)
        }
    }

    @Test func changingTheComparisonOrTheCohortAfterReadingResultsRanksThemAfresh() throws {
        let school = SyntheticSchool.generate(count: 200, seed: 12)
        try TestDatabase.withMigratedDatabase { connection in
            let providerID = try school.load(into: connection)
            // first_in_family: nobody at a school is, so every student is among the others.
            let fresh = try Self.attainment(connection, providerID: providerID, together: true, comparison: "first_in_family")
            let (before, after, otherCohort) = try connection.transaction { connection in
                try connection.query("SELECT report_load_cohort($1, '2024/25', 'autumn', 'year-11')", [providerID])
                let queries = TermlyReportRepository(connection: connection)
                try queries.loadResults(providerID: providerID, terms: Self.shownTerms)
                let before = try queries.attainment(providerID: providerID, resultsTerm: Self.autumn)
                try connection.query("SELECT * FROM report_use_comparison('first_in_family')")
                let after = try queries.attainment(providerID: providerID, resultsTerm: Self.autumn)
                // Another cohort in the same transaction (Year 10 has no students).
                try connection.query("SELECT report_load_cohort($1, '2024/25', 'autumn', 'year-10')", [providerID])
                return (before, after, try queries.attainment(providerID: providerID, resultsTerm: Self.autumn))
            }
            #expect(before.first { $0.subject == "maths" }?.disadvantaged?.count == school.students.filter(\.isDisadvantaged).count)
            #expect(after == fresh[5])
            let maths = try #require(after.first { $0.subject == "maths" })
            #expect(maths.disadvantaged == nil && maths.others?.count == 200)
            #expect(otherCohort.isEmpty)
        }
    }

    /// Subject → the progress the summer report shows for its summer exam.
    static func summerProgress(points: [(subject: String, name: String, term: String, students: ClosedRange<Int>, score: Int)]) throws -> [String: ProgressAggregates] {
        let school = SyntheticSchool.generate(count: 200, seed: 13, schoolDays: 0, supportShare: 0)
        return try TestDatabase.withMigratedDatabase { connection in
            let providerID = try school.load(into: connection)
            let base: Int = try connection.query("SELECT min(student_id) AS base FROM students WHERE provider_id = $1", [providerID]).single().decode("base")
            for point in points {
                let pointID: Int = try connection.query(
                    """
                    INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term)
                    VALUES ($1, $2, $3, 'gcse', '2024/25', $4::term_name) RETURNING assessment_point_id
                    """, [providerID, point.subject, point.name, point.term]
                ).single().decode("assessment_point_id")
                let date = ["autumn": "2024-11-20", "spring": "2025-03-12", "summer": "2025-06-16"][point.term]!
                try connection.copyIn("COPY assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on) FROM STDIN") { writer in
                    for number in point.students {
                        try writer.writeRow([String(pointID), "gcse", String(base + number - 1), String(point.score), String(point.score), date])
                    }
                }
            }
            let data = try TermlyReportQueries(connection: connection).data(provider: "synthetic-school", cohort: "year-11", term: "2024/25-summer")
            return Dictionary(uniqueKeysWithValues: data.subjects.compactMap { subject in subject.progress.map { (subject.subject, $0) } })
        }
    }

    @Test func progressPairsWithTheEarliestTermThatHasPairsThenTheMostPairedThenTheLowestID() throws {
        let progress = try Self.summerProgress(points: [
            // Two autumn points: B pairs more students than A, which was recorded first; spring pairs
            // even more, but autumn is earlier.
            ("science", "Science test A", "autumn", 1...50, 4),
            ("science", "Science test B", "autumn", 1...150, 4),
            ("science", "Science spring", "spring", 1...200, 5),
            ("science", "Science exam", "summer", 1...200, 6),
            // Two autumn points pairing as many students: the one recorded first.
            ("history", "History A", "autumn", 1...60, 3),
            ("history", "History B", "autumn", 61...120, 3),
            ("history", "History exam", "summer", 1...200, 7),
            // Nobody who sat the autumn test sits the exam: the spring test is the partner.
            ("physics", "Physics autumn", "autumn", 1...100, 2),
            ("physics", "Physics spring", "spring", 101...150, 2),
            ("physics", "Physics exam", "summer", 101...200, 5),
            // No earlier point of the subject.
            ("geography", "Geography exam", "summer", 1...200, 5),
        ])
        let science = try #require(progress["science"])
        #expect(science.earlierAssessment == "Science test B" && science.earlierTerm == .autumn && science.paired == 150)
        expectClose(science.meanChange, 2, tolerance: 1e-12, "science change")
        let history = try #require(progress["history"])
        #expect(history.earlierAssessment == "History A" && history.earlierTerm == .autumn && history.paired == 60)
        expectClose(history.meanChange, 4, tolerance: 1e-12, "history change")
        let physics = try #require(progress["physics"])
        #expect(physics.earlierAssessment == "Physics spring" && physics.earlierTerm == .spring && physics.paired == 50)
        expectClose(physics.meanChange, 3, tolerance: 1e-12, "physics change")
        expectClose(physics.monthsBetween, 96 / 30.4375, tolerance: 1e-12, "12 March to 16 June")
        #expect(progress["geography"] == nil)
    }

    @Test func theCohortIsTheProvidersStudentsEnrolledInTheTermWhateverTheCaseOfTheCode() throws {
        try TestDatabase.withMigratedDatabase { connection in
            func provider(_ code: String, urn: String) throws -> Int {
                try connection.query(
                    "INSERT INTO providers (code, name, kind, urn) VALUES ($1, $1, 'school', $2) RETURNING provider_id", [code, urn]
                ).single().decode("provider_id")
            }
            func student(_ providerID: Int, _ name: String, yearGroup: String, starts: String, leaves: String?) throws -> Int {
                let id: Int = try connection.query(
                    """
                    INSERT INTO students (provider_id, institution_id, legal_surname, forename, date_of_birth)
                    VALUES ($1, $2, 'Surname', $2, '2009-03-01') RETURNING student_id
                    """, [providerID, name]
                ).single().decode("student_id")
                try connection.query(
                    "INSERT INTO enrolments (student_id, academic_year, year_group, start_date, leave_date) VALUES ($1, '2024/25', $2, $3::date, $4::date)",
                    [id, yearGroup, starts, leaves])
                return id
            }
            let school = try provider("school-a", urn: "100001")
            let other = try provider("school-b", urn: "100002")
            let stays = try student(school, "stays", yearGroup: "11", starts: "2024-09-02", leaves: nil)
            let leavesAtChristmas = try student(school, "leaves", yearGroup: "11", starts: "2024-09-02", leaves: "2024-12-20")
            let joinsInFebruary = try student(school, "joins", yearGroup: "11", starts: "2025-02-03", leaves: nil)
            _ = try student(school, "year-10", yearGroup: "10", starts: "2024-09-02", leaves: nil)
            let reception = try student(school, "reception", yearGroup: "R", starts: "2024-09-02", leaves: nil)
            _ = try student(other, "elsewhere", yearGroup: "11", starts: "2024-09-02", leaves: nil)

            func cohort(_ term: String, _ code: String) throws -> Set<Int> {
                try connection.transaction { connection in
                    let count: Int = try connection.query(
                        "SELECT report_load_cohort($1, '2024/25', $2::term_name, $3) AS n", [school, term, code]
                    ).single().decode("n")
                    let ids = Set(try connection.query("SELECT student_id FROM report_cohort").rows.map { try $0.decode("student_id", as: Int.self) })
                    #expect(ids.count == count)
                    return ids
                }
            }
            #expect(try cohort("autumn", "year-11") == [stays, leavesAtChristmas])
            #expect(try cohort("spring", "YEAR-11") == [stays, joinsInFebruary])
            #expect(try cohort("summer", "Year-R") == [reception])
            #expect(try cohort("autumn", "course-x").isEmpty)
            // The cohorts offered for the term count the same students.
            let listed = try TermlyReportQueries(connection: connection).cohorts(providerID: school, term: try AcademicTerm(parsing: "2024/25-spring"))
            #expect(listed.first { $0.code == "year-11" }?.students == 2)
        }
    }
}
