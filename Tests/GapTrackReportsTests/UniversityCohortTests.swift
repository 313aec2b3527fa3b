import GapStatistics
@testable import GapTrackReports
import Postgres
import TestDatabase
import TestSupport
import Testing

/// Courses and intakes at a university, the OfS groups and the Social Mobility Commission's
/// groups with their declaration rate.
@Suite struct UniversityCohortTests {
    @Test func intakesCoursesAndHigherEducationGroupsAreReported() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider: Int = try connection.query(
                "INSERT INTO providers (code, name, kind, ukprn) VALUES ('demo-university', 'Demo University', 'university', '10007788') RETURNING provider_id"
            ).single().decode("provider_id")
            // 60 students: 40 on BSC-PSY who started in 2024/25, 20 on BA-HIST who started in 2023/24.
            try connection.query(
                """
                INSERT INTO students (provider_id, institution_id, legal_surname, forename, date_of_birth)
                SELECT $1, 'U' || n, 'Surname', 'Forename', DATE '2005-01-01' + n FROM generate_series(1, 60) AS n
                """, [provider])
            try connection.query(
                """
                INSERT INTO enrolments (student_id, academic_year, course, start_date)
                SELECT s.student_id, '2024/25', CASE WHEN n <= 40 THEN 'BSC-PSY' ELSE 'BA-HIST' END, DATE '2024-09-23'
                FROM students s CROSS JOIN LATERAL (SELECT substr(s.institution_id, 2)::int AS n) x WHERE s.provider_id = $1;
                """, [provider])
            try connection.query(
                """
                INSERT INTO enrolments (student_id, academic_year, course, start_date)
                SELECT s.student_id, '2023/24', 'BA-HIST', DATE '2023-09-25'
                FROM students s WHERE s.provider_id = $1 AND substr(s.institution_id, 2)::int > 40
                """, [provider])
            // IMD quintile n % 5 + 1; SMC answers: 10 professional, 10 clerical (intermediate), 10 routine
            // (lower socio-economic), the rest prefer not to say.
            try connection.query(
                """
                INSERT INTO student_markers (student_id, marker, value, starts_on, source)
                SELECT s.student_id, 'imd_quintile'::marker_kind, (substr(s.institution_id, 2)::int % 5 + 1)::text, DATE '2020-01-01', 'spell'::marker_source
                FROM students s WHERE s.provider_id = $1
                UNION ALL
                SELECT s.student_id, 'smc_parental_occupation',
                       CASE WHEN substr(s.institution_id, 2)::int <= 10 THEN 'modern_professional'
                            WHEN substr(s.institution_id, 2)::int <= 20 THEN 'clerical_and_intermediate'
                            WHEN substr(s.institution_id, 2)::int <= 30 THEN 'routine_manual_and_service'
                            ELSE 'prefer_not_to_say' END,
                       DATE '2024-09-01', 'spell'
                FROM students s WHERE s.provider_id = $1
                """, [provider])

            let queries = TermlyReportQueries(connection: connection)
            let cohorts = try queries.cohorts(providerID: provider, term: try .init(parsing: "2024/25-autumn"))
            #expect(cohorts.map(\.code) == ["course-ba-hist", "course-bsc-psy", "intake-2023", "intake-2024"])
            #expect(cohorts.map(\.label) == ["Course BA-HIST", "Course BSC-PSY", "2023/24 intake", "2024/25 intake"])
            #expect(cohorts.map(\.students) == [20, 40, 20, 40])

            let data = try queries.data(provider: "demo-university", cohort: "intake-2024", term: "2024/25-autumn")
            #expect(data.cohortSize == 40)
            #expect(data.groupCounts[.imdQuintile(1)] == 8)
            #expect(data.groupCounts[.smc(.professional)] == 10)
            #expect(data.groupCounts[.smc(.intermediate)] == 10)
            #expect(data.groupCounts[.smc(.lowerSocioEconomic)] == 10)
            #expect(data.groupCounts[.smcDeclared] == 30)
            #expect(data.groupCounts[.smcNotDeclared] == 10)
            let report = try TermlyReportShaping().shape(TermlyGapReportBuilder().build(data), data: data, for: .governors)
            let declared = try #require(report.groupSize(.smcDeclared))
            expectClose(declared.percentOfCohort.value?.value, 100 * 30.0 / 40, "declaration rate")
            let professional = try #require(report.groupSize(.smc(.professional)))
            #expect(professional.percentBase == .smcDeclared)
            expectClose(professional.percentOfCohort.value?.value, 100 * 10.0 / 30, "share of declared")
            #expect(professional.percentText.hasSuffix("of declared"))
            // IMD quintiles of 8 students each are withheld.
            #expect(report.groupSize(.imdQuintile(1))?.students == .suppressed(.belowThreshold(threshold: 10)))
            // No national key-stage figure applies to a university intake.
            #expect(report.nationalComparison.isEmpty)
            // Nobody is DfE-disadvantaged at a university: LSEB students are compared by default.
            #expect(report.comparison == .lseb)
            #expect(report.method.contains { $0.topic == "Disadvantage in further and higher education" })
        }
    }
}
