import DisclosureControl
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import TestSupport
import Testing

/// Applications over `SupportIntake` (60 entrants of 2022/23; ids 1-20 and 31-36 received a bursary).
///
/// IMD quintile 1 (ids 1-30): 1-18 applied and were decided eligible; 19-20 received a bursary with
/// no application recorded (an award is an application granted); 21-24 have no decision, income
/// £20,000 under the £25,000 threshold (eligible by the rule); 25-26 no decision, £30,000 (not
/// eligible); 27 withdrew; 28 applied with nothing assessed; 29-30 did not apply. So 30 entrants,
/// 28 applied, 24 eligible, 20 received.
/// IMD quintile 5 (ids 31-60): 31-36 applied, eligible, received; 37-48 were decided ineligible;
/// 49-60 did not apply: 30, 18, 6, 6.
/// All: 60 entrants, 46 applied (76.7%), 30 eligible (65.2% of 46), 26 received (86.7% of 30).
enum SupportApplicationsIntake {
    static var applications: [SupportApplication] {
        let year = SupportIntake.year
        var list: [SupportApplication] = []
        for id in 1...18 { list.append(SupportApplication(studentID: id, academicYear: year, decision: "eligible", awarded: true)) }
        for id in 21...24 { list.append(SupportApplication(studentID: id, academicYear: year, decision: nil, householdIncome: 20_000, incomeThreshold: 25_000)) }
        for id in 25...26 { list.append(SupportApplication(studentID: id, academicYear: year, decision: nil, householdIncome: 30_000, incomeThreshold: 25_000)) }
        list.append(SupportApplication(studentID: 27, academicYear: year, decision: "withdrawn"))
        list.append(SupportApplication(studentID: 28, academicYear: year, decision: nil))
        for id in 31...36 { list.append(SupportApplication(studentID: id, academicYear: year, decision: "eligible", awarded: true)) }
        for id in 37...48 { list.append(SupportApplication(studentID: id, academicYear: year, decision: "ineligible")) }
        // An application for a later year is not the first year's.
        list.append(SupportApplication(studentID: 29, academicYear: AcademicYear(startYear: 2023), decision: "eligible"))
        return list
    }

    static func report(_ audience: ReportAudience) throws -> SupportEvaluationReport {
        try SupportEvaluationBuilder(audience: audience).build(
            providerCode: "test-uni", providerName: "Test University", students: SupportIntake.students, support: SupportIntake.support,
            applications: applications, years: [SupportIntake.year], asOf: CalendarDate(year: 2025, month: 7, day: 31)!, imports: [1])
    }
}

@Suite("Did cost-of-living support help? Applied, eligible, received")
struct SupportFunnelTests {
    @Test("staff: the funnel of each group against hand-worked counts, shares and Wilson intervals")
    func handWorked() throws {
        let report = try SupportApplicationsIntake.report(.staff)
        func funnel(_ group: String) throws -> [LifecycleRate] { try #require(report.uptake.first { $0.group == group }?.funnel) }
        #expect(try funnel("all").map(\.students) == [46, 30, 26])
        #expect(try funnel("imd_q1").map(\.students) == [28, 24, 20])
        #expect(try funnel("imd_q5").map(\.students) == [18, 6, 6])
        let all = try funnel("all")
        expectClose(try #require(all[0].percent), 100 * 46.0 / 60, tolerance: 1e-9)
        expectClose(try #require(all[1].percent), 100 * 30.0 / 46, tolerance: 1e-9)
        expectClose(try #require(all[2].percent), 100 * 26.0 / 30, tolerance: 1e-9)
        // 46/60, Wilson: centre (0.76667 + 1.9208/60)/(1 + 3.8416/60) = 0.75062, half-width
        // 1.96·√(0.17889/60 + 3.8416/14400)/1.06403 = 0.10499: 64.56% to 85.56%.
        expectClose(try #require(all[0].lower), 64.56, tolerance: 0.01)
        expectClose(try #require(all[0].upper), 85.56, tolerance: 0.01)
        // Without applications there is no funnel, and the caveat says why.
        let none = try SupportIntake.report(.staff)
        #expect(none.uptake.allSatisfy { $0.funnel == nil })
        #expect(none.caveats.contains { $0.contains("No applications are recorded") })
        #expect(report.caveats.contains { $0.contains("household income below the fund's threshold") })
        for format in ReportFormat.allCases {
            let text = try format.render(report)
            #expect(text.contains("Eligible") || text.contains("eligible"), "\(format)")
            #expect(format == .json || text.contains("pplied"), "\(format)")
        }
        #expect(try ReportFormat.html.render(report).contains("id=\"funnel-all\""))
    }

    @Test("governors and the public: shares and counts of 10 or more either way, c otherwise, and the auditor passes every group")
    func audiences() throws {
        let staff = try SupportApplicationsIntake.report(.staff)
        for audience in [ReportAudience.governors, .public] {
            let shaped = try SupportApplicationsIntake.report(audience)
            let all = try #require(shaped.uptake.first { $0.group == "all" }?.funnel)
            // 46 applied of 60 and 14 did not: printed, 76.7%.
            #expect(all[0].students == 46)
            expectClose(try #require(all[0].percent), 100 * 46.0 / 60, tolerance: 1e-9)
            // 30 eligible and 26 received leave 4 eligible who received nothing: one of the two is
            // hidden, and the share received of those eligible is c.
            #expect(all[1].students == nil || all[2].students == nil)
            #expect(all[2].percent == nil)
            let q5 = try #require(shaped.uptake.first { $0.group == "imd_q5" }?.funnel)
            #expect(q5[1].students == nil && q5[2].students == nil)
            for (trueSection, shapedSection) in zip(staff.uptake, shaped.uptake) {
                let trueSteps = try #require(trueSection.funnel)
                let shapedSteps = try #require(shapedSection.funnel)
                #expect(shapedSteps.allSatisfy { $0.positive == nil && ($0.students ?? 10) >= 10 }, "\(audience) \(trueSection.group)")
                let audit = try SupportFunnel.audit(
                    entrants: try #require(trueSection.entrants), trueSteps: trueSteps, shapedSteps: shapedSteps,
                    entrantsShown: shapedSection.entrants != nil, receivedShown: shapedSection.rows.last?.group.students != nil)
                #expect(audit.passes, "\(audience) \(trueSection.group): \(audit.findings)")
            }
            for format in ReportFormat.allCases {
                #expect(!(try format.render(shaped)).contains("†"), "\(audience) \(format)")
            }
        }
    }
}
