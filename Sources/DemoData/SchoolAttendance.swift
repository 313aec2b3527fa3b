import GapStatistics
import GapTrackDomain

/// One register mark: a session of a school day and its code.
struct AttendanceMark: Sendable {
    /// Index into the calendar's school days.
    let day: Int
    let isMorning: Bool
    let code: String
}

/// A pupil's register for 2024/25, session by session.
///
/// Absence comes in episodes, as it does in registers: a day or three of illness (`I`), a
/// medical appointment (`M`), a day off without a reason (`O`), a late arrival after the
/// register closed (`U`), a week's unauthorised holiday (`G`), leave in exceptional
/// circumstances (`C`), a suspension (`E`), religious observance (`R`), a reason not yet
/// provided (`N`). Outside an episode, each day starts one with a chance set so that the
/// pupil's long-run share of missed sessions is their `absencePropensity` (see
/// `dailyStartChance`), a little higher in winter. Present pupils are `/` (morning) and `\`
/// (afternoon), sometimes `L` (late before the register closed). A few pupils attend
/// alternative provision two days a week (`K`) or are on a part-time timetable for the first
/// weeks of autumn (`C2`); some go on their year group's trip (`V`) or play in school fixtures
/// (`P`); Year 10 has a work experience week in July (`W`). Codes: docs/methodology.md §3, and
/// `AttendanceCode`.
struct SchoolAttendance: Sendable {
    let calendar: SchoolCalendar
    /// How many of the calendar's days to write.
    let dayCount: Int
    let seed: UInt64

    struct Episode: Sendable {
        let code: String
        /// Possible lengths in sessions and their weights.
        let lengths: [(Int, Double)]
    }

    static let illness = Episode(code: "I", lengths: [(2, 0.5), (4, 0.3), (6, 0.2)])
    static let medical = Episode(code: "M", lengths: [(1, 1)])
    static let unauthorised = Episode(code: "O", lengths: [(2, 0.7), (4, 0.3)])
    static let lateAfterRegister = Episode(code: "U", lengths: [(1, 1)])
    static let holiday = Episode(code: "G", lengths: [(10, 1)])
    static let exceptionalLeave = Episode(code: "C", lengths: [(2, 1)])
    static let suspension = Episode(code: "E", lengths: [(2, 0.5), (4, 0.3), (6, 0.2)])
    static let religiousObservance = Episode(code: "R", lengths: [(2, 1)])
    static let reasonNotProvided = Episode(code: "N", lengths: [(1, 1)])

    /// Which episodes happen, for other pupils and for disadvantaged pupils (more unauthorised
    /// absence and suspensions).
    static let othersEpisodes = WeightedChoice<Episode>([
        (illness, 0.55), (medical, 0.09), (unauthorised, 0.11), (lateAfterRegister, 0.06), (holiday, 0.04),
        (exceptionalLeave, 0.05), (suspension, 0.02), (religiousObservance, 0.015), (reasonNotProvided, 0.02),
    ])
    static let disadvantagedEpisodes = WeightedChoice<Episode>([
        (illness, 0.48), (medical, 0.07), (unauthorised, 0.18), (lateAfterRegister, 0.08), (holiday, 0.04),
        (exceptionalLeave, 0.04), (suspension, 0.045), (religiousObservance, 0.01), (reasonNotProvided, 0.03),
    ])

    /// More illness in winter; the multipliers average about 1 over the year.
    static func season(_ month: Int) -> Double {
        switch month {
        case 9: return 0.8
        case 11, 2: return 1.1
        case 12, 1: return 1.2
        case 4, 5: return 0.9
        case 6: return 0.85
        case 7: return 0.95
        default: return 1
        }
    }

    /// The day (index into the calendar) of a cohort's trip, drawn from the cohort's stream.
    func tripDay(for cohort: SchoolCohort) -> Int {
        var g = RandomStream.schoolCohort.generator(seed: seed, cohort: cohort.receptionYear, index: 1)
        return g.index(below: calendar.schoolDays.count)
    }

    func marks(for pupil: SchoolPupil, tripDay: Int) -> [AttendanceMark] {
        guard let enrolment = pupil.enrolment2024, dayCount > 0 else { return [] }
        var g = RandomStream.schoolAttendance.generator(seed: seed, cohort: pupil.cohort.receptionYear, index: pupil.index)
        let disadvantaged = pupil.disadvantageWeight >= 1
        let episodes = disadvantaged ? Self.disadvantagedEpisodes : Self.othersEpisodes
        let startChance = Self.dailyStartChance(absence: pupil.absencePropensity, episodes: episodes)
        let lateChance = 0.01 + 0.2 * pupil.absencePropensity
        let alternativeProvision = g.chance(disadvantaged ? 0.008 : 0.003)
        let partTimeTimetable = g.chance(0.003)
        let onTrip = g.chance(0.4)
        let inTeam = g.chance(0.06)
        let partTimeEnd = calendar.schoolDays[0].adding(days: 42)

        var marks: [AttendanceMark] = []
        marks.reserveCapacity(2 * dayCount)
        var episode: (code: String, remainingSessions: Int)? = nil
        for dayIndex in 0..<dayCount {
            let day = calendar.schoolDays[dayIndex]
            // Draw the same numbers whether or not the pupil is on roll, so a pupil's register
            // does not depend on when they joined.
            let startDraw = g.unitInterval()
            let episodeDraw = g.pick(episodes)
            let lengthDraw = g.unitInterval()
            let afternoonDraw = g.chance(0.5)
            let extraDraws = (g.unitInterval(), g.unitInterval())
            guard enrolment.start <= day, enrolment.leave.map({ day <= $0 }) ?? true else { continue }
            // An episode of one session falls in the morning or the afternoon (a late arrival
            // after the register closed is always a morning mark); longer ones take whole days.
            var absentSession: Bool? = nil
            if episode == nil, startDraw < startChance * Self.season(day.month) {
                let length = Self.length(of: episodeDraw, draw: lengthDraw)
                if length == 1 {
                    absentSession = episodeDraw.code == "U" ? true : !afternoonDraw
                    episode = (episodeDraw.code, 1)
                } else {
                    episode = (episodeDraw.code, length)
                }
            }
            for isMorning in [true, false] {
                if let current = episode, absentSession.map({ $0 == isMorning }) ?? true {
                    marks.append(AttendanceMark(day: dayIndex, isMorning: isMorning, code: current.code))
                    episode = current.remainingSessions > 1 ? (current.code, current.remainingSessions - 1) : nil
                    continue
                }
                marks.append(AttendanceMark(day: dayIndex, isMorning: isMorning, code: presentCode(
                    day: day, isMorning: isMorning, extraDraw: isMorning ? extraDraws.0 : extraDraws.1,
                    lateChance: lateChance, alternativeProvision: alternativeProvision,
                    partTime: partTimeTimetable && day < partTimeEnd, onTrip: onTrip && dayIndex == tripDay,
                    inTeam: inTeam, enrolmentYearGroup: enrolment.yearGroup)))
            }
        }
        return marks
    }

    /// The chance of starting an episode on a day with no episode running, so that the long-run
    /// share of sessions missed is `absence` (p). With episodes of mean length L sessions taking
    /// D days on average, a cycle is a run of ordinary days (mean (1 - s) / s) and then an
    /// episode; so p = L / (2((1 - s) / s + D)), which gives s = 2p / (L + 2p - 2pD).
    static func dailyStartChance(absence p: Double, episodes: WeightedChoice<Episode>) -> Double {
        var previous = 0.0
        var sessions = 0.0
        var days = 0.0
        for (episode, bound) in zip(episodes.outcomes, episodes.cumulative) {
            let share = bound - previous
            previous = bound
            let total = episode.lengths.reduce(0) { $0 + $1.1 }
            for (length, weight) in episode.lengths {
                sessions += share * weight / total * Double(length)
                days += share * weight / total * Double((length + 1) / 2)
            }
        }
        return min(1, 2 * p / (sessions + 2 * p - 2 * p * days))
    }

    private static func length(of episode: Episode, draw: Double) -> Int {
        let total = episode.lengths.reduce(0) { $0 + $1.1 }
        var running = 0.0
        for (length, weight) in episode.lengths {
            running += weight / total
            if draw < running { return length }
        }
        return episode.lengths[episode.lengths.count - 1].0
    }

    /// The code for a session the pupil did not miss.
    private func presentCode(day: CalendarDate, isMorning: Bool, extraDraw: Double,
                             lateChance: Double, alternativeProvision: Bool, partTime: Bool, onTrip: Bool,
                             inTeam: Bool, enrolmentYearGroup: Int) -> String {
        if alternativeProvision, day.isoWeekday == 2 || day.isoWeekday == 4 { return "K" }
        if partTime, !isMorning { return "C2" }
        if onTrip { return "V" }
        if enrolmentYearGroup == 10, SchoolCalendar.workExperienceWeek.contains(day) { return "W" }
        if inTeam, !isMorning, day.isoWeekday == 3, extraDraw < 0.3 { return "P" }
        if isMorning, extraDraw < lateChance { return "L" }
        return isMorning ? "/" : "\\"
    }
}
