import GapStatistics
import GapTrackDomain

/// A university enrolment in one academic year: one row of students.csv.
public struct UniversityEnrolment: Sendable, Hashable {
    public let academicYear: AcademicYear
    public let start: CalendarDate
    public let leave: CalendarDate?
    public let leaveReason: String?
}

/// One synthetic university student, with the hidden quantities their files were drawn from.
public struct UniversityStudent: Sendable {
    public let intake: AcademicYear
    public let index: Int
    public let hesaID: String
    public let institutionID: String
    public let uln: String?
    public let forename: String
    public let surname: String
    public let gender: String
    public let ethnicity: String
    public let dateOfBirth: CalendarDate
    public let course: UniversityCourse
    public let enrolments: [UniversityEnrolment]
    public let markers: [DemoMarker]
    public let imdQuintile: Int
    public let polar4Quintile: Int
    public let parentalOccupation: SMCParentalOccupation?
    public let isFirstInFamily: Bool
    public let isCareLeaver: Bool
    public let isEstranged: Bool
    /// Lower socio-economic background as the demo plants it: IMD quintile 1, a lower
    /// socio-economic parental occupation, a care leaver or estranged.
    public let isLowerSocioEconomic: Bool
    /// Receives a bursary in every year enrolled (household income below the threshold).
    public let hasBursary: Bool
    let latentAttainment: Double
    /// Hardship, food and housing awards per academic year (start year -> kinds).
    let awards: [Int: [InterventionType]]

    /// Whether the student was still studying a year after entry (OfS continuation).
    public var continued: Bool {
        let anniversary = enrolments[0].start.adding(years: 1)
        return enrolments.allSatisfy { $0.leave.map { $0 >= anniversary } ?? true }
    }

    /// Whether the student had money from the university (bursary or an award) in their first year.
    public var hadFinancialSupportInFirstYear: Bool {
        hasBursary || !(awards[intake.startYear] ?? []).isEmpty
    }
}

/// A course with its module code prefix.
public struct UniversityCourse: Sendable, Hashable {
    public let code: String
    public let name: String
    let modulePrefix: String
}

/// Makes the university student at (intake, index).
///
/// Shapes aimed at (HESA and OfS access and participation data for a mid-tariff English
/// university, rounded): IMD quintiles 18/19/20/21/22%; POLAR4 quintiles 12/16/20/24/28%,
/// correlated with IMD through the home area; the Social Mobility Commission question
/// answered by 80%, of whom about half are professional, a fifth intermediate, 30% lower
/// socio-economic, with 8% "other" and 7% "prefer not to say"; about 40% first in family;
/// 1% care leavers and 0.5% estranged; 18% mature. About 8% of a first-year intake withdraw,
/// more among lower socio-economic students and fewer among those given money.
struct UniversityStudentFactory: Sendable {
    let seed: UInt64
    let intakeSize: Int

    static let institution = 199  // the provider's four-digit HESA institution id (made up)
    static let careLeavers = StratifiedShare(count: 1, period: 100, multiplier: 6007)
    static let estranged = StratifiedShare(count: 1, period: 200, multiplier: 5003)

    static let courses = WeightedChoice<UniversityCourse>([
        (UniversityCourse(code: "BSC-PSYCH", name: "Psychology", modulePrefix: "PSY"), 12),
        (UniversityCourse(code: "LLB-LAW", name: "Law", modulePrefix: "LAW"), 10),
        (UniversityCourse(code: "BSC-NURS", name: "Adult Nursing", modulePrefix: "NUR"), 10),
        (UniversityCourse(code: "BSC-COMP", name: "Computer Science", modulePrefix: "CMP"), 10),
        (UniversityCourse(code: "BENG-MECH", name: "Mechanical Engineering", modulePrefix: "MEC"), 7),
        (UniversityCourse(code: "BSC-BIOSCI", name: "Biological Sciences", modulePrefix: "BIO"), 8),
        (UniversityCourse(code: "BSC-BMS", name: "Biomedical Science", modulePrefix: "BMS"), 7),
        (UniversityCourse(code: "BSC-ECON", name: "Economics", modulePrefix: "ECN"), 7),
        (UniversityCourse(code: "BA-ENGLIT", name: "English Literature", modulePrefix: "ENG"), 6),
        (UniversityCourse(code: "BA-HIST", name: "History", modulePrefix: "HIS"), 6),
        (UniversityCourse(code: "BA-EDUC", name: "Education Studies", modulePrefix: "EDU"), 8),
        (UniversityCourse(code: "BSC-SPORT", name: "Sport and Exercise Science", modulePrefix: "SPO"), 9),
    ])

    static let genders = WeightedChoice([("F", 0.56), ("M", 0.43), ("X", 0.01)])
    static let imdCuts = [0.18, 0.37, 0.57, 0.78].map(Normal.quantile)
    static let polarCuts = [0.12, 0.28, 0.48, 0.72].map(Normal.quantile)
    static let socioEconomicCuts = [0.30, 0.50].map(Normal.quantile)  // lower | intermediate | professional

    static func firstDay(of year: AcademicYear) -> CalendarDate {
        CalendarDate.nth(4, isoWeekday: 1, ofMonth: 9, year: year.startYear)!
    }

    func student(intake: AcademicYear, intakeOrdinal: Int, index: Int) -> UniversityStudent {
        var g = RandomStream.universityProfile.generator(seed: seed, cohort: intake.startYear, index: index)
        let start = Self.firstDay(of: intake)
        let (gender, ethnicity, forename, surname, dateOfBirth) = Self.person(entering: intake, using: &g)
        let hasULN = g.chance(0.85)

        // Background.
        let area = g.normal()
        let imd = 1 + Self.imdCuts.filter { area >= $0 }.count
        let participation = 0.55 * area + 0.835 * g.normal()  // correlation 0.55 with the IMD latent
        let polar = 1 + Self.polarCuts.filter { participation >= $0 }.count
        let occupation = Self.occupation(area: area, using: &g)
        let isCareLeaver = Self.careLeavers.contains(index: index, offset: intake.startYear * 31, cohortSize: intakeSize)
        let isEstranged = !isCareLeaver && Self.estranged.contains(index: index, offset: intake.startYear * 17, cohortSize: intakeSize)
        let lowerGroup = occupation?.group == .lowerSocioEconomic
        let isLSEB = imd == 1 || lowerGroup || isCareLeaver || isEstranged
        let firstInFamily = g.chance(0.28 + (lowerGroup ? 0.3 : 0) + (imd <= 2 ? 0.15 : 0) + (isCareLeaver ? 0.4 : 0))
        let course = g.pick(Self.courses)
        let latent = g.normal(standardDeviation: 0.85) - (isLSEB ? 0.3 : 0) - (firstInFamily ? 0.1 : 0)
        let hasBursary = g.chance(isCareLeaver || isEstranged ? 1 : (isLSEB ? 0.6 : 0.1))

        // Markers, dated from entry.
        var markers = [
            DemoMarker(.imdQuintile, value: String(imd), start: start),
            DemoMarker(.polar4Quintile, value: String(polar), start: start),
        ]
        if firstInFamily { markers.append(DemoMarker(.firstInFamily, start: start)) }
        if isCareLeaver { markers.append(DemoMarker(.careLeaver, start: start)) }
        if isEstranged { markers.append(DemoMarker(.estranged, start: start)) }
        if let occupation { markers.append(DemoMarker(.smcParentalOccupation, value: occupation.rawValue, start: start)) }

        // Years of study, awards and withdrawal.
        var enrolments: [UniversityEnrolment] = []
        var awards: [Int: [InterventionType]] = [:]
        for year in [intake, intake.next] where year.startYear <= 2024 {
            let yearStart = year == intake ? start : Self.firstDay(of: year)
            var kinds: [InterventionType] = []
            if g.chance(isLSEB ? 0.12 : 0.03) || ((isCareLeaver || isEstranged) && g.chance(0.3)) { kinds.append(.hardshipAward) }
            if g.chance(isLSEB ? 0.07 : 0.015) { kinds.append(.foodSupport) }
            if g.chance(isCareLeaver || isEstranged ? 0.5 : (isLSEB ? 0.02 : 0.005)) { kinds.append(.housingSupport) }
            awards[year.startYear] = kinds
            let supported = hasBursary || kinds.contains(.hardshipAward)
            var withdrawal = 0.07 + (isLSEB ? 0.05 : 0) + (isCareLeaver || isEstranged ? 0.08 : 0) + (latent < -1 ? 0.04 : 0)
            if supported { withdrawal *= 0.6 }
            if year != intake { withdrawal *= 0.5 }
            let leaves = g.chance(withdrawal)
            let leaveDate = g.day(from: date(year.startYear, 10, 15), to: date(year.startYear + 1, 5, 31))
            let reason = g.chance(0.85) ? "withdrawn" : "transferred"
            enrolments.append(UniversityEnrolment(academicYear: year, start: yearStart, leave: leaves ? leaveDate : nil,
                                                  leaveReason: leaves ? reason : nil))
            if leaves { break }
        }

        return UniversityStudent(
            intake: intake, index: index,
            hesaID: DemoIdentifiers.husid(entryYear: intake.startYear, institution: Self.institution, serial: index + 1),
            institutionID: DemoIdentifiers.digits(intake.startYear % 100, width: 2) + DemoIdentifiers.digits(index + 1, width: 6),
            uln: hasULN ? DemoIdentifiers.uln(index: intakeOrdinal * (DemoOptions.largestCohortSize + 1) + index) : nil,
            forename: forename, surname: surname, gender: gender, ethnicity: ethnicity.code, dateOfBirth: dateOfBirth,
            course: course, enrolments: enrolments, markers: markers, imdQuintile: imd, polar4Quintile: polar,
            parentalOccupation: occupation, isFirstInFamily: firstInFamily, isCareLeaver: isCareLeaver,
            isEstranged: isEstranged, isLowerSocioEconomic: isLSEB, hasBursary: hasBursary, latentAttainment: latent,
            awards: awards)
    }

    /// Who the student is: sex, ethnicity, name and a birthday (18% mature, 21 to 45 on entry).
    static func person(entering intake: AcademicYear, using g: inout SeededGenerator)
        -> (gender: String, ethnicity: (code: String, background: DemoNames.Background), forename: String, surname: String, dateOfBirth: CalendarDate) {
        let gender = g.pick(genders)
        let ethnicity = g.pick(DemoNames.ethnicities)
        let forename = DemoNames.forename(gender: gender, background: ethnicity.background, using: &g)
        let surname = DemoNames.surname(background: ethnicity.background, using: &g)
        let mature = g.chance(0.18)
        let ageAtStart = mature ? g.integer(in: 21...45) : (g.chance(0.15) ? 19 : 18)
        let latestBirth = date(intake.startYear - ageAtStart, 8, 31)
        return (gender, ethnicity, forename, surname, g.day(from: latestBirth.adding(days: -364), to: latestBirth))
    }

    /// The answer to the SMC key question, or nil for the fifth who did not answer.
    static func occupation(area: Double, using g: inout SeededGenerator) -> SMCParentalOccupation? {
        guard g.chance(0.8) else { return nil }
        let u = g.unitInterval()
        if u < 0.07 { return .preferNotToSay }
        if u < 0.15 { return .other }
        let background = 0.5 * area + 0.866 * g.normal()
        if background < socioEconomicCuts[0] {
            return g.pick(WeightedChoice<SMCParentalOccupation>([
                (.technicalAndCraft, 0.3), (.semiRoutineManualAndService, 0.35), (.routineManualAndService, 0.25),
                (.longTermUnemployed, 0.1)]))
        }
        if background < socioEconomicCuts[1] {
            return g.chance(0.6) ? .clericalAndIntermediate : .smallBusinessOwner
        }
        return g.pick(WeightedChoice<SMCParentalOccupation>([
            (.modernProfessional, 0.35), (.traditionalProfessional, 0.25), (.seniorManagerOrAdministrator, 0.2),
            (.middleOrJuniorManager, 0.2)]))
    }
}
