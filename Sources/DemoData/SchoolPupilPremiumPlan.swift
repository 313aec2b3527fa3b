import CSVFormat
import Foundation
import GapStatistics

/// Demo Academy's pupil premium strategy for 2024/25, as a plan file (docs/import-formats.md,
/// "Pupil premium plan"): budgets by EEF tier, challenges, intended outcomes and activities with
/// their evidence, in the shape of a secondary school's published statement.
///
/// The budgets come from a random stream of their own, keyed by the seed and the label
/// "pupil-premium-plan", so that adding the plan changes no other demo file.
public struct SchoolPupilPremiumPlan: Sendable {
    public static let fileName = "pupil-premium-plan.csv"
    static let streamLabel = "pupil-premium-plan"
    static let year = "2024/25"

    let seed: UInt64

    public init(options: DemoOptions) {
        seed = options.seed
    }

    /// The stream: the seed mixed with the label's bytes through SplitMix64 steps.
    func generator() -> SeededGenerator {
        var key = seed
        for byte in Self.streamLabel.utf8 {
            var mixer = SplitMix64(seed: key ^ UInt64(byte))
            key = mixer.next()
        }
        return SeededGenerator(seed: key)
    }

    /// A budget in whole hundreds of pounds, uniform in `range` (pounds).
    static func hundreds(_ range: ClosedRange<Int>, using generator: inout SeededGenerator) -> String {
        String(generator.integer(in: (range.lowerBound / 100)...(range.upperBound / 100)) * 100) + ".00"
    }

    /// The plan's rows, in the file's columns.
    func rows() -> [[String]] {
        var g = generator()
        let year = Self.year
        func row(_ section: String, _ number: String = "", tier: String = "", _ text: String = "", evidence: String = "",
                 challenges: String = "", provider: String = "", success: String = "", amount: String = "") -> [String] {
            [year, section, number, tier, text, evidence, challenges, provider, success, amount]
        }
        var rows = [
            row("budget", tier: "high-quality-teaching", amount: Self.hundreds(55_000...70_000, using: &g)),
            row("budget", tier: "targeted-academic-support", amount: Self.hundreds(35_000...50_000, using: &g)),
            row("budget", tier: "wider-strategies", amount: Self.hundreds(25_000...40_000, using: &g)),
        ]
        let challenges = [
            "Attainment in English and maths of disadvantaged pupils is below that of their peers from year 7 onwards.",
            "Attendance of disadvantaged pupils is lower, and persistent absence higher, than of their peers.",
            "Reading ages of many disadvantaged pupils in years 7 and 8 are below their chronological age.",
            "Fewer disadvantaged pupils take part in trips, clubs and music than their peers.",
        ]
        for (index, text) in challenges.enumerated() { rows.append(row("challenge", String(index + 1), text)) }
        let outcomes = [
            ("Improved attainment of disadvantaged pupils in English and maths.", "The gap index in English and maths in year 11 narrows from the year before."),
            ("Improved attendance of disadvantaged pupils.", "The attendance gap is under 3 percentage points and persistent absence falls."),
            ("Improved reading of disadvantaged pupils in key stage 3.", "Most pupils in the reading programme gain a year of reading age in a year."),
            ("Wider participation in enrichment.", "Disadvantaged pupils take part in clubs and trips as often as their peers."),
        ]
        for (index, outcome) in outcomes.enumerated() {
            rows.append(row("intended_outcome", String(index + 1), outcome.0, success: outcome.1))
        }
        let activities: [(tier: String, text: String, evidence: String, challenges: String, provider: String)] = [
            ("high-quality-teaching", "Professional development in explicit instruction and formative assessment for all teachers.",
             "EEF Guide to the Pupil Premium: high-quality teaching is the top priority; EEF Toolkit, feedback (+6 months).", "1", ""),
            ("high-quality-teaching", "A whole-school reading strategy: disciplinary literacy in every subject.",
             "EEF guidance report, Improving literacy in secondary schools.", "1;3", ""),
            ("targeted-academic-support", "Small-group tutoring in English and maths for year 11.",
             "EEF Toolkit, small group tuition (+4 months).", "1", "Demo Tutors Ltd"),
            ("targeted-academic-support", "A structured reading intervention for years 7 and 8.",
             "EEF Toolkit, reading comprehension strategies (+6 months).", "3", ""),
            ("wider-strategies", "An attendance officer and learning mentors working with families.",
             "DfE, Working together to improve school attendance; EEF Toolkit, mentoring (+2 months).", "2", ""),
            ("wider-strategies", "Funded trips, clubs and music tuition for disadvantaged pupils.",
             "EEF Toolkit, arts participation (+3 months).", "4", ""),
        ]
        for (index, activity) in activities.enumerated() {
            rows.append(row("activity", String(index + 1), tier: activity.tier, activity.text, evidence: activity.evidence,
                            challenges: activity.challenges, provider: activity.provider))
        }
        return rows
    }

    /// Writes the plan file into the school's folder and returns its URL.
    @discardableResult
    public func write(into folder: URL) throws(DemoDataError) -> URL {
        let url = folder.appendingPathComponent(Self.fileName)
        let text = CSVWriter.document(
            header: ["year", "section", "number", "tier", "text", "evidence", "challenges", "external_provider", "success_criteria", "amount"],
            rows: rows())
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw .cannotWrite(path: url.path, reason: error.localizedDescription)
        }
        return url
    }
}
