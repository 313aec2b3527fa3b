import DisclosureControl
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import TestSupport
import Testing

/// A hand-made intake of 2022/23: 20 POLAR4 quintile 1 entrants of whom 15 continued, 40 in
/// quintile 5 of whom 36 continued, 30 in quintile 3 of whom 27 continued; four of the quintile 1
/// students are care leavers.
enum HandMadeIntake {
    static let year = AcademicYear(startYear: 2022)

    static var students: [LifecycleStudent] {
        var students: [LifecycleStudent] = []
        func add(_ count: Int, quintile: Int, continued: Int, careLeavers: Int = 0) {
            for index in 0..<count {
                students.append(LifecycleStudent(
                    studentID: students.count + 1, entryYear: year, polar4Quintile: quintile, careLeaver: index < careLeavers,
                    sex: index % 2 == 0 ? "F" : "M", continued: index < continued))
            }
        }
        add(20, quintile: 1, continued: 15, careLeavers: 4)
        add(40, quintile: 5, continued: 36)
        add(30, quintile: 3, continued: 27)
        return students
    }

    static func report(_ audience: ReportAudience) throws -> LifecycleReport {
        try LifecycleReportBuilder(audience: audience).build(
            providerCode: "test-uni", providerName: "Test University", students: students, years: [year],
            asOf: CalendarDate(year: 2025, month: 7, day: 31)!, imports: [1])
    }
}

extension LifecycleReport {
    func row(_ stage: LifecycleStage, _ characteristic: String) -> LifecycleGapRow {
        stages.first { $0.stage == stage }!.rows.first { $0.characteristic == characteristic }!
    }
}

@Suite("Student lifecycle report")
struct LifecycleReportTests {
    @Test("continuation by POLAR4: quintile 1 75.0%, quintile 5 90.0%, gap 15.0 points, against hand-worked intervals")
    func handWorkedRatesAndGap() throws {
        let row = try HandMadeIntake.report(.staff).row(.continuation, "polar4")
        // 15/20: Wilson centre (0.75 + 0.0960)/1.1921 = 0.7097, half-width 1.96·√(0.009375 + 0.0024)/1.1921 = 0.1784:
        // 53.1% to 88.8%. 36/40: centre (0.9 + 0.0480)/1.0960 = 0.8649, half-width 0.0955: 76.9% to 96.0%.
        #expect(row.group.students == 20 && row.group.positive == 15)
        expectClose(row.group.percent!, 75, tolerance: 1e-9)
        expectClose(row.group.lower!, 53.13, tolerance: 0.01)
        expectClose(row.group.upper!, 88.81, tolerance: 0.01)
        expectClose(row.comparison.lower!, 76.95, tolerance: 0.01)
        expectClose(row.comparison.upper!, 96.04, tolerance: 0.01)
        // Newcombe: 15 − √((90 − 76.95)² + (88.81 − 75)²) = 15 − 19.00 = −4.00;
        // 15 + √((96.04 − 90)² + (75 − 53.13)²) = 15 + 22.69 = 37.69.
        let gap = try #require(row.gap)
        expectClose(gap.points, 15, tolerance: 1e-9)
        expectClose(gap.lower, -4.00, tolerance: 0.01)
        expectClose(gap.upper, 37.69, tolerance: 0.01)
    }

    @Test("access: each group's share of the year's entrants, with no gap")
    func accessShares() throws {
        let report = try HandMadeIntake.report(.staff)
        let row = report.row(.access, "polar4")
        expectClose(row.group.percent!, 100 * 20.0 / 90, tolerance: 1e-9)
        expectClose(row.comparison.percent!, 100 * 40.0 / 90, tolerance: 1e-9)
        #expect(row.gap == nil)
        #expect(report.stages.first { $0.stage == .access }!.totals == [LifecycleCount(year: "2022/23", students: 90)])
        // Nobody has a completion, attainment or progression measure yet: those stages measure no one.
        #expect(report.stages.first { $0.stage == .completion }!.totals.first?.students == 0)
    }

    @Test("staff see the four care leavers, marked; governors and the public see c, and the auditor finds nothing to work out")
    func audiences() throws {
        let staff = try HandMadeIntake.report(.staff)
        #expect(staff.row(.continuation, "care-leaver").group.students == 4)
        #expect(staff.row(.continuation, "care-leaver").group.isSmall)
        #expect(try ReportFormat.table.render(staff).contains("†4"))
        for audience in [ReportAudience.governors, .public] {
            let shaped = try HandMadeIntake.report(audience)
            let careLeavers = shaped.row(.continuation, "care-leaver")
            #expect(careLeavers.group.students == nil && careLeavers.group.isWithheld)
            // 90 − 86 would give the four back: the comparison group or the total is withheld too.
            let total = shaped.stages.first { $0.stage == .continuation }!.totals[0].students
            #expect(careLeavers.comparison.students == nil || total == nil)
            // Five quintile 1 students did not continue: the rate would give five away with its n.
            #expect(shaped.row(.continuation, "polar4").group.percent == nil)
            #expect(shaped.row(.continuation, "polar4").gap == nil)
            for (trueSection, shapedSection) in zip(staff.stages, shaped.stages) {
                let audit = try LifecycleDisclosure.audit(
                    stage: trueSection.stage, total: trueSection.totals[0].students!, trueRows: trueSection.rows,
                    shapedRows: shapedSection.rows, shapedTotal: shapedSection.totals[0].students)
                #expect(audit.passes, "\(audience) \(trueSection.stage): \(audit.findings)")
                #expect(shapedSection.rows.allSatisfy { $0.group.positive == nil && $0.comparison.positive == nil })
            }
            for format in ReportFormat.allCases {
                let text = try format.render(shaped)
                #expect(!text.contains("†"), "\(audience) \(format)")
            }
        }
    }

    @Test("nothing school-only appears in any format for any audience")
    func noSchoolWords() throws {
        let forbidden = ["census", "fsm eligible", "eligible in the term", "ever 6", "ks4", "key stage", "months of learning",
                         "pupil", "autumn", "spring term", "summer term", "gap index"]
        for audience in ReportAudience.allCases {
            let report = try HandMadeIntake.report(audience)
            for format in ReportFormat.allCases {
                let text = try format.render(report).lowercased()
                #expect(text.contains("free school meals at school"), "\(audience) \(format)")
                for word in forbidden {
                    #expect(!text.contains(word), "'\(word)' in the \(audience) \(format) lifecycle report")
                }
            }
        }
    }

    @Test("the HTML has a gap chart for each characteristic with figures, each year a row with its interval")
    func htmlCharts() throws {
        let html = try ReportFormat.html.render(try HandMadeIntake.report(.staff))
        #expect(html.contains("id=\"continuation-polar4\""))
        #expect(html.contains("POLAR4 (young participation by area): gap, POLAR4 quintile 5 minus POLAR4 quintile 1"))
        #expect(html.contains("+15.0 pp"))
        #expect(!html.contains("<script"))
    }

    @Test("years of entry are read as a range and refused with a reason")
    func years() throws {
        #expect(try LifecycleYears(parsing: "2021/22-2024/25").years.map(\.description) == ["2021/22", "2022/23", "2023/24", "2024/25"])
        #expect(throws: LifecycleError.self) { try LifecycleYears(parsing: "2024/25-2021/22") }
        #expect(throws: LifecycleError.self) { try LifecycleYears(parsing: "2024") }
    }
}

/// A hand-made intake large enough for governors to see rates: 40 POLAR4 quintile 1 entrants of
/// whom 28 continued (70.0%), 60 in quintile 5 of whom 48 continued (80.0%), 30 in quintile 3 of
/// whom 27 continued; the first four of quintile 1 are care leavers (all four continued); the
/// first twelve of quintile 5 are disabled (all twelve continued).
enum GovernorsIntake {
    static var students: [LifecycleStudent] {
        var students: [LifecycleStudent] = []
        func add(_ count: Int, quintile: Int, continued: Int, careLeavers: Int = 0, disabled: Int = 0) {
            for index in 0..<count {
                students.append(LifecycleStudent(
                    studentID: students.count + 1, entryYear: HandMadeIntake.year, polar4Quintile: quintile,
                    careLeaver: index < careLeavers, disabled: index < disabled, sex: index % 2 == 0 ? "F" : "M",
                    continued: index < continued))
            }
        }
        add(40, quintile: 1, continued: 28, careLeavers: 4)
        add(60, quintile: 5, continued: 48, disabled: 12)
        add(30, quintile: 3, continued: 27)
        return students
    }

    static func report(_ audience: ReportAudience) throws -> LifecycleReport {
        try LifecycleReportBuilder(audience: audience).build(
            providerCode: "test-uni", providerName: "Test University", students: students, years: [HandMadeIntake.year],
            asOf: CalendarDate(year: 2025, month: 7, day: 31)!, imports: [1])
    }
}

@Suite("Student lifecycle report: what governors and the public see")
struct LifecycleGovernorsRatesTests {
    @Test("governors see continuation rates of groups with 10 or more either way, c for small groups and small complements, and the auditor passes")
    func governorsSeeRates() throws {
        let staff = try GovernorsIntake.report(.staff)
        for audience in [ReportAudience.governors, .public] {
            let shaped = try GovernorsIntake.report(audience)
            // 28 of 40 continued and 12 did not: 70.0%; 48 of 60 and 12: 80.0%; gap 10.0 points.
            let polar = shaped.row(.continuation, "polar4")
            #expect(polar.group.students == 40 && polar.comparison.students == 60, "\(audience)")
            expectClose(try #require(polar.group.percent), 70, tolerance: 1e-9)
            expectClose(try #require(polar.comparison.percent), 80, tolerance: 1e-9)
            expectClose(try #require(polar.gap).points, 10, tolerance: 1e-9)
            // Four care leavers: c, and no rate.
            let care = shaped.row(.continuation, "care-leaver")
            #expect(care.group.students == nil && care.group.percent == nil && care.group.isWithheld)
            // 12 disabled students, all of whom continued: the count is printed, but 100% would
            // say that none of them left (0 < 10): the rate is c, and so is the gap.
            let disabled = shaped.row(.continuation, "disabled")
            #expect(disabled.group.students == 12)
            #expect(disabled.group.percent == nil && disabled.gap == nil)
            // The 118 without a disability: 48 − 12 + 28 + 27 = 91 continued (77.1%), 27 did not.
            #expect(disabled.comparison.students == 118)
            expectClose(try #require(disabled.comparison.percent), 100 * 91.0 / 118, tolerance: 1e-9)
            for (trueSection, shapedSection) in zip(staff.stages, shaped.stages) {
                let audit = try LifecycleDisclosure.audit(
                    stage: trueSection.stage, total: trueSection.totals[0].students!, trueRows: trueSection.rows,
                    shapedRows: shapedSection.rows, shapedTotal: shapedSection.totals[0].students)
                #expect(audit.passes, "\(audience) \(trueSection.stage): \(audit.findings)")
            }
            let text = try ReportFormat.table.render(shaped)
            #expect(text.contains("70.0%"), "\(audience): \(text)")
        }
    }
}
