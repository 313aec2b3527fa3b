import Foundation
import GapTrackDomain

/// Demo University's support-applications.csv: the first-year applications behind the support of
/// every intake, and the applications that led to nothing, so the evaluation can show the funnel
/// eligible → applied → received (docs/methodology.md §11.9).
///
/// Every award has an application decided eligible, with a household income under the fund's
/// threshold, linked to the award. Students without an award apply to the hardship fund more often
/// the more deprived their area (IMD quintile 1: 14%, quintile 5: 2%); of those, 45% are refused,
/// 20% withdraw, 10% are decided eligible but receive nothing (the money ran out, or they did not
/// take it up), and for 25% no decision is recorded, only the income and the threshold, so the
/// fund's rule decides. All of it comes from a stream of its own (`RandomStream.universityApplications`),
/// so every other file is the same with or without it.
struct UniversitySupportApplications: Sendable {
    static let header = ["student", "fund", "academic_year", "applied_on", "decision", "household_income", "income_threshold", "award_reference"]
    /// The funds' household income threshold, £25,000 as in many bursary schemes.
    static let threshold = 25_000
    static let costOfLiving: Set<InterventionType> = [.bursary, .hardshipAward, .foodSupport, .housingSupport]

    let seed: UInt64

    /// The rows of one first-year student: `support` are the student's support records.
    func rows(student: String, intake: AcademicYear, index: Int, imdQuintile: Int, support: [SupportRow]) -> [[String]] {
        var g = RandomStream.universityApplications.generator(seed: seed, cohort: intake.startYear, index: index)
        let firstYear = intake.startYear
        let awards = support.filter {
            Self.costOfLiving.contains($0.type) && $0.funding != nil && AcademicYear(containing: $0.start).startYear == firstYear
        }
        var rows: [[String]] = []
        var funds: Set<FundingSource> = []
        for award in awards.sorted(by: { $0.start < $1.start }) {
            // One application per fund: it is the first award of that fund that it led to.
            guard let fund = award.funding, funds.insert(fund).inserted else { continue }
            let applied = award.start.adding(days: -g.integer(in: 7...28))
            let income = 500 * g.integer(in: 4...49)
            rows.append([student, fund.rawValue, intake.description, applied.isoString, "eligible", Self.pounds(income),
                         Self.pounds(Self.threshold), award.reference])
        }
        guard awards.isEmpty, g.chance([0.14, 0.09, 0.05, 0.03, 0.02][imdQuintile - 1]) else { return rows }
        let applied = g.day(from: date(firstYear, 10, 1), to: date(firstYear + 1, 3, 31))
        let outcome = g.pick(WeightedChoice([("ineligible", 0.45), ("withdrawn", 0.2), ("eligible", 0.1), ("", 0.25)]))
        var income = 500 * g.integer(in: 20...90)
        if outcome == "eligible" { income = min(income, 500 * g.integer(in: 4...49)) }
        let recordsIncome = outcome != "withdrawn"
        rows.append([student, FundingSource.hardshipFund.rawValue, intake.description, applied.isoString, outcome,
                     recordsIncome ? Self.pounds(income) : "", recordsIncome ? Self.pounds(Self.threshold) : "", ""])
        return rows
    }

    static func pounds(_ whole: Int) -> String { String(whole) + ".00" }

    /// Writes the file for every intake: the earlier intakes of the student-record extract, then
    /// the entrants of students.csv.
    static func write(options: DemoOptions, into folder: URL) throws(DemoDataError) -> GeneratedFile {
        let file = try DemoFileWriter(.supportApplications, in: folder, header: header)
        let applications = UniversitySupportApplications(seed: options.seed)
        let factory = UniversityHistoryFactory(seed: options.seed, intakeSize: options.universityIntakeSize)
        for intake in UniversityHistory.earlierIntakes {
            for index in 0..<factory.intakeSize {
                let instance = factory.instance(intake: intake, index: index)
                for row in applications.rows(student: instance.hesaID, intake: intake, index: index, imdQuintile: instance.imdQuintile,
                                             support: instance.supportRows) {
                    try file.write(row)
                }
            }
        }
        for student in UniversityStudents(options: options) {
            for row in applications.rows(student: student.hesaID, intake: student.intake, index: student.index, imdQuintile: student.imdQuintile,
                                         support: UniversityRecords.support(for: student, seed: options.seed)) {
                try file.write(row)
            }
        }
        return try file.close()
    }
}
