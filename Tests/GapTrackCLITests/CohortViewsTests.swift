import DemoData
import DisclosureControl
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// Whole-school, key-stage and filtered reports (docs/methodology.md §7.2, §7.8) on a small demo
/// school of three year groups, each checked against figures worked out another way: the
/// one-year reports, the unfiltered report's group counts, and counts read straight from the
/// tables.
@Suite("Whole-school and filtered views", .serialized)
struct CohortViewsTests {
    static let term = try! AcademicTerm(parsing: "2024/25-summer")
    static let demo = ["--cohort-size", "40", "--year-groups", "7,8,11", "--no-leavers", "--attendance-days", "10", "--only", "school"]
    static let provider = try! ProviderCode(parsing: DemoProvider.academy.code)

    /// On roll in the summer term of 2024/25 (1 April to 31 July 2025).
    static let inSummer = "e.academic_year = '2024/25' AND e.start_date <= '2025-07-31' AND coalesce(e.leave_date, '2025-07-31') >= '2025-04-01'"

    static func loaded(_ body: (PostgresConnection, [String]) throws -> Void) throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["demo", "load"] + demo + database)
            try body(connection, database)
        }
    }

    static func count(_ connection: PostgresConnection, _ sql: String) throws -> Int {
        try connection.query(sql).single().decode("n")
    }

    @Test("the whole school and a key stage are the sum of their year groups, and each year group's section is that year's own report")
    func wholeSchoolAndKeyStage() throws {
        try Self.loaded { connection, _ in
            let queries = TermlyReportQueries(connection: connection)
            let all = try queries.report(provider: Self.provider, cohort: .all, term: Self.term)
            let sections = try #require(all.yearGroups)
            #expect(sections.map(\.cohort.code) == ["year-7", "year-8", "year-11"])
            #expect(all.cohort.label == "Whole school")
            let onRoll = try Self.count(connection, "SELECT count(*)::int AS n FROM enrolments e WHERE \(Self.inSummer)")
            #expect(all.groupSize(.cohort)?.students.value == onRoll)
            #expect(onRoll > 100)
            for section in sections {
                let own = try queries.report(provider: Self.provider, cohort: try CohortCode(parsing: section.cohort.code), term: Self.term)
                #expect(section.groupSizes.map(\.students) == [own.groupSize(.cohort), own.groupSize(.disadvantaged), own.groupSize(.others)].map { $0?.students })
                #expect(section.attainment.map(\.gapIndex) == own.attainment.map(\.gapIndex), "\(section.cohort.code)")
                #expect(section.attendance.attendanceGap == own.attendance.attendanceGap)
            }
            #expect(sections.contains { !$0.attainment.isEmpty })
            let disadvantaged = sections.compactMap { $0.groupSizes.first { $0.group.id == ReportGroup.disadvantaged.id }?.students.value }
            #expect(all.groupSize(.disadvantaged)?.students.value == disadvantaged.reduce(0, +))

            // Key stage 3 is years 7 to 9: here years 7 and 8.
            let ks3 = try queries.report(provider: Self.provider, cohort: try CohortCode(parsing: "KS3"), term: Self.term)
            #expect(ks3.yearGroups?.map(\.cohort.code) == ["year-7", "year-8"])
            #expect(ks3.groupSize(.cohort)?.students.value == sections.prefix(2).compactMap { $0.groupSizes.first?.students.value }.reduce(0, +))
            #expect(ks3.cohort.label == "Key stage 3 (years 7–9)")
            // Key stage 2 has no pupils at this school.
            #expect(throws: TermlyReportError.self) { try queries.report(provider: Self.provider, cohort: .keyStage(2), term: Self.term) }

            // Every format prints the breakdown; governors get none (its counts add up to the whole school's).
            for format in ReportFormat.allCases {
                let text = try format.render(all)
                #expect(text.contains("Year 8"), "\(format)")
            }
            #expect(try ReportFormat.html.render(all).contains("By year group"))
            let governors = try queries.report(provider: Self.provider, cohort: .all, term: Self.term, audience: .governors)
            #expect(governors.yearGroups == nil)
            #expect(governors.suppressionNotes.contains { $0.contains("year group is in the staff report only") })
        }
    }

    @Test("a Year 7 report compares with the national KS2 figures and a Year 11 report with KS4; the whole school with neither")
    func nationalFiguresFitThePhase() throws {
        try Self.loaded { connection, _ in
            let queries = TermlyReportQueries(connection: connection)
            for (cohort, phase) in [("year-7", NationalFigure.Phase.keyStage2), ("year-8", .keyStage2), ("ks3", .keyStage2), ("year-11", .keyStage4)] {
                let report = try queries.report(provider: Self.provider, cohort: try CohortCode(parsing: cohort), term: Self.term)
                #expect(!report.nationalComparison.isEmpty, "\(cohort)")
                #expect(report.nationalComparison.allSatisfy { $0.national.phase == phase }, "\(cohort)")
                #expect(report.nationalComparison.contains { $0.localLabel?.contains(phase == .keyStage2 ? "national KS2 measure" : "national KS4 measure") == true }, "\(cohort)")
            }
            #expect(try queries.report(provider: Self.provider, cohort: .all, term: Self.term).nationalComparison.isEmpty)

            // The national pairs (docs/methodology.md §8.3, §8.4): Year 11 gets the KS4 headline
            // measures and absence; Year 7 absence only (its attainment phase is KS2, which has no
            // pairs); the whole school none. The latest of each: grade 5+ from 2023/24, absence
            // from the 2023/24 autumn term rather than secondary schools' 2018/19.
            let year11 = try queries.report(provider: Self.provider, cohort: try CohortCode(parsing: "year-11"), term: Self.term)
            #expect((year11.nationalContext ?? []).map(\.measure) == [.englishMathsGrade4, .englishMathsGrade5, .attainment8, .overallAbsence, .persistentAbsence])
            let grade5 = try #require(year11.nationalContext?.first { $0.measure == .englishMathsGrade5 })
            #expect(grade5.resultsYear == 2024 && grade5.groupText == "26.0" && grade5.othersText == "53.4")
            let absence = try #require(year11.nationalContext?.first { $0.measure == .overallAbsence })
            #expect(absence.periodText == "2023/24 autumn term" && absence.groupText == "10.4")
            let year7 = try queries.report(provider: Self.provider, cohort: try CohortCode(parsing: "year-7"), term: Self.term)
            #expect((year7.nationalContext ?? []).map(\.measure) == [.overallAbsence, .persistentAbsence])
            #expect(try queries.report(provider: Self.provider, cohort: .all, term: Self.term).nationalContext == nil)
            for format in ReportFormat.allCases {
                let text = try format.render(year11)
                #expect(text.contains("53.4") && text.contains("10.4"), "\(format)")
                // The terminal table wraps its first column, so only the start of the label is on one line.
                let label = switch format {
                case .csv, .json: "english_maths_grade_5"
                case .table: "Grade 5+ in"
                default: "Grade 5+ in English and maths (%)"
                }
                #expect(text.contains(label), "\(format)")
            }
        }
    }

    @Test("the key stages' year groups are the same in Swift and in SQL")
    func keyStageYearsAgree() throws {
        try TestDatabase.withMigratedDatabase { connection in
            for (stage, years) in CohortCode.keyStageYears {
                let sql: [String] = try connection.query("SELECT unnest(report_key_stage_years($1)) AS y", [stage]).rows.map { try $0.decode("y") }
                #expect(sql == years.map { "\($0)" }, "KS\(stage)")
            }
        }
    }

    @Test("a filter on a marker, SEN or EAL keeps exactly the pupils the unfiltered report counts in that group")
    func filtersMatchGroupCounts() throws {
        try Self.loaded { connection, _ in
            let queries = TermlyReportQueries(connection: connection)
            let cohort: CohortCode = .yearGroup("11")
            let whole = try queries.data(provider: Self.provider, cohort: cohort, term: Self.term)
            for (condition, group) in [
                ("eal=yes", ReportGroup.eal), ("sen=any", .sen), ("sen=k", .senSupport), ("marker=fsm-ever-6", .fsmEver6), ("marker=Ever 6", .fsmEver6),
            ] {
                let filter = try CohortFilter(parsing: [condition])
                let expected = whole.groupCounts[group] ?? 0
                guard expected > 0 else {
                    #expect(throws: TermlyReportError.self) { try queries.data(provider: Self.provider, cohort: cohort, term: Self.term, filter: filter) }
                    continue
                }
                let filtered = try queries.data(provider: Self.provider, cohort: cohort, term: Self.term, filter: filter)
                #expect(filtered.cohortSize == expected, "\(condition)")
                #expect(filtered.groupCounts[group] == expected, "\(condition): everyone left is in the group")
            }
            // No SEN + any SEN = everyone.
            let none = try queries.data(provider: Self.provider, cohort: cohort, term: Self.term, filter: try CohortFilter(parsing: ["sen=none"]))
            #expect(none.cohortSize + (whole.groupCounts[.sen] ?? 0) == whole.cohortSize)
            // Gender, counted from the students table itself; and two conditions at once.
            let girls = try Self.count(connection, """
                SELECT count(*)::int AS n FROM students s JOIN enrolments e USING (student_id)
                WHERE \(Self.inSummer) AND e.year_group = '11' AND s.gender = 'F'
                """)
            let report = try queries.report(provider: Self.provider, cohort: cohort, term: Self.term, filter: try CohortFilter(parsing: ["gender=F"]))
            #expect(report.groupSize(.cohort)?.students.value == girls)
            #expect(report.cohort.label == "Year 11, filtered to girls")
            #expect(report.cohort.filter?.code == "gender=F")
            #expect(try ReportFormat.csv.render(report).contains("comparison,,,filter,,gender=F"))
            let both = try queries.data(provider: Self.provider, cohort: cohort, term: Self.term, filter: try CohortFilter(parsing: ["gender=F", "sen=none"]))
            let girlsWithoutSEN = try Self.count(connection, """
                SELECT count(*)::int AS n FROM students s JOIN enrolments e USING (student_id)
                WHERE \(Self.inSummer) AND e.year_group = '11' AND s.gender = 'F'
                  AND NOT EXISTS (SELECT FROM student_disadvantage(s.provider_id, (SELECT c.census_date FROM census_days c WHERE c.academic_year = '2024/25' AND c.collection = 'summer')) f WHERE f.student_id = s.student_id AND f.sen IS NOT NULL)
                """)
            #expect(both.cohortSize == girlsWithoutSEN)
        }
    }

    @Test("form groups kept on import filter the report; a re-import without the column keeps them")
    func formGroupsFromImport() throws {
        try Self.loaded { connection, database in
            let folder = DemoCommandTests.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try GapTrackCommandLine.run(["demo", "generate", "--out", folder.path] + Self.demo)
            let students = folder.appendingPathComponent("demo-academy/students.csv")
            var lines = try String(contentsOf: students, encoding: .utf8).split(separator: "\n").map(String.init)
            // A SIMS-style "Reg" column: alternate pupils in 11A and 11B, by line.
            lines[0] += ",Reg"
            for index in lines.indices.dropFirst() { lines[index] += index % 2 == 0 ? ",11A" : ",11B" }
            let withForms = folder.appendingPathComponent("students-with-forms.csv")
            try (lines.joined(separator: "\n") + "\n").write(to: withForms, atomically: true, encoding: .utf8)
            _ = try GapTrackCommandLine.run(["import", "students", withForms.path, "--provider", "demo-academy", "--preset", "sims"] + database)
            _ = try GapTrackCommandLine.run(["import", "students", students.path, "--provider", "demo-academy"] + database)
            let in11B = try Self.count(connection, """
                SELECT count(*)::int AS n FROM enrolments e WHERE \(Self.inSummer) AND e.year_group = '11' AND e.form_group = '11B'
                """)
            #expect(in11B > 0)
            let queries = TermlyReportQueries(connection: connection)
            let data = try queries.data(provider: Self.provider, cohort: .yearGroup("11"), term: Self.term, filter: try CohortFilter(parsing: ["form=11b"]))
            #expect(data.cohortSize == in11B)
            let message = try #require(GapTrackCommandLine.failureMessage(
                ["report", "gap", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-summer", "--filter", "form=12Z"] + database))
            #expect(message.contains("no student of Year 11 in 2024/25 summer is form 12Z"))
            // Governors and the public get no form group's view: one form less the others would give a small group away.
            for audience in ["governors", "public"] {
                let refused = try #require(GapTrackCommandLine.failureMessage(
                    ["report", "termly", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-summer", "--filter", "form=11b",
                     "--audience", audience] + database))
                #expect(refused.contains("a report for \(audience) is not made by form group") && refused.contains("--audience staff"), "\(refused)")
            }
            let staff = try GapTrackCommandLine.run(
                ["report", "termly", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-summer", "--filter", "form=11b"] + database)
            #expect(staff.joined(separator: "\n").contains("filtered to form 11b"))
        }
    }

    @Test("a provider's own group filters the report; governors see a small filtered group as c, and the auditor finds nothing")
    func pupilGroupsAndGovernors() throws {
        try Self.loaded { connection, database in
            let upns: [String] = try connection.query("""
                SELECT s.upn FROM students s JOIN enrolments e USING (student_id)
                WHERE e.academic_year = '2024/25' AND e.year_group = '11' ORDER BY s.upn LIMIT 6
                """).rows.map { try $0.decode("upn") }
            let group = ["--provider", "demo-academy", "--code", "Catch-Up"] + database
            #expect(try GapTrackCommandLine.run(["pupil-group", "add", "--name", "Year 11 maths catch-up"] + group) == ["Added pupil group catch-up."])
            #expect(try GapTrackCommandLine.run(["pupil-group", "members"] + upns.flatMap { ["--add", $0] } + group) == ["Added 6 pupil(s) to catch-up."])
            // All or nothing: one unknown pupil adds nobody.
            let refused = try #require(GapTrackCommandLine.failureMessage(["pupil-group", "members", "--add", "NOT-A-PUPIL"] + group))
            #expect(refused.contains("no member was added"))
            #expect(try GapTrackCommandLine.run(["pupil-group", "members"] + group) == upns.sorted())

            let queries = TermlyReportQueries(connection: connection)
            let filter = try CohortFilter(parsing: ["group=catch-up"])
            let staff = try queries.report(provider: Self.provider, cohort: .yearGroup("11"), term: Self.term, filter: filter)
            #expect(staff.groupSize(.cohort)?.students.value == 6)
            let governors = try queries.report(provider: Self.provider, cohort: .yearGroup("11"), term: Self.term, audience: .governors, filter: filter)
            #expect(governors.groupSize(.cohort)?.students.isSuppressed == true)
            #expect(governors.groupSize(.disadvantaged)?.students.isSuppressed == true)

            // A larger filtered governors' report, attacked by the auditor.
            let girls = try CohortFilter(parsing: ["gender=F"])
            let data = try queries.data(provider: Self.provider, cohort: .all, term: Self.term, filter: girls)
            let report = try queries.report(provider: Self.provider, cohort: .all, term: Self.term, audience: .governors, filter: girls)
            let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(report, data: data))
            #expect(audit.passes, "\(audit.findings.map(\.description))")
            #expect(!audit.figures.isEmpty)

            let unknown = try #require(GapTrackCommandLine.failureMessage(
                ["report", "gap", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-summer", "--filter", "group=nope"] + database))
            #expect(unknown.contains("no pupil group 'nope'") && unknown.contains("catch-up"))
        }
    }

    @Test("a filtered report is stored under its own key: asking for it after the unfiltered one never gets the unfiltered figures")
    func filteredReportHasItsOwnCacheEntry() throws {
        try Self.loaded { connection, database in
            func cohortSize(_ extra: [String]) throws -> Int? {
                let json = try GapTrackCommandLine.run(
                    ["report", "gap", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-summer", "--format", "json"] + extra + database
                ).joined(separator: "\n")
                return try JSONReportRenderer.decode(json).groupSize(.cohort)?.students.value
            }
            let whole = try cohortSize([])
            #expect(whole == (try Self.count(connection, "SELECT count(*)::int AS n FROM enrolments e WHERE \(Self.inSummer) AND e.year_group = '11'")))
            #expect(try cohortSize([]) == whole)
            let girls = try Self.count(connection, """
                SELECT count(*)::int AS n FROM students s JOIN enrolments e USING (student_id)
                WHERE \(Self.inSummer) AND e.year_group = '11' AND s.gender = 'F'
                """)
            #expect(try cohortSize(["--filter", "gender=F"]) == girls)
            #expect(try cohortSize(["--filter", "sex=female"]) == girls)
            #expect(try Self.count(connection, "SELECT count(DISTINCT report_snapshot_report(cache_key))::int AS n FROM report_snapshots WHERE cache_key LIKE '%filter gender=F;%'") == 1)
            // Adding a pupil to a group changes what a group-filtered report rests on.
            _ = try GapTrackCommandLine.run(["pupil-group", "add", "--provider", "demo-academy", "--code", "g", "--name", "G"] + database)
            let upn: String = try connection.query("""
                SELECT s.upn FROM students s JOIN enrolments e USING (student_id)
                WHERE e.academic_year = '2024/25' AND e.year_group = '11' ORDER BY s.upn LIMIT 1
                """).single().decode("upn")
            _ = try GapTrackCommandLine.run(["pupil-group", "members", "--provider", "demo-academy", "--code", "g", "--add", upn] + database)
            #expect(try cohortSize(["--filter", "group=g"]) == 1)
            let second: String = try connection.query("""
                SELECT s.upn FROM students s JOIN enrolments e USING (student_id)
                WHERE e.academic_year = '2024/25' AND e.year_group = '11' ORDER BY s.upn OFFSET 1 LIMIT 1
                """).single().decode("upn")
            _ = try GapTrackCommandLine.run(["pupil-group", "members", "--provider", "demo-academy", "--code", "g", "--add", second] + database)
            #expect(try cohortSize(["--filter", "group=g"]) == 2)
        }
    }

    @Test("--filter is checked where it is typed, and impact sections are not filtered")
    func filterOptionErrors() throws {
        for (arguments, words) in [
            (["--filter", "colour=red"], "use gender, sen, eal, form, marker or group"),
            (["--filter", "gender=F", "--filter", "gender=M"], "given twice"),
            (["--filter", "marker=imd-quintile"], "quintiles and SMC groups are report groups"),
            (["--filter", "gender"], "write key=value"),
            (["--filter", "gender=F", "--impact", "tutoring,maths@2024/25-autumn,maths@2024/25-summer"], "cannot be filtered"),
        ] {
            let message = try #require(GapTrackCommandLine.failureMessage(
                ["report", "termly", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-summer"] + arguments))
            #expect(message.contains(words), "\(arguments): \(message)")
        }
    }
}
