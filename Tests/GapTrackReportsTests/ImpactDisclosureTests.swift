import DisclosureControl
import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Testing

/// Impact reports under attack (docs/methodology.md §7.6): every governors' and public impact
/// report, read back into the figures it prints and the relations between them
/// (`ImpactReportTables.published`), leaves no withheld figure that the disclosure auditor can
/// narrow below its protection level; staff read every figure. No database: the aggregates are
/// made here, some by hand, most from randomised cohorts with small groups planted where they
/// leak (participants = matched, a fund that pays for one type, a support taken by 5 of one
/// group, zeros).
@Suite struct ImpactDisclosureTests {
    static let provider = ImpactRendererTests.provider
    static let period = ImpactPeriod(from: CalendarDate(year: 2024, month: 8, day: 1)!, to: CalendarDate(year: 2025, month: 7, day: 31)!)

    static func pence(_ value: Int) -> PoundsAndPence { try! PoundsAndPence(pence: value) }

    /// Participants with a type, a fund and an amount: the spend tables are aggregated from them,
    /// as the SQL does (distinct students per row).
    struct Supported {
        var student: Int
        var type: String
        var fund: String
        var pence: Int
    }

    static func spend(_ records: [Supported], label: String) -> SpendAggregates {
        func line(_ code: String?, _ rows: [Supported]) -> SpendLine {
            SpendLine(code: code, label: code.map { $0.replacingOccurrences(of: "_", with: " ").capitalized } ?? label,
                      students: Set(rows.map(\.student)).count, spend: pence(rows.reduce(0) { $0 + $1.pence }))
        }
        let funds = Set(records.map(\.fund)).sorted()
        let types = Set(records.map(\.type)).sorted()
        return SpendAggregates(
            byFundingSource: funds.map { fund in line(fund, records.filter { $0.fund == fund }) },
            byType: types.map { type in line(type, records.filter { $0.type == type }) },
            total: line(nil, records), recordsWithoutAmount: 0)
    }

    static func moments(_ count: Int, mean: Double, using generator: inout SeededGenerator) -> OutcomeMoments? {
        OutcomeMoments((0..<count).map { _ in mean + Normal.sample(mean: 0, standardDeviation: 0.7, using: &generator) })
    }

    /// Strata of `participants` matched students spread over a few strata (some without a
    /// comparison student when `unmatched` > 0).
    static func strata(matched: Int, unmatched: Int, comparisonPerStratum: ClosedRange<Int>, using g: inout SeededGenerator) -> [MatchedStratum] {
        var strata = [MatchedStratum]()
        var left = matched
        var index = 0
        while left > 0 {
            let n = min(left, Int.random(in: 1...max(1, matched / 2 + 1), using: &g))
            left -= n
            strata.append(MatchedStratum(
                key: "s\(index)", participants: moments(n, mean: 0.2, using: &g),
                comparison: moments(Int.random(in: comparisonPerStratum, using: &g), mean: 0, using: &g)))
            index += 1
        }
        if unmatched > 0 { strata.append(MatchedStratum(key: "unmatched", participants: moments(unmatched, mean: 0, using: &g), comparison: nil)) }
        return strata
    }

    /// A school impact report's data for a programme of two or three types: `planted` picks the
    /// small group planted in it.
    static func school(seed: UInt64) -> ImpactData {
        var g = SeededGenerator(seed: seed)
        let planted = seed % 4
        let participants = Int.random(in: 12...60, using: &g)
        // 0: participants = matched (two zeros beside them); else a few unmatched or without results.
        let unmatched = planted == 0 ? 0 : Int.random(in: 0...4, using: &g)
        let missing = planted == 0 ? 0 : Int.random(in: 0...min(6, participants - unmatched - 1), using: &g)
        let matched = participants - unmatched - missing
        let attendanceMissing = Int.random(in: 0...3, using: &g)
        // Types: tutoring for most; a small type (1 to 9) paid from a fund no other type uses.
        let small = planted == 1 ? 0 : Int.random(in: 1...9, using: &g)
        var records = [Supported]()
        for student in 0..<participants {
            if student < small {
                records.append(Supported(student: student, type: "care_experienced_transition", fund: "virtual_school", pence: 4_000 + 37 * student))
            } else {
                records.append(Supported(student: student, type: "tutoring", fund: student % 3 == 0 ? "recovery" : "pupil_premium", pence: 25_000 + 11 * student))
                if planted == 2, student % 5 == 0 {
                    records.append(Supported(student: student, type: "mentoring", fund: "pupil_premium", pence: 9_000))
                }
            }
        }
        return ImpactData(
            provider: provider, intervention: .programme("P-\(seed)"), cohort: ReportCohort(code: "year-9", label: "Year 9"), period: period,
            before: try! AssessmentPointSelector(parsing: "maths@2024/25-autumn"), after: try! AssessmentPointSelector(parsing: "maths@2024/25-summer"),
            imports: [],
            design: .school(SchoolImpactAggregates(
                participants: participants, comparisonPool: Int.random(in: 40...200, using: &g), excluded: Int.random(in: 0...12, using: &g),
                priorBand: .beforeTerciles,
                attainment: strata(matched: matched, unmatched: unmatched, comparisonPerStratum: 2...30, using: &g),
                attendance: strata(matched: participants - attendanceMissing, unmatched: 0, comparisonPerStratum: 2...30, using: &g),
                standardisation: [CohortStandardisation(cohort: "9", beforeStudents: 150, beforeStandardDeviation: 12, method: "change over before SD", banding: "ks2")])),
            spend: spend(records, label: "All participants"))
    }

    /// A university's year of cost-of-living support: bursaries from a fund of their own, the
    /// other kinds from the hardship fund, one kind taken by only a few of one group.
    static func costOfLiving(seed: UInt64) -> ImpactData {
        var g = SeededGenerator(seed: seed)
        let lseb = Int.random(in: 40...400, using: &g)
        let others = Int.random(in: 15...300, using: &g)
        let kinds: [(InterventionType, String)] = [(.hardshipAward, "hardship_fund"), (.bursary, "bursary_fund"), (.foodSupport, "hardship_fund"), (.housingSupport, "hardship_fund")]
        var records = [Supported]()
        var uptake = [(InterventionType, Set<Int>, Set<Int>)]()
        for (k, (kind, fund)) in kinds.enumerated() {
            // Student numbers: LSEB 0..<lseb, others lseb..<lseb+others.
            let smallSide = Int(seed % 3)
            var lsebTaking = Int.random(in: 0...(lseb / 3), using: &g)
            var othersTaking = Int.random(in: 0...(others / 3), using: &g)
            if k == Int(seed % 4) {
                if smallSide == 0 { othersTaking = Int.random(in: 0...9, using: &g) } else if smallSide == 1 { lsebTaking = Int.random(in: 1...9, using: &g) }
                else { lsebTaking = lseb - Int.random(in: 1...5, using: &g) }
            }
            let l = Set((0..<lsebTaking).map { ($0 + 7 * k) % lseb })
            let o = Set((0..<othersTaking).map { lseb + ($0 + 11 * k) % others })
            for student in l.union(o) { records.append(Supported(student: student, type: kind.rawValue, fund: fund, pence: 10_000 * (k + 1) + student)) }
            uptake.append((kind, l, o))
        }
        let anyLSEB = uptake.reduce(Set<Int>()) { $0.union($1.1) }
        let anyOthers = uptake.reduce(Set<Int>()) { $0.union($1.2) }
        let entrants = anyLSEB.count / 2
        let unknown = seed % 5 == 0 ? 0 : Int.random(in: 0...3, using: &g)
        let unmatched = max(0, min(entrants - unknown, Int.random(in: 0...4, using: &g)))
        let withMarks = max(0, anyLSEB.count - Int.random(in: 0...6, using: &g))
        return ImpactData(
            provider: ReportProvider(code: "test-university", name: "Test University", kind: .university), intervention: .costOfLiving, cohort: nil,
            period: period, before: nil, after: nil, imports: [],
            design: .costOfLiving(CostOfLivingAggregates(
                academicYear: try! AcademicYear(parsing: "2024/25"), lsebStudents: lseb, otherStudents: others,
                uptake: [UptakeAggregates(type: nil, label: "Any cost-of-living support", lsebSupported: anyLSEB.count, othersSupported: anyOthers.count)]
                    + uptake.map { UptakeAggregates(type: $0.0, label: ImpactIntervention.label(for: $0.0), lsebSupported: $0.1.count, othersSupported: $0.2.count) },
                supportedLSEB: anyLSEB.count,
                continuation: strata(matched: max(0, entrants - unknown - unmatched), unmatched: unmatched, comparisonPerStratum: 3...40, using: &g),
                continuationUnknown: unknown,
                moduleMarks: strata(matched: withMarks, unmatched: 0, comparisonPerStratum: 3...40, using: &g))),
            spend: spend(records, label: "All supported students"))
    }

    static func audit(_ report: ImpactReport, _ data: ImpactData) throws -> DisclosureAudit {
        try DisclosureAuditor(threshold: report.suppressionThreshold).audit(try ImpactReportTables.published(report, data: data))
    }

    /// For a governors' or public report: the auditor narrows no withheld figure below its
    /// protection level.
    static func expectNothingRecoverable(_ report: ImpactReport, _ data: ImpactData) throws {
        guard report.audience.suppresses else { return }
        let audit = try audit(report, data)
        #expect(audit.passes, "\(report.title), \(report.audience): \(audit.findings.map(\.description))")
    }

    // MARK: - Hand-worked

    /// Participants = matched (25): unmatched and without results are both 0, withheld, and
    /// would be given away by the two shown; one of those is withheld too.
    @Test func participantsEqualToMatchedDoNotGiveTheZerosAway() throws {
        var data = ImpactRendererTests.schoolData()
        guard case var .school(school) = data.design else { Issue.record("not a school"); return }
        var g = SeededGenerator(seed: 3)
        school.attainment = Self.strata(matched: 25, unmatched: 0, comparisonPerStratum: 20...30, using: &g)
        school.attendance = Self.strata(matched: 25, unmatched: 0, comparisonPerStratum: 20...30, using: &g)
        school.participants = 25
        data.design = .school(school)
        data.spend = Self.spend((0..<25).map { Supported(student: $0, type: "tutoring", fund: "pupil_premium", pence: 20_000) }, label: "All participants")
        let report = ImpactReportBuilder(audience: .governors).build(data)
        #expect(report.count("attainment.unmatched")?.students == .suppressed(.belowThreshold(threshold: 10)))
        #expect(report.count("attainment.missing")?.students == .suppressed(.belowThreshold(threshold: 10)))
        #expect(report.count("participants")?.students.isSuppressed == true || report.count("attainment.matched")?.students.isSuppressed == true)
        let audit = try Self.audit(report, data)
        #expect(audit.passes, "\(audit.findings.map(\.description))")
        #expect(audit.figures.count >= 3)

        // Shown as they are: the auditor works both zeros out.
        let staff = ImpactReportBuilder(audience: .staff).build(data)
        var leaked = try ImpactReportTables.published(staff, data: data)
        leaked.setVisibility(.suppressed, of: "count.attainment.unmatched")
        leaked.setVisibility(.suppressed, of: "count.attainment.missing")
        let findings = try DisclosureAuditor().audit(leaked).findings
        #expect(findings.filter { $0.cell.rawValue.hasPrefix("count.attainment.") }.map(\.kind) == [.zeroInferable, .zeroInferable])
    }

    /// A programme of 30 tutored pupils and 4 on a care-experienced programme paid from the virtual
    /// school's fund alone: the fund's row and the type's row are both 4 pupils, withheld; their
    /// spend is the total less tutoring's (by type) and less the pupil premium's (by fund), so a
    /// spend figure of each table is withheld with them.
    @Test func aTypePaidFromItsOwnFundIsNotGivenAwayByTheTotal() throws {
        var data = ImpactRendererTests.schoolData()
        data.intervention = .programme("P")
        let records = (0..<34).map { i in
            i < 4 ? Supported(student: i, type: "care_experienced_transition", fund: "virtual_school", pence: 50_000)
                : Supported(student: i, type: "tutoring", fund: "pupil_premium", pence: 30_000)
        }
        data.spend = Self.spend(records, label: "All participants")
        let report = ImpactReportBuilder(audience: .governors).build(data)
        let care = try #require(report.spend.byType.first { $0.id == "care_experienced_transition" })
        let fund = try #require(report.spend.byFundingSource.first { $0.id == "virtual_school" })
        #expect(care.spend.isSuppressed && fund.spend.isSuppressed)
        // Total − tutoring = care: either the total or tutoring is withheld too.
        let tutoring = try #require(report.spend.byType.first { $0.id == "tutoring" })
        #expect(report.spend.total.spend.isSuppressed || tutoring.spend.isSuppressed)
        let audit = try Self.audit(report, data)
        #expect(audit.passes, "\(audit.findings.map(\.description))")

        // Staff see every figure, the small rows marked nowhere withheld.
        let staff = ImpactReportBuilder(audience: .staff).build(data)
        #expect(staff.spend.byType.allSatisfy { !$0.spend.isSuppressed && !$0.students.isSuppressed })
        #expect(staff.spend.byFundingSource.first { $0.id == "virtual_school" }?.students == .value(4))
    }

    /// 46 LSEB and 5 other students had housing support; the spend table's 51 supported students
    /// are 46 + 5, so the 5 cannot be withheld alone.
    @Test func uptakeIsProtectedAcrossTheSpendTable() throws {
        var data = Self.costOfLiving(seed: 1)
        guard case var .costOfLiving(year) = data.design else { Issue.record("not cost of living"); return }
        var records = [Supported]()
        for s in 0..<300 { records.append(Supported(student: s, type: "bursary", fund: "bursary_fund", pence: 100_000)) }
        for s in 0..<46 { records.append(Supported(student: 1_000 + s, type: "housing_support", fund: "hardship_fund", pence: 143_000)) }
        for s in 0..<5 { records.append(Supported(student: 2_000 + s, type: "housing_support", fund: "hardship_fund", pence: 143_000)) }
        for s in 0..<40 { records.append(Supported(student: 3_000 + s, type: "bursary", fund: "bursary_fund", pence: 100_000)) }
        year.lsebStudents = 900
        year.otherStudents = 500
        year.uptake = [
            UptakeAggregates(type: nil, label: "Any cost-of-living support", lsebSupported: 346, othersSupported: 45),
            UptakeAggregates(type: .bursary, label: "Bursary", lsebSupported: 300, othersSupported: 40),
            UptakeAggregates(type: .housingSupport, label: "Housing support", lsebSupported: 46, othersSupported: 5),
        ]
        year.supportedLSEB = 346
        data.design = .costOfLiving(year)
        data.spend = Self.spend(records, label: "All supported students")
        let report = ImpactReportBuilder(audience: .governors).build(data)
        let housing = try #require(report.uptake.first { $0.type == .housingSupport })
        #expect(housing.othersSupported == .suppressed(.belowThreshold(threshold: 10)))
        let housingSpend = try #require(report.spend.byType.first { $0.id == "housing_support" })
        #expect(housingSpend.students.isSuppressed || housing.lsebSupported.isSuppressed, "51 − 46 = 5")
        let audit = try Self.audit(report, data)
        #expect(audit.passes, "\(audit.findings.map(\.description))")

        // The rule of one row at a time (a share withheld under 10, nothing else) leaks it.
        var perRow = try ImpactReportTables.published(ImpactReportBuilder(audience: .staff).build(data), data: data)
        let others = try #require(perRow.cells.first { $0.label == "Uptake, Housing support, other students" }?.id)
        perRow.setVisibility(.suppressed, of: others)
        let finding = try #require(try DisclosureAuditor().audit(perRow).findings.first { $0.cell == others })
        #expect(finding.kind == .recoveredExactly && finding.value == 5)
    }

    // MARK: - Randomised cohorts

    /// 120 school programmes and 120 university years with small groups planted: no governors' or
    /// public report gives a withheld figure away; the staff report withholds nothing.
    @Test(arguments: 0..<8)
    func randomisedCohortsGiveNothingAway(batch: Int) throws {
        for i in 0..<30 {
            let seed = UInt64(batch * 30 + i)
            for data in [Self.school(seed: seed), Self.costOfLiving(seed: seed)] {
                for audience in [ReportAudience.governors, .public] {
                    let report = ImpactReportBuilder(audience: audience).build(data)
                    let audit = try Self.audit(report, data)
                    #expect(audit.passes, "seed \(seed) \(data.intervention.label) \(audience): \(audit.findings.map(\.description))")
                    // Every cohort has a small group planted (attendance without data, at least), withheld.
                    #expect(!audit.figures.isEmpty, "seed \(seed): nothing withheld")
                }
                let staff = ImpactReportBuilder(audience: .staff).build(data)
                let tables = try ImpactReportTables.published(staff, data: data)
                #expect(tables.suppressed.isEmpty, "seed \(seed): staff see \(tables.suppressed)")
            }
        }
    }

    /// Protected counts are taken last: with one small count among participants and matching, the
    /// smallest unprotected one is withheld to protect it, not the matched count.
    @Test func theMatchedCountIsWithheldOnlyWhenNothingElseWillDo() throws {
        var data = ImpactRendererTests.schoolData()
        guard case var .school(school) = data.design else { Issue.record("not a school"); return }
        var g = SeededGenerator(seed: 5)
        school.attainment = Self.strata(matched: 14, unmatched: 4, comparisonPerStratum: 20...30, using: &g)
        school.attendance = Self.strata(matched: 40, unmatched: 0, comparisonPerStratum: 20...30, using: &g)
        school.participants = 60
        data.design = .school(school)
        data.spend = Self.spend((0..<60).map { Supported(student: $0, type: "tutoring", fund: "pupil_premium", pence: 20_000) }, label: "All participants")
        let report = ImpactReportBuilder(audience: .governors).build(data)
        #expect(report.count("attainment.unmatched")?.students == .suppressed(.belowThreshold(threshold: 10)))
        #expect(report.count("attainment.missing")?.students == .suppressed(.protectsSuppressedCell))
        #expect(report.count("attainment.matched")?.students == .value(14))
        #expect(report.count("participants")?.students == .value(60))
    }
}

