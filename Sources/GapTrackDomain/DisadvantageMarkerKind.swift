/// The kinds of dated disadvantage marker gaptrack records for a student. Raw values are
/// stable and stored in the database (snake_case).
///
/// Markers are dated facts, never a single tick box (docs/methodology.md §1.1). Besides the
/// characteristics themselves, a school may record pupil premium (eligible, or funded in the
/// DfE allocation, which the DfE derives rather than the school observes) and the FSM Ever 6
/// status its MIS reports.
public enum DisadvantageMarkerKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible, FriendlyParsable {
    case fsm = "fsm"
    case fsmEver6 = "fsm_ever_6"
    case pupilPremium = "pupil_premium"
    case lookedAfter = "looked_after"
    case previouslyLookedAfter = "previously_looked_after"
    case eal = "eal"
    case refugeeOrAsylumSeeker = "refugee_or_asylum_seeker"
    case sen = "sen"
    case youngCarer = "young_carer"
    case serviceChild = "service_child"
    case imdQuintile = "imd_quintile"
    case polar4Quintile = "polar4_quintile"
    case firstInFamily = "first_in_family"
    case careLeaver = "care_leaver"
    case estranged = "estranged"
    case smcParentalOccupation = "smc_parental_occupation"

    /// Whether the marker makes a pupil "disadvantaged" in DfE performance measures: FSM (through
    /// FSM Ever 6), looked after, or previously looked after. Service children attract the service
    /// premium but are not disadvantaged in DfE attainment statistics (docs/methodology.md §1.3).
    public var feedsDfEDisadvantagedMeasure: Bool {
        switch self {
        case .fsm, .fsmEver6, .lookedAfter, .previouslyLookedAfter: return true
        default: return false
        }
    }

    public static func parse(_ text: String) throws(UnrecognisedValueError) -> DisadvantageMarkerKind {
        try parseFriendly(text)
    }

    public var alternativeSpellings: [String] {
        switch self {
        case .fsm: return ["free school meals", "FSM eligible"]
        case .fsmEver6: return ["Ever 6", "FSM6", "Ever 6 FSM"]
        case .pupilPremium: return ["PP", "PPG", "pupil premium eligible"]
        case .lookedAfter: return ["LAC", "looked after child", "child looked after", "CLA"]
        case .previouslyLookedAfter: return ["PLAC", "post-LAC", "previously looked after child"]
        case .eal: return ["English as an additional language"]
        case .refugeeOrAsylumSeeker: return ["refugee", "asylum seeker"]
        case .sen: return ["SEND", "special educational needs"]
        case .youngCarer: return ["carer"]
        case .serviceChild: return ["service", "service premium", "armed forces"]
        case .imdQuintile: return ["IMD"]
        case .polar4Quintile: return ["POLAR4", "POLAR"]
        case .firstInFamily: return ["first generation", "first in family to attend university"]
        case .careLeaver: return ["care experienced", "care-experienced"]
        case .estranged: return ["estranged student"]
        case .smcParentalOccupation: return ["parental occupation", "SMC parental occupation"]
        }
    }

    static let fieldName = "disadvantage marker"
    static var acceptedForMessage: [String] { allCases.map(\.rawValue) }

    public var description: String { rawValue }
}
