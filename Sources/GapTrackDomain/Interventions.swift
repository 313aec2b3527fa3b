/// The kinds of intervention or support gaptrack records (docs/methodology.md §6.1).
/// Raw values are stable and stored in the database; `parse` also accepts friendly spellings
/// as staff write them in spreadsheets.
public enum InterventionType: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible, FriendlyParsable {
    case tutoring = "tutoring"
    case mentoring = "mentoring"
    case languageSupport = "language_support"
    /// A transition programme for care-experienced students moving into further or higher education.
    case careExperiencedTransition = "care_experienced_transition"
    case enrichment = "enrichment"
    case bursary = "bursary"
    /// A hardship or cost-of-living award.
    case hardshipAward = "hardship_award"
    case foodSupport = "food_support"
    case housingSupport = "housing_support"
    /// A laptop, tablet, or mobile data.
    case deviceOrData = "device_or_data"

    public static func parse(_ text: String) throws(UnrecognisedValueError) -> InterventionType {
        try parseFriendly(text)
    }

    public var alternativeSpellings: [String] {
        switch self {
        case .tutoring: return ["tutor", "tuition", "small group tuition", "one to one tuition", "1:1 tuition", "national tutoring programme", "NTP"]
        case .mentoring: return ["mentor", "mentoring programme"]
        case .languageSupport: return ["EAL support", "English language support", "language"]
        case .careExperiencedTransition: return ["care experienced transition programme", "care leaver transition", "care-experienced transition"]
        case .enrichment: return ["enrichment activity", "enrichment activities", "trips", "extracurricular"]
        case .bursary: return ["bursary award", "16-19 bursary", "vulnerable bursary", "bursary fund award"]
        case .hardshipAward: return ["hardship", "hardship fund award", "hardship grant", "hardship payment", "cost of living award", "cost of living", "cost of living support", "cost of living payment"]
        case .foodSupport: return ["food", "food voucher", "food vouchers", "breakfast club", "free meals"]
        case .housingSupport: return ["housing", "accommodation support", "rent support"]
        case .deviceOrData: return ["laptop", "laptop or data", "device", "data", "tablet", "mobile data", "dongle", "laptop loan"]
        }
    }

    static let fieldName = "intervention type"
    static var acceptedForMessage: [String] { allCases.map(\.rawValue) }

    public var description: String { rawValue }
}

/// Where the money for an intervention came from. Raw values are stable and stored in the database.
public enum FundingSource: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible, FriendlyParsable {
    case pupilPremium = "pupil_premium"
    /// Recovery premium or other catch-up funding.
    case recovery = "recovery"
    case bursaryFund = "bursary_fund"
    case hardshipFund = "hardship_fund"
    case other = "other"

    public static func parse(_ text: String) throws(UnrecognisedValueError) -> FundingSource {
        try parseFriendly(text)
    }

    public var alternativeSpellings: [String] {
        switch self {
        case .pupilPremium: return ["PP", "PPG", "pupil premium grant", "service pupil premium", "SPP", "pupil premium plus", "PP+"]
        case .recovery: return ["recovery premium", "catch-up", "catch up premium", "COVID catch-up"]
        case .bursaryFund: return ["bursary", "16-19 bursary fund", "16 to 19 bursary fund"]
        case .hardshipFund: return ["hardship", "student hardship fund", "cost of living fund"]
        case .other: return ["school budget", "core budget", "donation", "charity"]
        }
    }

    static let fieldName = "funding source"
    static var acceptedForMessage: [String] { allCases.map(\.rawValue) }

    public var description: String { rawValue }
}

/// Where an intervention or support record stands. Raw values are stable and stored in the database.
public enum SupportStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible, FriendlyParsable {
    case planned = "planned"
    case active = "active"
    case ended = "ended"
    case cancelled = "cancelled"

    /// Whether the support took place (at least in part), so that it counts in spend and impact.
    public var wasDelivered: Bool { self == .active || self == .ended }

    public static func parse(_ text: String) throws(UnrecognisedValueError) -> SupportStatus {
        try parseFriendly(text)
    }

    public var alternativeSpellings: [String] {
        switch self {
        case .planned: return ["plan", "proposed", "not started", "scheduled"]
        case .active: return ["ongoing", "in progress", "current", "started", "open"]
        case .ended: return ["complete", "completed", "finished", "closed", "done"]
        case .cancelled: return ["canceled", "withdrawn", "did not start", "abandoned"]
        }
    }

    static let fieldName = "support status"
    static var acceptedForMessage: [String] { allCases.map(\.rawValue) }

    public var description: String { rawValue }
}
