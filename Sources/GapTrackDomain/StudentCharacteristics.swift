/// Special educational needs provision, as the school census records it (docs/methodology.md §1.5).
///
/// Codes (DfE school census, SEN provision): E = education, health and care plan,
/// K = SEN support, N = no special educational need. Raw values are the stable database values;
/// `censusCode` is the letter in census and MIS exports.
public enum SENStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible, FriendlyParsable {
    case ehcPlan = "ehc_plan"
    case senSupport = "sen_support"
    case noSEN = "no_sen"

    public var censusCode: String {
        switch self {
        case .ehcPlan: return "E"
        case .senSupport: return "K"
        case .noSEN: return "N"
        }
    }

    /// Has any special educational need (E or K).
    public var hasSEN: Bool { self != .noSEN }

    /// Reads the census letter (E, K, N), the raw value, or a friendly name ("EHC plan",
    /// "EHCP", "SEN support", "None").
    public static func parse(_ text: String) throws(UnrecognisedValueError) -> SENStatus {
        try parseFriendly(text)
    }

    public var alternativeSpellings: [String] {
        switch self {
        case .ehcPlan: return ["E", "EHCP", "EHC plan", "education health and care plan", "statement"]
        case .senSupport: return ["K", "SEN support", "SEN"]
        case .noSEN: return ["N", "none", "no", "no SEN", "no special educational need"]
        }
    }

    static let fieldName = "SEN status"
    static let acceptedForMessage = ["E (EHC plan)", "K (SEN support)", "N (no SEN)"]

    public var description: String { rawValue }
}

/// Proficiency in English of a pupil with English as an additional language, on the five-point
/// A-E scale.
///
/// Wording: the DfE's "Proficiency in English" codes, collected in the school census from
/// 2016/17 until the DfE withdrew the item in 2018 (School census 2016/17, "Proficiency in
/// English codes for EAL pupils"; Optimus Education, "Understanding and using the English
/// proficiency codes for EAL learners"). The Bell Foundation's EAL Assessment Framework uses the
/// same bands A-E, which is why schools still record them.
public enum EALProficiency: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible, FriendlyParsable {
    /// A: may use first language for learning; needs a considerable amount of EAL support.
    case newToEnglish = "new_to_english"
    /// B: follows day-to-day social English; still needs a significant amount of EAL support.
    case earlyAcquisition = "early_acquisition"
    /// C: participates with increasing independence; requires ongoing EAL support.
    case developingCompetence = "developing_competence"
    /// D: oral English developing well; needs some or occasional EAL support.
    case competent = "competent"
    /// E: operates across the curriculum like a first-language speaker, without EAL support.
    case fluent = "fluent"

    /// The band letter, A (new to English) to E (fluent).
    public var band: String {
        switch self {
        case .newToEnglish: return "A"
        case .earlyAcquisition: return "B"
        case .developingCompetence: return "C"
        case .competent: return "D"
        case .fluent: return "E"
        }
    }

    /// 1 (A) to 5 (E).
    public var level: Int { Self.allCases.firstIndex(of: self)! + 1 }

    public static func < (lhs: EALProficiency, rhs: EALProficiency) -> Bool { lhs.level < rhs.level }

    /// Reads the band letter (A-E), the raw value, or the DfE wording ("New to English").
    public static func parse(_ text: String) throws(UnrecognisedValueError) -> EALProficiency {
        try parseFriendly(text)
    }

    public var alternativeSpellings: [String] {
        switch self {
        case .newToEnglish: return ["A", "new to English"]
        case .earlyAcquisition: return ["B", "early acquisition"]
        case .developingCompetence: return ["C", "developing competence"]
        case .competent: return ["D", "competent"]
        case .fluent: return ["E", "fluent", "fluency"]
        }
    }

    static let fieldName = "EAL proficiency band"
    static let acceptedForMessage = ["A (new to English)", "B (early acquisition)", "C (developing competence)", "D (competent)", "E (fluent)"]

    public var description: String { rawValue }
}
