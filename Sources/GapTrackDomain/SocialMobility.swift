/// The three socio-economic background groups of the Social Mobility Commission.
public enum SMCSocioEconomicGroup: String, Sendable, Hashable, Codable, CaseIterable {
    case professional = "professional"
    case intermediate = "intermediate"
    case lowerSocioEconomic = "lower_socio_economic"
}

/// Answer to the Social Mobility Commission's key question on socio-economic background:
/// "What was the occupation of your main household earner when you were about 14?"
///
/// Answer options and their examples: Social Mobility Commission employer toolkit, as reproduced
/// by socialmobilityworks.org ("Questions to use to measure socio-economic background",
/// question 4a) and ICAEW ("Diversity monitoring - household occupations"). Grouping
/// (docs/methodology.md §1.6, from the SMC toolkit):
/// - professional: modern and traditional professional; senior, middle or junior managers;
/// - intermediate: clerical and intermediate; small business owners with fewer than 20 staff;
/// - lower socio-economic: technical and craft; routine and semi-routine manual and service;
///   long-term unemployed.
/// "Other (retired, does not apply, don't know)" and "prefer not to say" belong to no group:
/// they are excluded from the group percentages and reported separately, because the
/// declaration rate is itself a figure to report.
public enum SMCParentalOccupation: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible, FriendlyParsable {
    case modernProfessional = "modern_professional"
    case traditionalProfessional = "traditional_professional"
    case seniorManagerOrAdministrator = "senior_manager_or_administrator"
    case middleOrJuniorManager = "middle_or_junior_manager"
    case clericalAndIntermediate = "clerical_and_intermediate"
    case smallBusinessOwner = "small_business_owner"
    case technicalAndCraft = "technical_and_craft"
    case semiRoutineManualAndService = "semi_routine_manual_and_service"
    case routineManualAndService = "routine_manual_and_service"
    case longTermUnemployed = "long_term_unemployed"
    /// Retired, the question does not apply, or don't know.
    case other = "other"
    case preferNotToSay = "prefer_not_to_say"

    /// The SMC group, or nil for `other` and `preferNotToSay`, which are excluded.
    public var group: SMCSocioEconomicGroup? {
        switch self {
        case .modernProfessional, .traditionalProfessional, .seniorManagerOrAdministrator, .middleOrJuniorManager:
            return .professional
        case .clericalAndIntermediate, .smallBusinessOwner:
            return .intermediate
        case .technicalAndCraft, .semiRoutineManualAndService, .routineManualAndService, .longTermUnemployed:
            return .lowerSocioEconomic
        case .other, .preferNotToSay:
            return nil
        }
    }

    /// Whether the respondent gave an answer that places them in a group.
    public var isDeclared: Bool { group != nil }

    public static func parse(_ text: String) throws(UnrecognisedValueError) -> SMCParentalOccupation {
        try parseFriendly(text)
    }

    public var alternativeSpellings: [String] {
        switch self {
        case .modernProfessional: return ["modern professional", "modern professional occupations"]
        case .traditionalProfessional: return ["traditional professional", "traditional professional occupations"]
        case .seniorManagerOrAdministrator: return ["senior managers or administrators", "senior manager", "senior managers"]
        case .middleOrJuniorManager: return ["middle or junior managers", "middle manager", "junior manager"]
        case .clericalAndIntermediate: return ["clerical and intermediate occupations", "clerical", "intermediate occupations"]
        case .smallBusinessOwner: return ["small business owners", "small business owner"]
        case .technicalAndCraft: return ["technical and craft occupations", "technical and craft"]
        case .semiRoutineManualAndService: return ["semi-routine manual and service occupations", "semi-routine"]
        case .routineManualAndService: return ["routine manual and service occupations", "routine"]
        case .longTermUnemployed: return ["long-term unemployed", "long term unemployed"]
        case .other: return ["other", "retired", "does not apply", "this question does not apply to me", "don't know", "dont know", "I don't know"]
        case .preferNotToSay: return ["prefer not to say", "I prefer not to say", "not stated"]
        }
    }

    static let fieldName = "answer to the Social Mobility Commission parental occupation question"
    static var acceptedForMessage: [String] { allCases.map(\.rawValue) }

    public var description: String { rawValue }
}
