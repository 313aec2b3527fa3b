import GapStatistics
import GapTrackDomain

/// One row of support.csv.
struct SupportRow: Sendable {
    let reference: String
    let type: InterventionType
    let start: CalendarDate
    let end: CalendarDate?
    let hours: Int?
    let sessions: Int?
    let amount: PoundsAndPence?
    let funding: FundingSource?
    let staff: String
    let intendedOutcome: String
    let status: SupportStatus
    let review: CalendarDate?
    /// False for a record whose dates leave no result before or after it in the year, which
    /// names no target rather than one it cannot be judged on (`SchoolSupportTiming`).
    var targeted = true

    func fields(student: String) -> [String] {
        [reference, student, type.rawValue, start.isoString, end?.isoString ?? "", hours.map(String.init) ?? "",
         sessions.map(String.init) ?? "", amount?.formatted ?? "", funding?.rawValue ?? "", staff, intendedOutcome,
         status.rawValue, review?.isoString ?? ""]
    }
}

/// The school's interventions and support in 2024/25, aimed mostly at disadvantaged pupils
/// (pupil premium spending: tutoring, mentoring, enrichment, devices; language support for
/// pupils new to English; a transition programme for care-experienced Year 11s).
///
/// Tutoring is decided with the pupil (`SchoolPupilFactory.tutoring`), because it changes
/// their results: delivered tutoring adds `SchoolAttainmentModel.tutoringEffect` to the summer
/// English and maths results, a modest real effect for impact evaluation to find.
enum SchoolSupportPlan {
    static let tutoringStart = date(2025, 1, 13)
    static let tutoringEnd = date(2025, 3, 28)
    /// What a tutor costs per hour; tutoring is in groups of three.
    static let tutorHourlyPence = 4_200
    static let dataCut = date(2025, 7, 18)

    static let tutors = ["A. Patel (Demo Tutors Ltd)", "J. Okafor (Demo Tutors Ltd)", "R. Hughes", "S. Kowalczyk", "M. Ahmed"]
    static let mentors = ["D. Clarke (learning mentor)", "L. Mensah (learning mentor)", "K. O'Neill (pastoral lead)"]
    static let ealStaff = ["F. Rahman (EAL coordinator)", "T. Nowak (EAL teaching assistant)"]
    static let enrichmentStaff = ["P. Evans (music)", "H. Green (PE)", "C. Shah (trips coordinator)"]
    static let virtualSchool = "B. Turner (Virtual School adviser)"

    static func rows(for pupil: SchoolPupil, seed: UInt64) -> [SupportRow] {
        guard let enrolment = pupil.enrolment2024 else { return [] }
        var g = RandomStream.schoolSupport.generator(seed: seed, cohort: pupil.cohort.receptionYear, index: pupil.index)
        let reference = "DA-" + DemoIdentifiers.digits(pupil.cohort.receptionYear % 100, width: 2) + "-"
            + DemoIdentifiers.digits(pupil.index, width: 6) + "-"
        let weight = pupil.disadvantageWeight
        let funding: FundingSource = weight > 0 || pupil.isLookedAfter || pupil.isPreviouslyLookedAfter ? .pupilPremium : .other
        let lastDay = enrolment.leave.map { min($0, dataCut) } ?? dataCut
        var rows: [SupportRow] = []
        func add(_ type: InterventionType, start: CalendarDate, end: CalendarDate?, hours: Int?, sessions: Int?,
                 pence: Int?, funding: FundingSource?, staff: String, outcome: String, status: SupportStatus,
                 review: CalendarDate?) {
            rows.append(SupportRow(reference: reference + String(rows.count + 1), type: type, start: start, end: end,
                                   hours: hours, sessions: sessions, amount: pence.flatMap { try? PoundsAndPence(pence: $0) },
                                   funding: funding, staff: staff, intendedOutcome: outcome, status: status, review: review))
        }

        // Tutoring (spring term).
        if let status = pupil.tutoring {
            let hours: Int
            let end: CalendarDate?
            switch status {
            case .cancelled:
                hours = g.integer(in: 1...3)
                end = g.day(from: tutoringStart.adding(days: 7), to: tutoringStart.adding(days: 35))
            case .active:
                hours = 12
                end = nil
            default:
                hours = g.integer(in: 10...12)
                end = tutoringEnd
            }
            add(.tutoring, start: tutoringStart, end: end, hours: hours, sessions: hours,
                pence: hours * tutorHourlyPence / 3, funding: funding, staff: g.element(of: tutors),
                outcome: "Close gaps in English and maths before the summer assessments", status: status,
                review: date(2025, 4, 4))
        }

        let earliest = max(enrolment.start, date(2024, 9, 16))
        guard earliest < lastDay.adding(days: -28) else { return rows }

        // Mentoring, more often for pupils who miss school.
        let mentoringChance = (weight >= 1 ? 0.15 : (weight > 0 ? 0.08 : 0.03)) + (pupil.absencePropensity > 0.15 ? 0.15 : 0)
        if g.chance(mentoringChance) {
            let sessions = g.integer(in: 6...12)
            let drawn = g.day(from: earliest, to: lastDay.adding(days: -28))
            let inSpringOrLater = drawn >= SchoolSupportTiming.term(.spring).firstDay
            let timed = inSpringOrLater ? nil
                : SchoolSupportTiming.mentoringStart(pupil: pupil, seed: seed, sessions: sessions, earliest: earliest, lastDay: lastDay)
            let start = timed ?? drawn
            let end = start.adding(days: 7 * sessions)
            let finished = end <= lastDay
            add(.mentoring, start: start, end: finished ? end : nil, hours: sessions, sessions: sessions, pence: nil,
                funding: funding, staff: g.element(of: mentors), outcome: "Improve attendance and engagement",
                status: finished ? .ended : .active, review: finished ? end.adding(days: 14) : nil)
            // One that ended in the summer term has no term after it within the year.
            rows[rows.count - 1].targeted = timed != nil || (inSpringOrLater && (!finished || end <= SchoolSupportTiming.reportSpringEnd))
        }

        // Language support for pupils early in learning English.
        if let band = pupil.ealBand, band <= "C", g.chance(band <= "B" ? 0.8 : 0.4) {
            let hours = g.integer(in: 20...40)
            let drawn = g.day(from: earliest, to: min(lastDay.adding(days: -28), earliest.adding(days: 30)))
            let timed = SchoolSupportTiming.languageSupportStart(pupil: pupil, seed: seed, earliest: earliest, lastDay: lastDay)
            let start = timed ?? drawn
            let end = timed == nil ? start.adding(days: 140) : SchoolSupportTiming.reportSpringEnd
            add(.languageSupport, start: start, end: end <= lastDay ? end : nil, hours: hours, sessions: hours,
                pence: nil, funding: weight >= 1 ? .pupilPremium : .other, staff: g.element(of: ealStaff),
                outcome: "Move up one English proficiency band", status: end <= lastDay ? .ended : .active,
                review: end <= lastDay ? end : nil)
            rows[rows.count - 1].targeted = timed != nil
        }

        // Enrichment paid for pupils who could not otherwise afford it.
        if g.chance(weight >= 1 ? 0.25 : (weight > 0 ? 0.1 : 0.04)) {
            let (outcome, pence, sessions) = g.element(of: [
                ("Instrumental music lessons", 18_000, 10), ("Year group residential trip", 15_000, 3),
                ("After-school sports club", 6_000, 12), ("Theatre visit", 3_500, 1),
            ])
            let start = g.day(from: earliest, to: lastDay.adding(days: -28))
            add(.enrichment, start: start, end: min(lastDay, start.adding(days: 7 * (sessions - 1))), hours: nil, sessions: sessions,
                pence: pence, funding: funding, staff: g.element(of: enrichmentStaff), outcome: outcome,
                status: .ended, review: nil)
        }

        // A laptop on loan or mobile data.
        if g.chance(weight >= 1 ? 0.1 : 0.01) {
            let laptop = g.chance(0.6)
            add(.deviceOrData, start: g.day(from: earliest, to: max(earliest, min(lastDay.adding(days: -28), date(2024, 10, 25)))),
                end: nil, hours: nil, sessions: nil, pence: laptop ? 32_900 : 6_000, funding: funding,
                staff: "IT support", outcome: laptop ? "Laptop on loan for homework and revision" : "Mobile data for homework",
                status: .active, review: date(2025, 7, 11))
        }

        // Transition to post-16 for care-experienced Year 11s (pupil premium plus).
        if (pupil.isLookedAfter || pupil.isPreviouslyLookedAfter), enrolment.yearGroup == 11,
           lastDay > date(2025, 3, 31) {
            add(.careExperiencedTransition, start: date(2025, 3, 3), end: nil, hours: nil, sessions: g.integer(in: 4...8),
                pence: nil, funding: .pupilPremium, staff: virtualSchool,
                outcome: "Secure a post-16 place and a smooth start in September", status: .active,
                review: date(2025, 7, 11))
        }
        return rows
    }
}
