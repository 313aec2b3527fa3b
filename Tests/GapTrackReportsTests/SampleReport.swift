import Foundation
import GapStatistics
import GapTrackDomain
import GapTrackReports
import GapTrackStore
import TestSupport

/// A realistic report for a Year 11 of 180 students, made from seeded synthetic students with
/// the aggregates computed by `ReferenceAggregates`: the fixture of the renderer tests.
enum SampleReport {
    static let provider = ReportProvider(code: "demo-academy", name: "Demo Academy", kind: .school)
    static let cohort = ReportCohort(code: "year-11", label: "Year 11")
    static let term = try! AcademicTerm(parsing: "2024/25-autumn")

    struct Student {
        var disadvantaged: Bool
        var ageInMonths: Double
        var possible: Int
        var attended: Int
    }

    /// GCSE-like grades 0–9 with many ties.
    static func grades(_ count: Int, mean: Double, using generator: inout SeededGenerator) -> [Double] {
        normalSample(count: count, mean: mean, standardDeviation: 1.9, using: &generator).map { min(9, max(0, $0.rounded())) }
    }

    static func subject(_ name: String, assessment: String, disadvantaged nD: Int, others nO: Int, gap: Double, seed: UInt64) -> SubjectAggregates {
        var generator = SeededGenerator(seed: seed)
        let d = grades(nD, mean: 5.2 - gap, using: &generator)
        let o = grades(nO, mean: 5.2, using: &generator)
        let ages = (0..<(nD + nO)).map { _ in 180 + Double(generator.index(below: 12)) }
        let scores = ReferenceAggregates.scores(disadvantaged: d, others: o)
        return SubjectAggregates(
            subject: name, assessment: assessment, scale: "gcse", disadvantaged: scores.disadvantaged, others: scores.others,
            ageGradient: ReferenceAggregates.ageGradient(ages: ages, scores: d + o))
    }

    static func attendance(_ group: ReportGroup, students: Int, meanAbsence: Double, seed: UInt64) -> AttendanceAggregates {
        var generator = SeededGenerator(seed: seed)
        var possible = 0
        var attended = 0
        var aa = 0.0
        var pp = 0.0
        var ap = 0.0
        var persistent = 0
        var severe = 0
        for _ in 0..<students {
            let p = 140 - 2 * generator.index(below: 10)
            let absent = min(p, Int((abs(Normal.sample(mean: meanAbsence, standardDeviation: meanAbsence, using: &generator)) * Double(p)).rounded()))
            let a = p - absent
            possible += p
            attended += a
            aa += Double(a * a)
            pp += Double(p * p)
            ap += Double(a * p)
            if absent * 10 >= p { persistent += 1 }
            if absent * 2 >= p { severe += 1 }
        }
        return AttendanceAggregates(
            group: group, students: students, possible: possible, attended: attended, sumAttendedSquared: aa, sumPossibleSquared: pp,
            sumAttendedTimesPossible: ap, persistentlyAbsent: persistent, severelyAbsent: severe)
    }

    static func data() -> TermlyReportData {
        let imports = [
            ImportRecord(kind: "students", file: "students-2024.csv", checksum: String(repeating: "a1", count: 32), importedAt: Date(timeIntervalSince1970: 1_725_000_000), rows: 180),
            ImportRecord(kind: "markers", file: "markers-2024.csv", checksum: String(repeating: "b2", count: 32), importedAt: Date(timeIntervalSince1970: 1_725_000_600), rows: 240),
            ImportRecord(kind: "attendance", file: "attendance-autumn.csv", checksum: String(repeating: "c3", count: 32), importedAt: Date(timeIntervalSince1970: 1_736_500_000), rows: 25_200),
            ImportRecord(kind: "assessments", file: "mocks-autumn.csv", checksum: String(repeating: "d4", count: 32), importedAt: Date(timeIntervalSince1970: 1_736_500_900), rows: 368),
            ImportRecord(kind: "support", file: "support-autumn.csv", checksum: String(repeating: "e5", count: 32), importedAt: Date(timeIntervalSince1970: 1_736_501_234), rows: 71),
        ]
        let counts: [ReportGroup: Int] = [
            .disadvantaged: 54, .others: 126, .fsm: 40, .fsmEver6: 50, .lookedAfter: 4, .eal: 22, .sen: 27, .senEHCPlan: 5, .senSupport: 22,
            .refugee: 0, .youngCarer: 11, .serviceChild: 3,
        ]
        let subjects = [
            subject("english", assessment: "Autumn mock", disadvantaged: 54, others: 125, gap: 1.0, seed: 11),
            subject("maths", assessment: "Autumn mock", disadvantaged: 53, others: 126, gap: 1.3, seed: 12),
            subject("science", assessment: "Autumn mock", disadvantaged: 8, others: 30, gap: 0.8, seed: 13),
        ]
        let attendance = [
            attendance(.cohort, students: 180, meanAbsence: 0.06, seed: 21),
            attendance(.disadvantaged, students: 54, meanAbsence: 0.09, seed: 22),
            attendance(.others, students: 126, meanAbsence: 0.05, seed: 23),
            attendance(.fsm, students: 40, meanAbsence: 0.095, seed: 24),
            attendance(.lookedAfter, students: 4, meanAbsence: 0.1, seed: 25),
            attendance(.eal, students: 22, meanAbsence: 0.05, seed: 26),
            attendance(.sen, students: 27, meanAbsence: 0.08, seed: 27),
        ]
        let support = [
            SupportAggregates(type: "tutoring", label: "Tutoring", students: 30, disadvantagedStudents: 24, sessions: 240, hours: 240, spend: try! PoundsAndPence(pounds: 9_000)),
            SupportAggregates(type: "mentoring", label: "Mentoring", students: 14, disadvantagedStudents: 9, sessions: 84, hours: 63, spend: try! PoundsAndPence(pounds: 1_400)),
            SupportAggregates(type: "bursary", label: "Bursary", students: 3, disadvantagedStudents: 3, sessions: 0, hours: 0, spend: try! PoundsAndPence(pounds: 600)),
            SupportAggregates(type: "food_support", label: "Food support", students: 12, disadvantagedStudents: 12, sessions: 0, hours: 0, spend: try! PoundsAndPence(pounds: 480, pence: 50)),
        ]
        let total = SupportAggregates(type: nil, label: "All support", students: 46, disadvantagedStudents: 36, sessions: 324, hours: 303, spend: try! PoundsAndPence(pounds: 11_480, pence: 50))
        let funding = [
            FundingAggregates(source: "pupil_premium", label: "Pupil premium", students: 40, spend: try! PoundsAndPence(pounds: 10_000)),
            FundingAggregates(source: "recovery", label: "Recovery premium", students: 12, spend: try! PoundsAndPence(pounds: 1_480, pence: 50)),
        ]
        let currentAttendance = (attendance[1], attendance[2])
        let trend = [
            TermAggregates(
                term: term.advanced(by: -2), subjects: [subject("maths", assessment: "Year 10 summer exam", disadvantaged: 52, others: 124, gap: 1.5, seed: 31)],
                disadvantagedAttendance: SampleReport.attendance(.disadvantaged, students: 52, meanAbsence: 0.1, seed: 32),
                othersAttendance: SampleReport.attendance(.others, students: 124, meanAbsence: 0.05, seed: 33)),
            TermAggregates(
                term: term.advanced(by: -1), subjects: [subject("maths", assessment: "Year 10 summer exam", disadvantaged: 53, others: 125, gap: 1.4, seed: 34),
                                                        subject("english", assessment: "Year 10 summer exam", disadvantaged: 53, others: 125, gap: 1.1, seed: 35)],
                disadvantagedAttendance: nil, othersAttendance: nil),
            TermAggregates(term: term, subjects: Array(subjects.prefix(2)), disadvantagedAttendance: currentAttendance.0, othersAttendance: currentAttendance.1),
        ]
        return TermlyReportData(
            provider: provider, cohort: cohort, term: term, imports: imports, cohortSize: 180, groupCounts: counts, subjects: subjects,
            attendance: attendance, supportByType: support, supportTotal: total, funding: funding, trend: trend)
    }

    /// The governors' report, with small groups and what would reveal them withheld.
    static func report(for audience: ReportAudience = .governors) -> TermlyGapReport {
        let data = data()
        return try! TermlyReportShaping().shape(TermlyGapReportBuilder().build(data), data: data, for: audience)
    }
}
