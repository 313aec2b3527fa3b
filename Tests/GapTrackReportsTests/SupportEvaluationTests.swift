import DisclosureControl
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import TestSupport
import Testing

/// A hand-made 2022/23 intake where support went mostly to the more deprived students.
///
/// IMD quintile 1 (tariff 100): 20 received a bursary, 17 continued; 10 did not, 6 continued.
/// IMD quintile 5 (tariff 140): 6 received a bursary, all continued; 24 did not, 18 continued.
/// Within each quintile the bursary holders continue 25 points more (0.85 − 0.60, 1.00 − 0.75), so
/// a model additive in bursary and quintile fits the four cell means exactly and gives +25.0
/// points. Raw, the holders are 23 of 26 (88.5%) against 24 of 34 (70.6%): +17.9 points, less,
/// because the holders come mostly from the quintile that continues less.
enum SupportIntake {
    static let year = AcademicYear(startYear: 2022)
    static let commenced = CalendarDate(year: 2022, month: 9, day: 26)!

    static var students: [LifecycleStudent] {
        var students: [LifecycleStudent] = []
        func add(_ count: Int, imd: Int, tariff: Int, continued: Int) {
            for index in 0..<count {
                students.append(LifecycleStudent(
                    studentID: students.count + 1, entryYear: year, tariffPoints: tariff, imdQuintile: imd,
                    careLeaver: false, firstInFamily: imd == 1, continued: index < continued, commencedOn: commenced))
            }
        }
        add(20, imd: 1, tariff: 100, continued: 17)  // ids 1-20: bursary
        add(10, imd: 1, tariff: 100, continued: 6)   // 21-30
        add(6, imd: 5, tariff: 140, continued: 6)    // 31-36: bursary
        add(24, imd: 5, tariff: 140, continued: 18)  // 37-60
        return students
    }

    static var support: [FirstYearSupport] {
        (Array(1...20) + Array(31...36)).map {
            FirstYearSupport(studentID: $0, commencedOn: commenced, type: "bursary", fundingSource: "bursary_fund", amount: 1_000)
        }
    }

    static func report(_ audience: ReportAudience) throws -> SupportEvaluationReport {
        try SupportEvaluationBuilder(audience: audience).build(
            providerCode: "test-uni", providerName: "Test University", students: students, support: support, years: [year],
            asOf: CalendarDate(year: 2025, month: 7, day: 31)!, imports: [1])
    }
}

@Suite("Did cost-of-living support help? The evaluation report")
struct SupportEvaluationTests {
    @Test("continuation: raw and regression-adjusted differences, uptake and spend, against hand-worked values")
    func handWorked() throws {
        let report = try SupportIntake.report(.staff)
        let continuation = try #require(report.effects.first { $0.outcome == .continuation })
        #expect(continuation.measured == 60)
        let bursary = try #require(continuation.rows.first { $0.comparison.characteristic == "bursary" })
        #expect(bursary.comparison.group.students == 26 && bursary.comparison.comparison.students == 34)
        #expect(abs(try #require(bursary.comparison.group.percent) - 100.0 * 23 / 26) < 1e-9)
        let raw: Double = 100 * (23.0 / 26 - 24.0 / 34)
        let rawGap = try #require(bursary.comparison.gap?.points)
        #expect(abs(rawGap - raw) < 1e-9)
        let adjusted = try #require(bursary.adjusted)
        #expect(abs(adjusted.points - 25) < 1e-9)
        #expect(adjusted.lower < 25 && adjusted.upper > 25)
        // Nobody had a hardship award: no comparison to make.
        #expect(continuation.rows.first { $0.comparison.characteristic == "hardship_award" }?.adjusted == nil)
        // No one has completed or graduated yet by this data: nothing to measure.
        #expect(report.effects.first { $0.outcome == .completion }?.measured == 0)

        let all = try #require(report.uptake.first { $0.group == "all" })
        #expect(all.entrants == 60)
        #expect(abs(try #require(all.rows.first { $0.characteristic == "bursary" }?.group.percent) - 100.0 * 26 / 60) < 1e-9)
        let imd1 = try #require(report.uptake.first { $0.group == "imd_q1" })
        #expect(imd1.rows.first { $0.characteristic == "bursary" }?.group.students == 20)
        #expect(report.spend == [SupportSpendRow(fund: "bursary_fund", kind: "bursary", kindName: "Bursary", students: 26, pounds: 26_000)])
    }

    @Test("every format prints the adjusted difference, the caveats and charts; nothing school-only")
    func formats() throws {
        let report = try SupportIntake.report(.staff)
        for format in ReportFormat.allCases {
            let text = try format.render(report)
            #expect(text.contains("+25.0") || text.contains("25.0"), "\(format)")
            #expect(text.contains("randomised control trial"), "\(format)")
            for word in ["census", "fsm eligible", "ever 6", "ks4", "pupil", "spring term"] {
                #expect(!text.lowercased().contains(word), "\(format): \(word)")
            }
        }
        let html = try ReportFormat.html.render(report)
        #expect(html.contains("<svg") && html.contains("adjusted difference"))
        #expect(html.contains("share of 60 entrants who received each kind"))
    }

    @Test("governors and the public: small groups withheld, no student-level counts, and the auditor finds nothing recoverable")
    func governors() throws {
        let staff = try SupportIntake.report(.staff)
        for audience in [ReportAudience.governors, .public] {
            let shaped = try SupportIntake.report(audience)
            // Six bursary holders in quintile 5 would be a small group: withheld.
            let imd5 = try #require(shaped.uptake.first { $0.group == "imd_q5" })
            #expect(imd5.rows.first { $0.characteristic == "bursary" }?.group.students == nil)
            for (trueSection, shapedSection) in zip(staff.uptake, shaped.uptake) {
                let audit = try LifecycleDisclosure.audit(stage: .access, total: trueSection.entrants!, trueRows: trueSection.rows,
                                                          shapedRows: shapedSection.rows, shapedTotal: shapedSection.entrants)
                #expect(audit.passes, "\(audience) uptake \(trueSection.group): \(audit.findings)")
            }
            for (trueSection, shapedSection) in zip(staff.effects, shaped.effects) where trueSection.measured! > 0 {
                let audit = try LifecycleDisclosure.audit(
                    stage: trueSection.outcome, total: trueSection.measured!, trueRows: trueSection.rows.map(\.comparison),
                    shapedRows: shapedSection.rows.map(\.comparison), shapedTotal: shapedSection.measured)
                #expect(audit.passes, "\(audience) \(trueSection.outcome): \(audit.findings)")
                #expect(shapedSection.rows.allSatisfy { $0.comparison.group.positive == nil && $0.comparison.comparison.positive == nil })
                // An adjusted difference is never shown beside a withheld rate.
                #expect(shapedSection.rows.allSatisfy { $0.adjusted == nil || !($0.comparison.group.isWithheld || $0.comparison.comparison.isWithheld) })
            }
            #expect(shaped.spend.allSatisfy { ($0.students ?? 10) >= 10 })
            for format in ReportFormat.allCases {
                #expect(!(try format.render(shaped)).contains("†"), "\(audience) \(format)")
            }
        }
    }

    /// Bursaries from two funds: 23 students from the university's fund, 3 from a trust's. The
    /// uptake table prints that 26 received a bursary; were the 23 printed, 26 − 23 would give the
    /// trust's 3 away to anyone who knows a student's bursary comes from one fund. So governors
    /// and the public see neither row of that kind; staff see both.
    @Test("governors: a kind's fund rows are withheld together when one is small")
    func spendRowsOfAKindWithheldTogether() throws {
        let support = SupportIntake.support.enumerated().map { index, record in
            var record = record
            if index >= 23 { record.fundingSource = "trust_fund" }
            return record
        }
        func report(_ audience: ReportAudience) throws -> SupportEvaluationReport {
            try SupportEvaluationBuilder(audience: audience).build(
                providerCode: "test-uni", providerName: "Test University", students: SupportIntake.students, support: support,
                years: [SupportIntake.year], asOf: CalendarDate(year: 2025, month: 7, day: 31)!, imports: [1])
        }
        let staff = try report(.staff)
        #expect(staff.spend.map(\.students) == [23, 3])
        #expect(staff.spend.map(\.pounds) == [23_000, 3_000])
        #expect(staff.uptake.first { $0.group == "all" }?.rows.first { $0.characteristic == "bursary" }?.group.students == 26)
        for audience in [ReportAudience.governors, .public] {
            let shaped = try report(audience)
            #expect(shaped.spend.count == 2)
            #expect(shaped.spend.allSatisfy { $0.students == nil && $0.pounds == nil }, "\(audience): \(shaped.spend)")
        }
    }
}
