import GapStatistics
import GapTrackDomain

/// The model every school assessment result is drawn from, in standard deviations (SD) of the
/// national distribution.
///
/// A pupil's result = stable attainment + subject strength + age effect + progress + test
/// noise (+ tutoring, + EAL effect in English). Variances: stable 0.8, subject 0.1, noise 0.1,
/// so a test's reliability is about 0.9 and two subjects correlate about 0.8.
///
/// The disadvantage gap. Disadvantaged pupils are shifted down by 0.45 SD at KS2, widening
/// steadily to 0.58 SD at KS4; pupils with FSM history that does not count get half. On top
/// of that, SEN (more common among disadvantaged pupils), absence (higher) and care experience
/// widen the gap, so the KS4 gap between the groups' means comes out at about 0.75 SD. For
/// two normal groups the DfE gap index is 20 x (Phi(d / sqrt 2) - 1/2) (docs/methodology.md §5),
/// so d = 0.75 gives about 4: the published KS4 index is 3.9 (2023 and 2024), KS2 3.1-3.2.
///
/// Months. Scores rise by 0.04 SD per month of schooling (standardised scores and GCSE
/// working-at grades), so the KS4 gap is about 19 months by the progress-rate conversion, near
/// EPI's 19.1 months for 2024. The month-of-birth effect within a year group is smaller and
/// shrinks with age (C. Crawford, L. Dearden and E. Greaves, IFS W13/09, 2013): 0.04 SD per
/// month of age at KS2 (0.44 SD between the oldest and youngest) to 0.025 at KS4 (0.27 SD),
/// the upper end of what is observed, so that the age-gradient conversion has a slope to find.
/// Even so, in a year group of 200 the slope's standard error is about as large as the slope
/// (a report shows the conversion without an interval, or none), so the age-gradient months
/// are noisy at the default size and settle at --scale 5 and above; they come out larger than
/// the progress-rate months, a difference a report states with its method.
public enum SchoolAttainmentModel {
    public static let disadvantageShiftKS2 = 0.45
    public static let disadvantageShiftKS4 = 0.58
    /// SD gained per month of schooling.
    public static let progressPerMonth = 0.04
    /// The planted effect of delivered tutoring on the summer 2024/25 results (half of it by
    /// the spring assessment, part-way through the programme).
    public static let tutoringEffect = 0.2
    static let stableSpread = 0.8.squareRoot()
    static let subjectSpread = 0.1.squareRoot()
    static let testNoise = 0.1.squareRoot()

    /// The disadvantage shift when the pupil is in `yearGroup` (6 = KS2, 11 = KS4).
    public static func disadvantageShift(yearGroup: Int) -> Double {
        let progress = Double(min(max(yearGroup, 6), 11) - 6) / 5
        return disadvantageShiftKS2 + (disadvantageShiftKS4 - disadvantageShiftKS2) * progress
    }

    /// SD per month of age within a year group.
    public static func ageEffectPerMonth(yearGroup: Int) -> Double {
        switch yearGroup {
        case ...6: return 0.04
        case 7: return 0.035
        case 8: return 0.032
        case 9: return 0.03
        case 10: return 0.027
        default: return 0.025
        }
    }

    /// Stable attainment at KS4 level (see `SchoolPupil.latentAttainment`).
    static func latentAttainment(weight: Double, sen: String?, absencePropensity: Double, careExperienced: Bool,
                                 refugee: Bool, using g: inout SeededGenerator) -> Double {
        var theta = 0.2 + g.normal(standardDeviation: stableSpread) - disadvantageShiftKS4 * weight
        if sen == "K" { theta -= 0.45 } else if sen == "E" { theta -= 0.9 }
        theta -= 1.2 * (absencePropensity - 0.07)
        if careExperienced { theta -= 0.25 }
        if refugee { theta -= 0.2 }
        return theta
    }

    /// English is harder for pupils early in learning English (EAL bands A-C); maths a little.
    static func ealEffect(band: String?, subject: String) -> Double {
        guard let band else { return 0 }
        let english = subject == "english" || subject == "reading"
        switch band {
        case "A": return english ? -1.0 : -0.4
        case "B": return english ? -0.6 : -0.2
        case "C": return english ? -0.25 : 0
        default: return 0
        }
    }

    /// GCSE grade from a result in SD, with cut points set so that a national-like group gets
    /// about 72% at grade 4 or above and 20% at 7 or above, as 16-year-olds did in English and
    /// maths in 2024 (Ofqual results guide and EPI results-day analysis, August 2024: 71.6% and
    /// 72.3% at 4+; 22.6% of all GCSE awards at 7+). The other cut points are a smooth
    /// interpolation, not published figures. 0 is U.
    static func gcseGrade(_ result: Double) -> Int {
        var grade = 0
        for (index, cut) in gcseCuts.enumerated() where result >= cut { grade = index + 1 }
        return grade
    }

    /// Share of pupils at or above grades 1 to 9, and the matching cut points.
    static let gcseShareAtOrAbove = [0.985, 0.93, 0.85, 0.72, 0.53, 0.37, 0.20, 0.10, 0.04]
    static let gcseCuts = gcseShareAtOrAbove.map { Normal.quantile(1 - $0) }

    /// KS2 scaled score: mean about 104.5 and SD 7, so about 74% reach the expected standard
    /// of 100 and 20-25% the high score of 110 (KS2 2024: reading 74%, maths 73% expected; 28%
    /// and 24% high score; Standards and Testing Agency / DfE). Clamped to 80-120.
    static func ks2Scaled(_ result: Double) -> Int {
        min(120, max(80, Int((104.5 + 7 * result).rounded())))
    }

    /// Standardised score, mean 100 and SD 15 on the year group at the autumn test; clamped to
    /// the scale's accepted range (55-145). Not age-standardised, so that progress through the
    /// year and the month-of-birth effect show.
    static func standardised(_ result: Double) -> Int {
        min(145, max(55, Int((100 + 15 * result).rounded())))
    }
}
