import GapTrackDomain

/// The model Demo University's earlier intakes (2020/21 to 2022/23) draw their outcomes from, with
/// the effect of support planted in it, so that the cost-of-living evaluation has a known answer
/// to recover (docs/methodology.md §11.8).
///
/// Continuation is a linear probability in exactly the covariates the evaluation adjusts for
/// (tariff, IMD quintile, course, mode, year of entry) plus the support received in the first year:
/// a bursary and a hardship award each add `supportEffect` (6 percentage points); food vouchers and
/// help with housing add nothing (a null effect the evaluation must not claim). Who receives support
/// depends on background (IMD, care leaver, estranged, first in family), so the supported differ
/// from the rest before any support: an unadjusted comparison is confounded by IMD and tariff,
/// an adjusted one is not. Completion (of those who continued), degree classification and
/// progression carry gaps by IMD and tariff and no effect of support.
public enum UniversityOutcomeModel {
    /// The records run to the end of 2024/25's teaching: the demo's data cut.
    public static let dataCut = date(2025, 7, 31)
    /// Percentage points of continuation (as a proportion) a bursary or a hardship award adds.
    public static let supportEffect: [InterventionType: Double] = [
        .bursary: 0.06, .hardshipAward: 0.06, .foodSupport: 0, .housingSupport: 0,
    ]
    static let courseEffect: [String: Double] = [
        "BSC-NURS": -0.03, "BSC-COMP": -0.02, "BENG-MECH": -0.01, "LLB-LAW": 0.01, "BSC-BMS": 0.01, "BA-HIST": 0.02,
    ]
    static let entryYearEffect: [Int: Double] = [2020: -0.01, 2021: 0, 2022: 0.01]

    /// Probability of continuing: 80% at IMD quintile 3, tariff 112, full time, before support;
    /// 1.5 points per IMD quintile, 0.06 points per tariff point, 8 points fewer part time.
    public static func continuation(imd: Int, tariff: Int, partTime: Bool, course: String, entryYear: Int,
                                    support: Set<InterventionType>) -> Double {
        var p = 0.80 + 0.015 * Double(imd - 3) + 0.0006 * Double(tariff - 112) - (partTime ? 0.08 : 0)
        p += (courseEffect[course] ?? 0) + (entryYearEffect[entryYear] ?? 0)
        p += support.reduce(0) { $0 + (supportEffect[$1] ?? 0) }
        return min(0.995, max(0.02, p))
    }

    /// Probability of completing, for a full-time student who continued.
    static func completion(imd: Int, tariff: Int) -> Double {
        min(0.99, 0.90 + 0.01 * Double(imd - 3) + 0.0004 * Double(tariff - 112))
    }

    /// Probability of a first or an upper second, for a student who qualified.
    static func goodHonours(imd: Int, tariff: Int) -> Double {
        min(0.97, max(0.2, 0.74 + 0.03 * Double(imd - 3) + 0.002 * Double(tariff - 112)))
    }

    /// Probability of a positive Graduate Outcomes activity.
    static func progression(imd: Int) -> Double { 0.72 + 0.02 * Double(imd - 3) }
}
