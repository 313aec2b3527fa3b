import GapStatistics
import GapTrackDomain

/// When the demo school's targeted interventions run, so that each can be judged on its target
/// within the academic year (docs/methodology.md §6.6): a default impact section takes its entry
/// from the report's academic year (the term before the support for attendance, the last result
/// before it for a subject) and its exit after the support ends.
///
/// - Mentoring (attendance): a record drawn to start in the autumn term moves into the spring term
///   as reports count it (1 January to 31 March, docs/methodology.md §7.1), so that the autumn term
///   is its "before" and the summer term its "after"; twelve weekly sessions do not fit after the
///   school's first spring day, so such a record keeps its autumn dates and names no target.
///   Records drawn to start later keep their dates; one of them that ends within the summer term
///   has no term after it in the year and names no target (while some go on, the summer is the
///   "after").
/// - Language support (English): from between the autumn assessments (November) and the spring
///   term's first days to the end of the spring term, so that its entry is the autumn result and
///   its exit the summer's.
///
/// A pupil whose enrolment leaves no such window keeps the date drawn before and names no target.
/// Drawn from a stream of its own (`RandomStream.schoolSupportTiming`), so that every other draw
/// of the support file stays as it was.
enum SchoolSupportTiming {
    static let calendar = SchoolCalendar.year2024

    static func term(_ term: Term) -> SchoolCalendar.TermDates { calendar.terms.first { $0.term == term }! }

    /// The last day of the spring term as reports count terms.
    static let reportSpringEnd = date(2025, 3, 31)

    /// A mentoring start in the spring term whose `sessions` weekly sessions end in it.
    static func mentoringStart(pupil: SchoolPupil, seed: UInt64, sessions: Int, earliest: CalendarDate, lastDay: CalendarDate) -> CalendarDate? {
        let spring = term(.spring), summer = term(.summer)
        let from = max(earliest, spring.firstDay)
        let to = reportSpringEnd.adding(days: -7 * sessions)
        guard from <= to, lastDay >= summer.firstDay else { return nil }
        var g = generator(pupil: pupil, seed: seed, salt: 1)
        return g.day(from: from, to: to)
    }

    /// A language support start after the autumn assessments and by the spring term's first week.
    static func languageSupportStart(pupil: SchoolPupil, seed: UInt64, earliest: CalendarDate, lastDay: CalendarDate) -> CalendarDate? {
        let from = max(earliest, date(2024, 12, 2))
        let to = term(.spring).firstDay.adding(days: 3)
        guard from <= to, lastDay > reportSpringEnd else { return nil }
        var g = generator(pupil: pupil, seed: seed, salt: 2)
        return g.day(from: from, to: to)
    }

    /// The pupil's stream, one draw sequence per kind of support (`salt`), so that one kind's dates
    /// never move another's.
    static func generator(pupil: SchoolPupil, seed: UInt64, salt: Int) -> SeededGenerator {
        RandomStream.schoolSupportTiming.generator(seed: seed, cohort: pupil.cohort.receptionYear, index: pupil.index * 4 + salt)
    }
}
