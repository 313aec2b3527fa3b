import GapStatistics
import GapTrackDomain

/// What each of the demo school's interventions targets (docs/methodology.md §6.6): tutoring
/// maths or English (the subjects tutoring lifts, `SchoolAttainmentModel.tutoringEffect`),
/// mentoring attendance, language support English; enrichment, devices and the care-experienced
/// transition programme name no target, as many registers leave it blank.
///
/// Drawn from a stream of its own (`RandomStream.schoolSupportTargets`), so every other file and
/// figure of the demo stays as it was without targets.
enum SchoolSupportTargets {
    static func target(of row: SupportRow, pupil: SchoolPupil, seed: UInt64) -> String {
        guard row.targeted else { return "" }
        switch row.type {
        case .tutoring:
            var g = RandomStream.schoolSupportTargets.generator(seed: seed, cohort: pupil.cohort.receptionYear, index: pupil.index)
            return g.chance(0.5) ? "maths" : "english"
        case .mentoring: return SupportTarget.attendanceWord
        case .languageSupport: return "english"
        default: return ""
        }
    }
}
