import GapStatistics
import GapTrackDomain

/// Makes the pupil at (cohort, index) from the seed: names, dates, markers and the hidden
/// propensities the attendance, attainment and support files are drawn from.
///
/// Shares aimed at (school census and DfE statistics for secondary schools in England,
/// rounded): about 25% disadvantaged (FSM Ever 6, looked after or previously looked after);
/// 1% looked after and 1.5% previously looked after; about 15% EAL; SEN support 12% and EHC
/// plans 2.5%, both more common among disadvantaged pupils; 2% young carers; 1% service
/// children; 1% refugees or asylum seekers. Rare groups use `StratifiedShare`, so a year group
/// of 200 always has two refugee pupils: a subgroup far below the suppression threshold of 10.
struct SchoolPupilFactory: Sendable {
    let seed: UInt64
    let cohortSize: Int
    let provider: DemoProvider

    static let refugees = StratifiedShare(count: 1, period: 100, multiplier: 7919)
    static let lookedAfter = StratifiedShare(count: 1, period: 100, multiplier: 1009)
    static let previouslyLookedAfter = StratifiedShare(count: 3, period: 200, multiplier: 2003)
    static let youngCarers = StratifiedShare(count: 2, period: 100, multiplier: 3001)
    static let serviceChildren = StratifiedShare(count: 1, period: 100, multiplier: 4001)

    /// Per-cohort offsets for the stratified shares, drawn from the cohort's own stream.
    struct CohortPlan: Sendable {
        let cohort: SchoolCohort
        let offsets: [Int]

        init(cohort: SchoolCohort, seed: UInt64) {
            self.cohort = cohort
            var generator = RandomStream.schoolCohort.generator(seed: seed, cohort: cohort.receptionYear, index: 0)
            offsets = (0..<5).map { _ in generator.index(below: 1_000_003) }
        }
    }

    func pupil(_ plan: CohortPlan, index: Int) -> SchoolPupil {
        let cohort = plan.cohort
        var g = RandomStream.schoolProfile.generator(seed: seed, cohort: cohort.receptionYear, index: index)
        let census = SchoolCensus.censusDay(.spring, of: cohort.lastYear)
        let isCurrent = cohort.yearGroup(in: AcademicYear(startYear: 2024)) <= 11

        let isRefugee = Self.refugees.contains(index: index, offset: plan.offsets[0], cohortSize: cohortSize)
        // An unaccompanied asylum-seeking child is looked after by the local authority.
        let isLAC = Self.lookedAfter.contains(index: index, offset: plan.offsets[1], cohortSize: cohortSize)
            || (isRefugee && g.chance(0.3))
        let isPLAC = !isLAC && !isRefugee
            && Self.previouslyLookedAfter.contains(index: index, offset: plan.offsets[2], cohortSize: cohortSize)
        let isYoungCarer = Self.youngCarers.contains(index: index, offset: plan.offsets[3], cohortSize: cohortSize)
        let isServiceChild = Self.serviceChildren.contains(index: index, offset: plan.offsets[4], cohortSize: cohortSize)

        // Who they are.
        let gender = g.chance(0.49) ? "F" : "M"
        let ethnicity = g.pick(isRefugee ? DemoNames.refugeeEthnicities : DemoNames.ethnicities)
        let forename = DemoNames.forename(gender: gender, background: ethnicity.background, using: &g)
        let surname = DemoNames.surname(background: ethnicity.background, using: &g)
        let dateOfBirth = g.day(from: cohort.oldestBirthday, to: cohort.youngestBirthday)
        let upnAuthority = g.chance(0.85) ? provider.localAuthorityCode! : g.element(of: Self.otherAuthorities)
        let upn = DemoIdentifiers.upn(localAuthority: upnAuthority, receptionYear: cohort.receptionYear, indexInCohort: index)

        // Their first language, and when they came to England and to this school.
        let isEAL = isRefugee || g.chance(Self.ealChance(ethnicity.code))
        let ealBand: String? = isEAL ? (isRefugee ? g.pick(Self.refugeeBands) : g.pick(Self.ealBands)) : nil
        let firstYear = cohort.enrolledYears.first!
        var arrival: CalendarDate? = nil
        if isRefugee {
            arrival = g.day(from: census.adding(years: -3), to: census.adding(days: 60))
        } else if let band = ealBand, band <= "B", g.chance(0.3) {
            arrival = g.day(from: census.adding(years: -2), to: census.adding(days: 30))
        } else if isCurrent, g.chance(0.015) {
            arrival = g.day(from: date(2024, 10, 1), to: date(2025, 3, 28))  // moved from another English school
        }
        // Arrived from abroad after the KS2 tests of their Year 6, so they have no KS2 results.
        let ks2Tests = date(cohort.keyStage2Year.startYear + 1, 5, 10)
        let cameFromAbroad = isRefugee || (arrival != nil && ealBand.map { $0 <= "B" } == true)
        let arrivedFromAbroad = cameFromAbroad && (arrival.map { $0 > ks2Tests } ?? false)
        // A join date before the cohort's first year here is just their Year 7 start.
        let firstDay = Self.firstDay(of: firstYear)
        let joinDate = arrival.map { max(firstDay, $0.adding(days: g.integer(in: 10...40))) }
        var leaveDate: CalendarDate? = nil
        var leaveReason: String? = nil
        if isCurrent, g.chance(0.015) {
            leaveDate = g.day(from: date(2024, 11, 1), to: date(2025, 5, 30))
            leaveReason = g.chance(0.8) ? "transferred" : "other"
        }
        if let join = joinDate, let leave = leaveDate, leave <= join.adding(days: 30) { leaveDate = nil; leaveReason = nil }
        let enrolments = Self.enrolments(cohort: cohort, join: joinDate, leave: leaveDate, leaveReason: leaveReason)

        // Dated markers.
        var history = MarkerHistoryBuilder(cohort: cohort, census: census, dateOfBirth: dateOfBirth,
                                           inEnglandSince: cameFromAbroad ? arrival : nil, joinDate: joinDate)
        history.addFSM(isRefugee: isRefugee, cameFromAbroad: cameFromAbroad, using: &g)
        if isLAC { history.addLookedAfter(using: &g) }
        if isPLAC { history.addPreviouslyLookedAfter(using: &g) }
        let isDisadvantaged = history.isDisadvantaged(on: census)
        let weight = isDisadvantaged ? 1.0 : (history.hasAnyFSM ? 0.5 : 0.0)
        let sen = history.addSEN(disadvantageWeight: weight, lookedAfter: isLAC, using: &g)
        if let ealBand { history.addEAL(band: ealBand, isRefugee: isRefugee, using: &g) }
        if isRefugee { history.addRefugee() }
        if isYoungCarer { history.addYoungCarer(using: &g) }
        if isServiceChild { history.addServiceChild(using: &g) }
        history.addPupilPremiumFunding()

        // Hidden propensities.
        let finalYearGroup = cohort.yearGroup(in: cohort.lastYear)
        let absence = Self.absencePropensity(weight: weight, yearGroup: finalYearGroup, sen: sen,
                                             lookedAfter: isLAC, refugee: isRefugee, using: &g)
        let latent = SchoolAttainmentModel.latentAttainment(
            weight: weight, sen: sen, absencePropensity: absence, careExperienced: isLAC || isPLAC,
            refugee: isRefugee, using: &g)
        let tutoring = Self.tutoring(cohort: cohort, enrolments: enrolments, weight: weight, latent: latent, using: &g)

        return SchoolPupil(
            cohort: cohort, index: index, upn: upn, forename: forename, surname: surname, gender: gender,
            ethnicity: ethnicity.code, dateOfBirth: dateOfBirth, enrolments: enrolments, markers: history.markers,
            isDisadvantaged: isDisadvantaged, disadvantageWeight: weight, isRefugee: isRefugee,
            isLookedAfter: isLAC, isPreviouslyLookedAfter: isPLAC, senStatus: sen, ealBand: ealBand,
            arrivedFromAbroad: arrivedFromAbroad, absencePropensity: absence, latentAttainment: latent, tutoring: tutoring)
    }

    /// The first day of term of the demo's academic years.
    static func firstDay(of year: AcademicYear) -> CalendarDate {
        year.startYear == 2024 ? SchoolCalendar.year2024.schoolDays[0] : SchoolCalendar.firstDay2023
    }

    static func enrolments(cohort: SchoolCohort, join: CalendarDate?, leave: CalendarDate?, leaveReason: String?) -> [SchoolEnrolment] {
        var rows: [SchoolEnrolment] = []
        for year in cohort.enrolledYears {
            let yearGroup = cohort.yearGroup(in: year)
            if let join, join > year.endDate { continue }
            let start = max(firstDay(of: year), join ?? firstDay(of: year))
            if let leave, year.dateRange.contains(leave) {
                rows.append(SchoolEnrolment(academicYear: year, yearGroup: yearGroup, start: start, leave: leave, leaveReason: leaveReason))
                break
            }
            if yearGroup == 11 {
                rows.append(SchoolEnrolment(academicYear: year, yearGroup: 11, start: start,
                                            leave: SchoolCalendar.year11LeavingDate(academicYear: year), leaveReason: "completed"))
            } else {
                rows.append(SchoolEnrolment(academicYear: year, yearGroup: yearGroup, start: start, leave: nil, leaveReason: nil))
            }
        }
        return rows
    }

    /// Current English authorities other than the school's own, for pupils who started school elsewhere.
    static let otherAuthorities: [String] = LocalAuthority.all
        .filter { $0.nation == .england && $0.isCurrent && $0.code != "801" && $0.code != "420" && $0.code != "201" }
        .map(\.code)

    /// EAL is far more common in some groups than others (school census, first language).
    static func ealChance(_ ethnicity: String) -> Double {
        switch ethnicity {
        case "WBRI", "WIRI", "BCRB", "MWBC": return 0.01
        case "WOTH", "WROM": return 0.6
        case "AIND", "APKN", "ABAN", "AOTH": return 0.5
        case "BAFR", "BOTH": return 0.5
        case "CHNE", "OOTH": return 0.7
        case "MWBA", "MWAS", "MOTH": return 0.1
        default: return 0.2
        }
    }

    static let ealBands = WeightedChoice<String>([("A", 4), ("B", 10), ("C", 20), ("D", 28), ("E", 38)])
    static let refugeeBands = WeightedChoice<String>([("A", 50), ("B", 40), ("C", 10)])

    /// A pupil's share of sessions missed: a beta distribution with a group mean, and a small
    /// severe tail drawn uniformly from 50-85%. Parameters were tuned so that the generated
    /// register gives about 7% absence and 15-20% persistent absence for other pupils, 11% and
    /// about 35% for disadvantaged pupils, and 1-2% severe absence overall (the pattern of DfE
    /// "Pupil absence in schools in England" for secondary schools; tests check the result).
    static func absencePropensity(weight: Double, yearGroup: Int, sen: String?, lookedAfter: Bool, refugee: Bool,
                                  using g: inout SeededGenerator) -> Double {
        let (mean, concentration, severe): (Double, Double, Double) =
            weight >= 1 ? (0.09, 7, 0.03) : (weight > 0 ? (0.075, 25, 0.02) : (0.058, 45, 0.009))
        if g.chance(severe) { return g.uniform(0.5...0.85) }
        var p = g.beta(mean: mean, concentration: concentration)
        switch yearGroup {
        case 7: p *= 0.85
        case 8: p *= 0.95
        case 9: p *= 1.05
        default: p *= 1.1
        }
        if sen == "K" { p += 0.015 } else if sen == "E" { p += 0.025 }
        if lookedAfter { p *= 0.8 }
        if refugee { p += 0.01 }
        return min(p, 0.95)
    }

    /// Small-group tutoring in English and maths in the spring term of 2024/25, for Years 7
    /// (catch-up), 10 and 11, offered mostly to disadvantaged pupils with lower attainment.
    /// Chosen on latent attainment, not on a noisy test score, so a difference-in-differences
    /// comparison is not biased by regression to the mean.
    static func tutoring(cohort: SchoolCohort, enrolments: [SchoolEnrolment], weight: Double, latent: Double,
                         using g: inout SeededGenerator) -> SupportStatus? {
        guard let now = enrolments.first(where: { $0.academicYear.startYear == 2024 }),
              [7, 10, 11].contains(now.yearGroup),
              now.start <= SchoolSupportPlan.tutoringStart,
              now.leave.map({ $0 >= SchoolSupportPlan.tutoringEnd }) ?? true else { return nil }
        let chance: Double
        if weight >= 1 { chance = latent < 0.3 ? 0.45 : 0.08 }
        else if weight > 0 { chance = latent < 0 ? 0.2 : 0.03 }
        else { chance = latent < -0.6 ? 0.12 : 0.01 }
        guard g.chance(chance) else { return nil }
        let status = g.unitInterval()
        return status < 0.85 ? .ended : (status < 0.92 ? .active : .cancelled)
    }
}
