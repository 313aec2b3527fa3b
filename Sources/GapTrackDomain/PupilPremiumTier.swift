/// The three tiers of the EEF's tiered approach to pupil premium spending, which the DfE's
/// strategy statement template follows for "activity in this academic year"
/// (docs/methodology.md §6.5). Database values mirror the `pupil_premium_tier` type of
/// sql/011_pupil_premium.sql.
public enum PupilPremiumTier: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case highQualityTeaching = "high_quality_teaching"
    case targetedAcademicSupport = "targeted_academic_support"
    case widerStrategies = "wider_strategies"

    /// As users type it: `high-quality-teaching`, `targeted-academic-support`, `wider-strategies`
    /// (the database spelling with underscores is read too).
    public init(parsing text: String) throws(PupilPremiumTierError) {
        let normalised = String(text.lowercased().filter { $0 != " " }.map { $0 == "-" ? "_" : $0 })
        guard let tier = PupilPremiumTier(rawValue: normalised) else { throw .unknown(text) }
        self = tier
    }

    /// `targeted-academic-support`.
    public var code: String { String(rawValue.map { $0 == "_" ? "-" : $0 }) }

    /// The template's heading.
    public var label: String {
        switch self {
        case .highQualityTeaching: "High-quality teaching"
        case .targetedAcademicSupport: "Targeted academic support"
        case .widerStrategies: "Wider strategies"
        }
    }

    public static func < (lhs: PupilPremiumTier, rhs: PupilPremiumTier) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

public enum PupilPremiumTierError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknown(String)

    public var description: String {
        switch self {
        case .unknown(let text):
            "'\(text)' is not an EEF tier; use one of " + PupilPremiumTier.allCases.map(\.code).joined(separator: ", ")
        }
    }
}
