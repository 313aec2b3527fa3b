import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestDatabase
import TestSupport
import GapTrackStore
import Testing

/// The report SQL against the Swift reference on the same students, loaded
/// into a real PostgreSQL database through COPY.
@Suite struct TermlyReportQueriesTests {
    @Test func sqlAggregatesAndReportFiguresMatchTheSwiftReference() throws {
        let school = SyntheticSchool.generate(count: 400, seed: 42)
        try TestDatabase.withMigratedDatabase { connection in
            try school.load(into: connection)
            let queries = TermlyReportQueries(connection: connection)
            let data = try queries.data(provider: "synthetic-school", cohort: "year-11", term: "2024/25-autumn")
            let students = school.students
            let d = students.filter(\.isDisadvantaged)
            let o = students.filter { !$0.isDisadvantaged }

            // Group sizes, counted from the markers as constructed.
            #expect(data.cohortSize == 400)
            #expect(data.groupCounts[.disadvantaged] == d.count)
            #expect(data.groupCounts[.others] == o.count)
            #expect(data.groupCounts[.fsm] == students.filter(\.fsmNow).count)
            #expect(data.groupCounts[.fsmEver6] == students.filter { $0.fsmNow || $0.fsmEarlier }.count)
            #expect(data.groupCounts[.lookedAfter] == students.filter { $0.lookedAfter || $0.previouslyLookedAfter }.count)
            #expect(data.groupCounts[.eal] == students.filter(\.eal).count)
            #expect(data.groupCounts[.senEHCPlan] == students.filter { $0.sen == "E" }.count)
            #expect(data.groupCounts[.senSupport] == students.filter { $0.sen == "K" }.count)
            #expect(data.groupCounts[.sen] == students.filter { $0.sen != nil }.count)
            #expect(data.groupCounts[.youngCarer] == students.filter(\.youngCarer).count)
            #expect(data.groupCounts[.smcNotDeclared] == 400 && data.groupCounts[.smcDeclared] == nil)

            // The rank aggregates, against a naive pairwise computation.
            let dMaths = d.map { $0.scores["maths"]! }
            let oMaths = o.map { $0.scores["maths"]! }
            let maths = try #require(data.subjects.first { $0.subject == "maths" })
            let reference = ReferenceAggregates.scores(disadvantaged: dMaths, others: oMaths)
            for (sql, naive) in [(maths.disadvantaged, reference.disadvantaged), (maths.others, reference.others)] {
                let sql = try #require(sql)
                #expect(sql.count == naive.count)
                expectClose(sql.mean, naive.mean, "mean")
                expectClose(sql.variance, naive.variance, tolerance: 1e-8, "variance")
                expectClose(sql.meanPercentileRank, naive.meanPercentileRank, "mean percentile rank")
                expectClose(sql.placementVariance, naive.placementVariance, tolerance: 1e-10, "placement variance")
            }
            let ages = (d + o).map { Double(SyntheticSchool.completedMonths(from: $0.dateOfBirth, to: SyntheticSchool.assessedOn)) }
            let gradient = ReferenceAggregates.ageGradient(ages: ages, scores: dMaths + oMaths)
            let sqlGradient = try #require(maths.ageGradient)
            #expect(sqlGradient.count == 400)
            expectClose(sqlGradient.slope, gradient.slope, tolerance: 1e-12, "slope")
            expectClose(sqlGradient.sumSquaresAge, gradient.sumSquaresAge, tolerance: 1e-6, "Sxx")
            expectClose(sqlGradient.residualSumSquares, gradient.residualSumSquares, tolerance: 1e-9, "RSS")

            // The report's figures, against GapStatistics on the scores themselves.
            let report = TermlyGapReportBuilder().build(data)
            let row = try #require(report.attainment(subject: "maths", assessment: "Autumn mock"))
            let index = try GapIndex(disadvantaged: dMaths, others: oMaths)
            let shown = try #require(row.gapIndex.value)
            expectClose(shown.value, index.value, tolerance: 1e-10, "gap index")
            expectClose(shown.lower, index.confidenceInterval?.lower, tolerance: 1e-9, "gap index lower")
            expectClose(shown.upper, index.confidenceInterval?.upper, tolerance: 1e-9, "gap index upper")
            let welch = try MeanScoreGap(disadvantaged: dMaths, others: oMaths)
            expectClose(row.meanScoreGap?.value?.value, welch.value, "score gap")
            expectClose(row.meanScoreGap?.value?.upper, welch.confidenceInterval?.upper, tolerance: 1e-8, "score gap upper")
            let hedges = try StandardisedGap(disadvantaged: dMaths, others: oMaths)
            expectClose(row.hedgesG?.value?.value, hedges.hedgesG, "Hedges g")
            let educationalAge = try EducationalAgeGap(
                students: zip(dMaths + oMaths, ages).enumerated().map { (score: $1.0, ageInMonths: $1.1, isDisadvantaged: $0 < d.count) })
            let months = try #require(row.months?.value)
            expectClose(months.months.value, educationalAge.monthsOfLearning.months, tolerance: 1e-7, "months")
            expectClose(months.months.lower, educationalAge.monthsOfLearning.confidenceInterval?.lower, tolerance: 1e-7, "months lower")
            #expect(index.value > 2, "a half-SD shift gives a clear gap (about 2.8)")

            // English is on GCSE grades: heavy ties.
            let english = try #require(report.attainment(subject: "english"))
            let englishIndex = try GapIndex(disadvantaged: d.map { $0.scores["english"]! }, others: o.map { $0.scores["english"]! })
            expectClose(english.gapIndex.value?.value, englishIndex.value, tolerance: 1e-10, "english index")
            expectClose(english.gapIndex.value?.lower, englishIndex.confidenceInterval?.lower, tolerance: 1e-9, "english lower")

            // Attendance: each student's sessions tallied by GapTrackDomain.AbsenceSummary.
            func summaries(_ group: [SyntheticSchool.Student]) -> [AbsenceSummary] {
                group.map { AbsenceSummary(codes: $0.sessions) }.filter { $0.possibleSessions > 0 }
            }
            for (group, members) in [(ReportGroup.disadvantaged, d), (.others, o)] {
                let summaries = summaries(members)
                let attended = summaries.map(\.attendedSessions).reduce(0, +)
                let possible = summaries.map(\.possibleSessions).reduce(0, +)
                let line = try #require(report.attendance.row(group))
                #expect(line.students == .value(summaries.count))
                #expect(line.possibleSessions == .value(possible))
                expectClose(line.attendance.value?.value, 100 * Double(attended) / Double(possible), tolerance: 1e-9, "attendance \(group.id)")
                let persistent = try Proportion(count: summaries.filter(\.isPersistentlyAbsent).count, outOf: summaries.count)
                expectClose(line.persistentAbsence.value?.value, 100 * persistent.value, "persistent \(group.id)")
                expectClose(line.persistentAbsence.value?.upper, 100 * persistent.confidenceInterval.upper, "persistent upper \(group.id)")
                let severe = summaries.filter(\.isSeverelyAbsent).count
                expectClose(line.severeAbsence.value?.value, 100 * Double(severe) / Double(summaries.count), "severe \(group.id)")
            }

            // Support, by the rule of report_support written out in Swift (SyntheticSchool.Support.share),
            // in the autumn term and in the spring term, where autumn's open records count their
            // students but not their cost, and tutoring that ran on is shared.
            let autumnCounted = try Self.checkSupport(report, school: school, term: SyntheticSchool.term, disadvantaged: Set(d.map(\.number)))
            #expect(autumnCounted.contains { $0.1 > 0 && $0.1 < 1 }, "some tutoring is shared with the spring term")
            let spring = try queries.report(provider: "synthetic-school", cohort: "year-11", term: "2024/25-spring")
            let springCounted = try Self.checkSupport(spring, school: school, term: SyntheticSchool.term.next, disadvantaged: Set(d.map(\.number)))
            #expect(springCounted.contains { $0.1 == 0 }, "open records from the autumn count their students only")
            #expect(springCounted.contains { $0.1 > 0 && $0.1 < 1 }, "the rest of the shared tutoring")

            // The trend follows the same students back to the Year 10 summer exam.
            let trend = try #require(report.trend.first { $0.id == "gap_index:maths" })
            #expect(trend.points.map(\.term.description) == ["2023/24-summer", "2024/25-autumn"])
            let earlier = try GapIndex(disadvantaged: d.map { $0.earlierMaths! }, others: o.map { $0.earlierMaths! })
            expectClose(trend.points[0].value.value?.value, earlier.value, tolerance: 1e-10, "earlier index")

            // The data cut is the import ledger, timed by the import itself.
            #expect(report.dataCut.imports.map(\.checksum) == [String(repeating: "ab", count: 32)])
            #expect(report.dataCut.cutAt.map(ReportText.timestamp) == "2025-01-10 09:00:05 UTC")

            // An import that was undone, and its undo, left nothing behind: the data cut lists
            // neither (nor does the cut's time move to them).
            try connection.execute(
                """
                WITH p AS (SELECT provider_id FROM providers WHERE code = 'synthetic-school'),
                undone AS (
                    INSERT INTO imports (provider_id, kind, file_name, file_sha256, file_bytes, skip_invalid, os_user, started_at, finished_at)
                    SELECT provider_id, 'support', 'support-wrong.csv', repeat('cd', 32), 10, false, 'test',
                           '2025-01-11 09:00:00+00', '2025-01-11 09:00:01+00' FROM p
                    RETURNING provider_id, import_id)
                INSERT INTO imports (provider_id, kind, file_name, file_sha256, file_bytes, skip_invalid, os_user, started_at, finished_at,
                                     undoes_import_id)
                SELECT provider_id, 'support', 'support-wrong.csv', repeat('cd', 32), 10, false, 'test',
                       '2025-01-12 09:00:00+00', '2025-01-12 09:00:01+00', import_id FROM undone
                """)
            let afterUndo = try queries.report(provider: "synthetic-school", cohort: "year-11", term: SyntheticSchool.term)
            #expect(afterUndo.dataCut.imports.map(\.checksum) == [String(repeating: "ab", count: 32)])
            #expect(afterUndo.dataCut.cutAt.map(ReportText.timestamp) == "2025-01-10 09:00:05 UTC")
        }
    }

    @Test func theDomainWorkedExampleGivesIndexFiveThroughSQLAndIsSuppressedAtTheStandardThreshold() throws {
        var school = SyntheticSchool()
        let scores: [(Double, Bool)] = [(95, true), (98, true), (104, true), (106, true), (100, false), (101, false), (103, false), (108, false), (110, false), (112, false)]
        for (number, (score, disadvantaged)) in scores.enumerated() {
            var student = SyntheticSchool.Student(number: number + 1, dateOfBirth: CalendarDate(year: 2009, month: 1, day: 15)!)
            student.fsmNow = disadvantaged
            student.scores["maths"] = score
            school.students.append(student)
        }
        try TestDatabase.withMigratedDatabase { connection in
            try school.load(into: connection)
            let data = try TermlyReportQueries(connection: connection).data(provider: "synthetic-school", cohort: "YEAR-11", term: "2024/25-autumn")
            let open = TermlyGapReportBuilder(rule: SuppressionRule(threshold: 1)).build(data)
            let row = try #require(open.attainment(subject: "maths"))
            expectClose(row.gapIndex.value?.value, 5.0, tolerance: 1e-12, "index")
            expectClose(row.disadvantaged.value?.meanPercentileRank.value, 0.40, tolerance: 1e-12, "rank D")
            expectClose(row.others.value?.meanPercentileRank.value, 0.65, tolerance: 1e-12, "rank O")
            #expect(row.gapIndex.text == "5.00")

            let report = try TermlyReportShaping().shape(TermlyGapReportBuilder().build(data), data: data, for: .governors)
            #expect(report.attainment(subject: "maths")?.gapIndex.text == "c")
            #expect(report.groupSize(.disadvantaged)?.students.text == "c")
            #expect(report.groupSize(.others)?.students == .suppressed(.belowThreshold(threshold: 10)))
            let table = TerminalReportRenderer.render(report)
            #expect(table.contains("maths (Autumn mock)"))
            #expect(!table.contains("5.00"))
        }
    }

    @Test func badTermsCohortsAndProvidersAreRejectedWithTheValidChoices() throws {
        let school = SyntheticSchool.generate(count: 30, seed: 7, schoolDays: 0, supportShare: 0)
        try TestDatabase.withMigratedDatabase { connection in
            try school.load(into: connection)
            let queries = TermlyReportQueries(connection: connection)
            let validTerms = ["2024/25-summer", "2024/25-spring", "2024/25-autumn"]
            #expect(throws: TermlyReportError.termWithoutEnrolments(term: "2023/24-autumn", provider: "Synthetic School", valid: validTerms)) {
                try queries.data(provider: "synthetic-school", cohort: "year-11", term: "2023/24-autumn")
            }
            #expect(throws: TermlyReportError.unknownCohort(cohort: "year-12", term: "2024/25-autumn", valid: ["year-11 (Year 11, 30 students)"])) {
                try queries.data(provider: "synthetic-school", cohort: "year-12", term: "2024/25-autumn")
            }
            #expect(throws: TermlyReportError.unknownProvider(code: "nowhere", known: ["synthetic-school"])) {
                try queries.data(provider: "nowhere", cohort: "year-11", term: "2024/25-autumn")
            }
            let message = TermlyReportError.unknownCohort(cohort: "year-12", term: "2024/25-autumn", valid: ["year-11 (Year 11, 30 students)"]).description
            #expect(message == "no students in cohort 'year-12' in 2024/25-autumn; cohorts with students in 2024/25-autumn: year-11 (Year 11, 30 students)")
            // Text that cannot be a cohort at all gets the same list (what the CLI and the service answer).
            #expect(try queries.unknownCohort("year-19", provider: "synthetic-school", term: "2024/25-autumn")
                == .unknownCohort(cohort: "year-19", term: "2024/25-autumn", valid: ["year-11 (Year 11, 30 students)"]))
            #expect(try queries.unknownCohort("year 11!", provider: "synthetic-school", term: "2023/24-autumn")
                == .termWithoutEnrolments(term: "2023/24-autumn", provider: "Synthetic School", valid: validTerms))
            #expect(throws: TermlyReportError.unknownProvider(code: "nowhere", known: ["synthetic-school"])) {
                try queries.unknownCohort("year-19", provider: "nowhere", term: "2024/25-autumn")
            }
            // The impact report answers the same way, in its own words.
            #expect(try ImpactQueries.unknownCohort("year-19", provider: "synthetic-school", term: "2024/25-autumn", on: connection)
                == .unknownCohort("year-19", term: "2024/25-autumn", valid: ["year-11 (30)"]))
        }
    }

    @Test func aReportMadeTwiceFromTheSameDataIsByteIdentical() throws {
        let school = SyntheticSchool.generate(count: 150, seed: 3)
        try TestDatabase.withMigratedDatabase { connection in
            try school.load(into: connection)
            let queries = TermlyReportQueries(connection: connection)
            let first = try queries.report(provider: "synthetic-school", cohort: "year-11", term: "2024/25-autumn", audience: .governors)
            let second = try queries.report(provider: "synthetic-school", cohort: "year-11", term: "2024/25-autumn", audience: .governors)
            for format in ReportFormat.allCases {
                #expect(try format.render(first) == format.render(second), "\(format)")
            }
            // A small subgroup (looked after or previously looked after, about 3% of 150) is withheld.
            let lookedAfter = school.students.filter { $0.lookedAfter || $0.previouslyLookedAfter }.count
            #expect(lookedAfter < 10)
            #expect(first.groupSize(.lookedAfter)?.students.text == "c")
        }
    }

    @Test func aCohortWithoutAttendanceOrSupportStillReportsEverySection() throws {
        let school = SyntheticSchool.generate(count: 60, seed: 11, schoolDays: 0, supportShare: 0)
        try TestDatabase.withMigratedDatabase { connection in
            try school.load(into: connection)
            let report = try TermlyReportQueries(connection: connection).report(provider: "synthetic-school", cohort: "year-11", term: "2024/25-autumn")
            #expect(report.attendance.rows.isEmpty)
            #expect(report.support.byType.isEmpty && report.support.total.students == .value(0))
            #expect(report.attainment.count == 2)
            let table = TerminalReportRenderer.render(report)
            #expect(table.contains("No attendance marks for this cohort in this term."))
            let csv = CSVReportRenderer.render(report)
            #expect(!csv.contains("attendance_gap"))
            let html = HTMLReportRenderer.render(report)
            #expect(!html.contains("chart-attendance") && html.contains("chart-gap-index"))
        }
    }

    /// Checks a report's support section against the records counted by the Swift rule; returns
    /// the records with their shares.
    static func checkSupport(
        _ report: TermlyGapReport, school: SyntheticSchool, term: AcademicTerm, disadvantaged: Set<Int>
    ) throws -> [(SyntheticSchool.Support, Double)] {
        let counted = school.support.compactMap { record in record.share(in: term.dateRange).map { (record, $0) } }
        func pence(_ records: [(SyntheticSchool.Support, Double)]) -> Double {
            records.map { Double($0.0.pence ?? 0) * $0.1 }.reduce(0, +)
        }
        let total = report.support.total
        #expect(total.students == .value(Set(counted.map(\.0.student)).count), "\(term)")
        let totalSpend = try #require(total.spend.value)
        #expect(abs(Double(totalSpend.pence) - pence(counted)) <= 1, "spend \(totalSpend.pence) against \(pence(counted)) in \(term)")
        #expect(total.sessions == .value(Int(counted.map { Double($0.0.sessions ?? 0) * $0.1 }.reduce(0, +).rounded())))
        expectClose(total.hours.value?.value, counted.map { ($0.0.hours ?? 0) * $0.1 }.reduce(0, +), tolerance: 0.005, "hours in \(term)")
        #expect(total.disadvantagedStudents == .value(Set(counted.map(\.0.student).filter(disadvantaged.contains)).count))
        for type in Set(counted.map(\.0.type)) {
            let records = counted.filter { $0.0.type == type }
            let line = try #require(report.support.byType.first { $0.type == type })
            let students = Set(records.map(\.0.student)).count
            // The staff report: every type's true figures, however few its students.
            let spend = try #require(line.spend.value, "\(type) in \(term)")
            #expect(abs(Double(spend.pence) - pence(records)) <= 1, "\(type) in \(term)")
            #expect(line.students == .value(students))
            #expect((line.treatWithCare == true) == (students < 10), "\(type) in \(term)")
        }
        return counted
    }
}
