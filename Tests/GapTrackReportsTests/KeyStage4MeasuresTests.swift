import Foundation
import DisclosureControl
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The KS4 headline measures from a school's own GCSE results (docs/methodology.md §8.3).
@Suite struct KeyStage4MeasuresTests {
    /// 3 of 10 disadvantaged pupils and 12 of 20 others at grade 4+, worked by hand:
    /// Wilson 3/10: centre (0.3 + 1.9208/10)/1.38415 = 0.35551, half-width 1.96·√(0.021 + 0.0096037)/1.38415
    /// = 0.24772, so 10.78% to 60.32%; 12/20: centre 0.58389, half-width 0.19731, so 38.66% to 78.12%.
    /// Gap 60 − 30 = 30 pp; Newcombe: 30 − 100·√((0.6 − 0.38658)² + (0.60323 − 0.3)²) = −7.08 pp and
    /// 30 + 100·√((0.78120 − 0.6)² + (0.3 − 0.10779)²) = 56.42 pp. All: 15 of 30 = 50%.
    @Test func gradeFourHasWilsonIntervalsAndANewcombeGapWorkedByHand() throws {
        let counts = KeyStage4Counts(
            assessment: "GCSE", subjects: ["English Language", "Maths", "Science"], slots: ["english", "maths", "ebacc"],
            disadvantaged: KeyStage4GroupCounts(pupils: 10, withoutEnglishOrMaths: 1, grade4: 3, grade5: 1),
            others: KeyStage4GroupCounts(pupils: 20, withoutEnglishOrMaths: 0, grade4: 12, grade5: 9))
        let section = TermlyGapReportBuilder().keyStage4Section(counts, resultsYear: 2024)
        let grade4 = try #require(section.rows.first { $0.measure == .englishMathsGrade4 })
        let d = try #require(grade4.disadvantaged.value)
        let o = try #require(grade4.others.value)
        let gap = try #require(grade4.gap.value)
        expect(d, 30, 10.78, 60.32)
        expect(o, 60, 38.66, 78.12)
        expect(gap, 30, -7.08, 56.42)
        #expect(grade4.all.value?.value == 50 && grade4.allPupils == .value(30) && grade4.disadvantagedPupils == .value(10))
        // 2024's national grade 4+ pair is not in the table; grade 5+ for 2024 is.
        #expect(grade4.national == nil)
        let grade5 = try #require(section.rows.first { $0.measure == .englishMathsGrade5 })
        #expect(grade5.national.map { [$0.group, $0.others] } == [26.0, 53.4])
        #expect(grade5.disadvantaged.value?.value == 10 && grade5.others.value?.value == 45)
        // Three subjects cannot fill eight slots: no Attainment 8 row, and the reason names what is missing.
        #expect(!section.rows.contains { $0.measure == .attainment8 })
        #expect(section.attainment8NotComputed
            == "not computed: the results held do not cover the Attainment 8 slots (held: English Language, Maths, Science; missing: 2 EBacc slots and 3 open slots)")
        #expect(section.progress8NotComputed.hasPrefix("not computed"))
        #expect(section.notes.first?.hasPrefix("1 of the 30 pupils with results at GCSE have no English or no maths result there") == true)
    }

    /// The public get the 2023/24 grade 5+ pair beside the school's figure only when both groups reach 20.
    @Test func thePublicSeeANationalPairOnlyBesideGroupsOfTwentyOrMore() {
        func sections(disadvantaged: Int) -> [KeyStage4Section]? {
            let counts = KeyStage4Counts(
                assessment: "GCSE", subjects: ["English", "Maths"], slots: ["english", "maths"],
                disadvantaged: KeyStage4GroupCounts(pupils: disadvantaged, withoutEnglishOrMaths: 0, grade4: 8, grade5: 5),
                others: KeyStage4GroupCounts(pupils: 40, withoutEnglishOrMaths: 0, grade4: 30, grade5: 20))
            return [TermlyGapReportBuilder().keyStage4Section(counts, resultsYear: 2024)]
        }
        var small = sections(disadvantaged: 19), large = sections(disadvantaged: 20)
        #expect(small?[0].rows[1].national != nil && large?[0].rows[1].national != nil)
        KeyStage4Tables.withholdNationalPairsOfSmallGroups(&small, threshold: 10)
        KeyStage4Tables.withholdNationalPairsOfSmallGroups(&large, threshold: 10)
        #expect(small?[0].rows[1].national == nil)
        #expect(large?[0].rows[1].national?.groupText == "26.0")
    }

    private func expect(_ estimate: Estimate, _ value: Double, _ lower: Double, _ upper: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(abs(estimate.value - value) < 0.005, sourceLocation: sourceLocation)
        #expect(abs((estimate.lower ?? .nan) - lower) < 0.01, "lower \(estimate.lower ?? .nan)", sourceLocation: sourceLocation)
        #expect(abs((estimate.upper ?? .nan) - upper) < 0.01, "upper \(estimate.upper ?? .nan)", sourceLocation: sourceLocation)
    }

    /// Pupil n's grades: English language n mod 10; English literature (n + 3) mod 10 for even n
    /// only; maths (7n) mod 10, none for every eleventh pupil. At the "Full mock" every pupil also
    /// has biology n mod 9, chemistry (n + 4) mod 9, history (2n) mod 9, French (3n) mod 9 and art 5.
    static func grades(_ n: Int) -> (language: Int, literature: Int?, maths: Int?, ebacc: [Int], art: Int) {
        (n % 10, n % 2 == 0 ? (n + 3) % 10 : nil, n % 11 == 0 ? nil : (7 * n) % 10, [n % 9, (n + 4) % 9, (2 * n) % 9, (3 * n) % 9], 5)
    }

    /// The SQL counts against the rule worked out pupil by pupil here: English is the better of
    /// language and literature, a missing maths result is not a pass, and Attainment 8 is
    /// 2·English + 2·maths + the best three EBacc + the best three of the rest.
    @Test func theSchoolsOwnResultsAreCountedByTheDfERule() throws {
        let school = SyntheticSchool.generate(count: 60, seed: 31, schoolDays: 0, supportShare: 0)
        try TestDatabase.withMigratedDatabase { connection in
            let providerID = try school.load(into: connection)
            let base: Int = try connection.query("SELECT min(student_id) AS base FROM students WHERE provider_id = $1", [providerID]).single().decode("base")
            func point(_ subject: String, _ name: String) throws -> Int {
                try connection.query(
                    "INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term) VALUES ($1, $2, $3, 'gcse', '2024/25', 'summer') RETURNING assessment_point_id",
                    [providerID, subject, name]).single().decode("assessment_point_id")
            }
            func result(_ point: Int, _ number: Int, _ grade: Int) throws {
                try connection.query(
                    "INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on) VALUES ($1, 'gcse', $2, $3, $4, '2025-06-10')",
                    [point, base + number - 1, grade, grade == 0 ? "U" : String(grade)])
            }
            for name in ["GCSE", "Full mock"] {
                let language = try point(" english  language", name), literature = try point("English Literature", name), maths = try point("Maths", name)
                let ebacc = name == "GCSE" ? [] : [try point("Biology", name), try point("Chemistry", name), try point("History", name), try point("French", name)]
                let art = name == "GCSE" ? nil : try point("Art", name)
                for student in school.students {
                    let g = Self.grades(student.number)
                    try result(language, student.number, g.language)
                    if let lit = g.literature { try result(literature, student.number, lit) }
                    if let m = g.maths { try result(maths, student.number, m) }
                    for (p, grade) in zip(ebacc, g.ebacc) { try result(p, student.number, grade) }
                    if let art { try result(art, student.number, g.art) }
                }
            }
            let data = try TermlyReportQueries(connection: connection).data(provider: "synthetic-school", cohort: "year-11", term: "2024/25-summer")
            let counts = try #require(data.keyStage4)
            #expect(counts.map(\.assessment) == ["Full mock", "GCSE"])
            for (side, pupils) in [(true, school.students.filter(\.isDisadvantaged)), (false, school.students.filter { !$0.isDisadvantaged })] {
                var grade4 = 0, grade5 = 0, without = 0, a8 = 0.0
                for student in pupils {
                    let g = Self.grades(student.number)
                    let english = max(g.language, g.literature ?? 0)
                    if g.maths == nil { without += 1 }
                    if english >= 4, (g.maths ?? 0) >= 4 { grade4 += 1 }
                    if english >= 5, (g.maths ?? 0) >= 5 { grade5 += 1 }
                    let ebacc = g.ebacc.sorted(by: >)
                    let rest = ([min(g.language, g.literature ?? -1)].filter { $0 >= 0 } + [ebacc[3], g.art]).sorted(by: >)
                    a8 += Double(2 * english + 2 * (g.maths ?? 0) + ebacc.prefix(3).reduce(0, +) + rest.prefix(3).reduce(0, +))
                }
                for assessment in counts {
                    let group = side ? assessment.disadvantaged : assessment.others
                    #expect(group.pupils == pupils.count && group.grade4 == grade4 && group.grade5 == grade5 && group.withoutEnglishOrMaths == without,
                            "\(assessment.assessment) \(side): \(group)")
                }
                let full = try #require(counts.first { $0.assessment == "Full mock" })
                #expect((side ? full.disadvantaged : full.others).attainment8Sum == a8)
            }
            let report = TermlyGapReportBuilder().build(data)
            let sections = try #require(report.keyStage4)
            #expect(sections.first { $0.assessment == "Full mock" }?.rows.map(\.measure) == [.englishMathsGrade4, .englishMathsGrade5, .attainment8])
            #expect(sections.first { $0.assessment == "GCSE" }?.attainment8NotComputed?.contains("missing: 3 EBacc slots and 2 open slots") == true)
            // Pupil 12, by hand: English max(2, 5) = 5, maths 84 mod 10 = 4, EBacc 3, 7, 6, 0 → 7 + 6 + 3,
            // the rest: language 2, EBacc 0, art 5 → 5 + 2 + 0; A8 = 10 + 8 + 16 + 7 = 41.
            let g = Self.grades(12)
            #expect(g.language == 2 && g.literature == 5 && g.maths == 4 && g.ebacc == [3, 7, 6, 0])

            // Every format prints the section.
            for format in [ReportFormat.table, .markdown, .html] {
                let text = try format.render(report)
                #expect(text.contains("KS4 measures from the school") && text.contains("Grade 4+") && text.contains("not computed"), "\(format)")
                if format == .table { try text.write(toFile: "/tmp/ks4-table.txt", atomically: true, encoding: .utf8) }
            }
            #expect(try ReportFormat.csv.render(report).contains(",ks4,"))
            #expect(try ReportFormat.json.render(report).contains("\"keyStage4\""))
        }
    }

    /// Governors and the public get the sections with small groups and what would give them away
    /// withheld, and the auditor finds nothing to recover in what is printed.
    @Test(arguments: [ReportAudience.governors, .public])
    func governorsAndPublicOutputPassesTheAuditor(audience: ReportAudience) throws {
        // 14 pupils: a disadvantaged group under 10 in most seeds.
        let school = SyntheticSchool.generate(count: 14, seed: 5, schoolDays: 0, supportShare: 0)
        try TestDatabase.withMigratedDatabase { connection in
            let providerID = try school.load(into: connection)
            let base: Int = try connection.query("SELECT min(student_id) AS base FROM students WHERE provider_id = $1", [providerID]).single().decode("base")
            for subject in ["English", "Maths"] {
                let point: Int = try connection.query(
                    "INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term) VALUES ($1, $2, 'GCSE', 'gcse', '2024/25', 'summer') RETURNING assessment_point_id",
                    [providerID, subject]).single().decode("assessment_point_id")
                for student in school.students {
                    try connection.query(
                        "INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on) VALUES ($1, 'gcse', $2, $3, $4, '2025-06-10')",
                        [point, base + student.number - 1, 3 + student.number % 5, String(3 + student.number % 5)])
                }
            }
            let shaped = try TermlyReportQueries(connection: connection).shapedReport(
                provider: "synthetic-school", cohort: "year-11", term: "2024/25-summer", audience: audience)
            let section = try #require(shaped.report.keyStage4?.first)
            let disadvantaged = shaped.data.keyStage4?.first?.disadvantaged.pupils ?? 0
            #expect(disadvantaged > 0 && disadvantaged < 10, "the seed gives a small disadvantaged group: \(disadvantaged)")
            for row in section.rows {
                #expect(row.disadvantagedPupils.isSuppressed && row.disadvantaged.isSuppressed && row.gap.isSuppressed)
                // All = Disadvantaged + Others: the others' count would give the small group away beside the total.
                #expect(row.othersPupils.isSuppressed || row.allPupils.isSuppressed)
            }
            let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(shaped.report, data: shaped.data))
            #expect(audit.passes, "\(audience): \(audit.findings.map(\.description))")
            #expect(audit.figures.contains { $0.cell.rawValue.hasPrefix("ks4.0.") })
        }
    }
}
