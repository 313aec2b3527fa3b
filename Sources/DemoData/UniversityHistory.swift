import Foundation
import GapStatistics
import GapTrackDomain

/// Demo University's student-record extract: the earlier intakes (2020/21 to 2022/23), drawn from
/// `UniversityOutcomeModel`, then the 2023/24 and 2024/25 entrants of students.csv as instances.
/// Everything here comes from streams of its own (`RandomStream.universityHistory`,
/// `.universityEntry`), so students.csv and the other files are the same with or without it.
public struct UniversityHistory: Sequence, Sendable {
    let options: DemoOptions
    public static let earlierIntakes = [2020, 2021, 2022].map(AcademicYear.init(startYear:))

    public init(options: DemoOptions) {
        self.options = options
    }

    /// The earlier intakes' instances, then those of students.csv's entrants.
    public func makeIterator() -> AnyIterator<UniversityInstance> {
        let factory = UniversityHistoryFactory(seed: options.seed, intakeSize: options.universityIntakeSize)
        var earlier = Self.earlierIntakes.lazy.flatMap { intake in
            (0..<factory.intakeSize).lazy.map { factory.instance(intake: intake, index: $0) }
        }.makeIterator()
        var later = UniversityStudents(options: options).makeIterator()
        let seed = options.seed
        return AnyIterator {
            if let next = earlier.next() { return next }
            return later.next().map { UniversityInstance($0, seed: seed) }
        }
    }
}

/// Makes the earlier-intake student at (intake, index): the shapes of `UniversityStudentFactory`
/// (IMD, POLAR4, first in family, care leavers, estranged, mature), part-time study for 8%, and
/// first-year support aimed at lower socio-economic students, then outcomes from
/// `UniversityOutcomeModel`.
struct UniversityHistoryFactory: Sendable {
    let seed: UInt64
    let intakeSize: Int

    func instance(intake: AcademicYear, index: Int) -> UniversityInstance {
        var g = RandomStream.universityHistory.generator(seed: seed, cohort: intake.startYear, index: index)
        let year = intake.startYear
        let start = UniversityStudentFactory.firstDay(of: intake)
        let (gender, ethnicity, forename, surname, dateOfBirth) = UniversityStudentFactory.person(entering: intake, using: &g)
        let mature = start >= dateOfBirth.adding(years: 21)

        let area = g.normal()
        let imd = 1 + UniversityStudentFactory.imdCuts.filter { area >= $0 }.count
        let participation = 0.55 * area + 0.835 * g.normal()
        let polar = 1 + UniversityStudentFactory.polarCuts.filter { participation >= $0 }.count
        let careLeaver = g.chance(0.01)
        let estranged = !careLeaver && g.chance(0.005)
        let firstInFamily = g.chance(0.28 + (imd <= 2 ? 0.3 : 0) + (careLeaver ? 0.4 : 0))
        let entry = UniversityEntryDraws.draw(area: area, participation: participation, mature: mature, imd: imd, using: &g)
        let course = g.pick(UniversityStudentFactory.courses)
        let partTime = g.chance(0.08)

        // First-year support: selection on background, which the outcome model does not use
        // beyond IMD, so adjusting for IMD, tariff, course, mode and year removes the confounding.
        let needy = careLeaver || estranged
        var support = Set<InterventionType>()
        if g.chance(needy ? 1 : [0.55, 0.35, 0.15, 0.08, 0.05][imd - 1] + (firstInFamily ? 0.1 : 0)) { support.insert(.bursary) }
        if g.chance(needy ? 0.4 : (imd <= 2 ? 0.16 : 0.06)) { support.insert(.hardshipAward) }
        if g.chance(imd <= 2 ? 0.09 : 0.04) { support.insert(.foodSupport) }
        if g.chance(needy ? 0.5 : 0.015) { support.insert(.housingSupport) }

        // Outcomes.
        let pContinue = UniversityOutcomeModel.continuation(imd: imd, tariff: entry.tariff, partTime: partTime, course: course.code,
                                                            entryYear: year, support: support)
        let continues = g.chance(pContinue)
        var left: CalendarDate?
        var reason: String?
        var classification: String?
        var progression: String?
        if !continues {
            left = g.day(from: date(year, 12, 1), to: date(year + (partTime ? 2 : 1), 5, 31))
            reason = g.chance(0.15) ? "03" : "07"
        } else if !partTime {
            if g.chance(UniversityOutcomeModel.completion(imd: imd, tariff: entry.tariff)) {
                left = date(year + 3, 6, 30)
                reason = "01"
                if g.chance(UniversityOutcomeModel.goodHonours(imd: imd, tariff: entry.tariff)) {
                    classification = g.chance(0.4) ? "01" : "02"
                } else {
                    classification = g.chance(0.8) ? "03" : "05"
                }
                // Graduate Outcomes asks 15 months after qualifying.
                if left!.adding(days: 457) <= UniversityOutcomeModel.dataCut {
                    progression = g.chance(UniversityOutcomeModel.progression(imd: imd))
                        ? g.pick(WeightedChoice([("managerial_or_professional", 0.55), ("further_study", 0.3), ("other_positive", 0.15)]))
                        : "other"
                }
            } else {
                left = g.day(from: start.adding(years: 1).adding(days: 30), to: date(year + 3, 5, 31))
                reason = "07"
            }
        }
        let lastYear = left.map { AcademicYear(containing: $0).startYear } ?? 2024
        let years = (year...min(lastYear, 2024)).map(AcademicYear.init(startYear:))

        let institutionID = DemoIdentifiers.digits(year % 100, width: 2) + DemoIdentifiers.digits(index + 1, width: 6)
        var rows: [SupportRow] = []
        func add(_ type: InterventionType, _ day: CalendarDate, end: CalendarDate, pounds: Int, funding: FundingSource, outcome: String) {
            rows.append(SupportRow(reference: "DU-" + institutionID + "-" + String(rows.count + 1), type: type, start: day, end: end,
                                   hours: nil, sessions: nil, amount: try? PoundsAndPence(pounds: pounds), funding: funding,
                                   staff: type == .bursary ? UniversityRecords.funding : UniversityRecords.moneyAdvice,
                                   intendedOutcome: outcome, status: .ended, review: nil))
        }
        // Awards come before anyone leaves (first-year leavers leave from December).
        for type in InterventionType.allCases where support.contains(type) {
            switch type {
            case .bursary:
                add(.bursary, date(year, 11, 15), end: date(year + 1, 3, 14), pounds: needy ? 2_000 : 1_000, funding: .bursaryFund,
                    outcome: "Help with the cost of study")
            case .hardshipAward:
                let day = g.day(from: date(year, 10, 1), to: date(year, 11, 30))
                add(.hardshipAward, day, end: day, pounds: 50 * g.integer(in: 5...30), funding: .hardshipFund, outcome: "Meet essential living costs")
            case .foodSupport:
                let day = g.day(from: date(year, 10, 1), to: date(year, 11, 30))
                add(.foodSupport, day, end: day, pounds: 10 * g.integer(in: 3...10), funding: .hardshipFund, outcome: "Food vouchers")
            default:
                let day = g.day(from: date(year, 10, 1), to: date(year, 11, 30))
                add(.housingSupport, day, end: day, pounds: 50 * g.integer(in: 8...50), funding: .hardshipFund, outcome: "Help with rent and deposit")
            }
        }

        return UniversityInstance(
            hesaID: DemoIdentifiers.husid(entryYear: year, institution: UniversityStudentFactory.institution, serial: index + 1),
            institutionID: institutionID, surname: surname, forename: forename, gender: gender, ethnicity: ethnicity.code,
            dateOfBirth: dateOfBirth, course: course, commenced: start, partTime: partTime, entryQualification: entry.entryQualification,
            tariff: entry.tariff, imdQuintile: imd, polar4Quintile: polar, tundraQuintile: entry.tundra, abcsQuintile: entry.abcs,
            fsmAtSchool: entry.fsmAtSchool, isCareLeaver: careLeaver, isEstranged: estranged, isFirstInFamily: firstInFamily,
            isDisabled: entry.disabled, left: left, leavingReason: reason, classification: classification, progression: progression,
            years: years, firstYearSupport: support, supportRows: rows)
    }
}

/// Writes student-records.csv (every intake) and support-history.csv (the earlier intakes' support).
struct UniversityHistoryWriter {
    let options: DemoOptions

    func write(into folder: URL) throws(DemoDataError) -> [GeneratedFile] {
        let records = try DemoFileWriter(.studentRecords, in: folder, header: UniversityInstance.header)
        let support = try DemoFileWriter(.supportHistory, in: folder, header: DemoHeaders.support)
        for instance in UniversityHistory(options: options) {
            for row in instance.rows() { try records.write(row) }
            for row in instance.supportRows { try support.write(row.fields(student: instance.hesaID)) }
        }
        return [try records.close(), try support.close()]
    }
}
