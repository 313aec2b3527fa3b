/// The scale an assessment result is on. Every assessment names its scale so that results can
/// be checked, ranked and standardised (docs/methodology.md §4). Raw values are
/// stable and stored in the database.
public enum AssessmentScale: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible, FriendlyParsable {
    /// Key stage 2 scaled score, 80-120; 100 is the expected standard and 110 the high standard
    /// (Standards and Testing Agency, KS2 scaled scores).
    case ks2ScaledScore = "ks2_scaled_score"
    /// GCSE grade 9 (highest) to 1, with U (ungraded) scored 0 (Ofqual 9-1 grading).
    case gcse = "gcse"
    /// Standardised score with mean 100 and standard deviation 15, accepted from 55 to 145
    /// (3 standard deviations either side). Publishers report narrower ranges, e.g. NFER fixes its
    /// minimum and maximum at 70 and 140, and the QCA's KS2 age-standardised tables use 69 and 141
    /// for scores beyond them; the wider range accepts any publisher's scores while still catching
    /// a raw mark or a percentage typed into the wrong column.
    case standardisedScore = "standardised_score"
    /// A percentage, 0-100.
    case percentage = "percentage"
    /// A higher education module mark, 0-100.
    case heMark = "he_mark"
    /// UK undergraduate degree classification: third, 2:2, 2:1, first, scored 1-4.
    case degreeClass = "degree_class"

    /// The lowest and highest numeric score on the scale.
    public var range: ClosedRange<Double> {
        switch self {
        case .ks2ScaledScore: return 80...120
        case .gcse: return 0...9
        case .standardisedScore: return 55...145
        case .percentage, .heMark: return 0...100
        case .degreeClass: return 1...4
        }
    }

    /// Whether scores on the scale are whole numbers.
    public var isWholeNumber: Bool { self != .percentage && self != .heMark }

    /// Reads a result as written on a mark sheet and returns its numeric score.
    ///
    /// - GCSE accepts "9" ... "1", "U" (0) and "0".
    /// - Degree class accepts "First", "1st", "2:1", "Upper second", "2:2", "Lower second",
    ///   "Third", "3rd" (see `DegreeClass`).
    /// - Other scales accept a number; percentages and HE marks may have decimals and a trailing "%".
    public func score(_ text: String) throws(AssessmentScoreError) -> Double {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty(scale: self) }
        switch self {
        case .gcse:
            if trimmed.uppercased() == "U" { return 0 }
        case .degreeClass:
            do {
                return Double(try DegreeClass.parse(trimmed).rank)
            } catch {
                throw .notAScore(scale: self, text: trimmed)
            }
        default:
            break
        }
        var numberText = trimmed
        if (self == .percentage || self == .heMark), numberText.hasSuffix("%") {
            numberText = String(numberText.dropLast()).trimmingWhitespace()
        }
        guard let value = Self.decimal(numberText) else { throw .notAScore(scale: self, text: trimmed) }
        if isWholeNumber, value != value.rounded() { throw .notAWholeNumber(scale: self, text: trimmed) }
        guard range.contains(value) else { throw .outOfRange(scale: self, text: trimmed) }
        return value
    }

    /// A plain decimal: digits, at most one point, optional leading minus. No exponents,
    /// no "nan" or "inf", which `Double(_:)` would otherwise accept.
    private static func decimal(_ text: String) -> Double? {
        var sawDigit = false
        var sawPoint = false
        for (offset, character) in text.enumerated() {
            if character.isASCIIDigitCharacter { sawDigit = true }
            else if character == ".", !sawPoint { sawPoint = true }
            else if character == "-", offset == 0 {}
            else { return nil }
        }
        return sawDigit ? Double(text) : nil
    }

    /// A description of the valid values, for error messages.
    public var validValuesDescription: String {
        switch self {
        case .ks2ScaledScore: return "a whole number from 80 to 120"
        case .gcse: return "a grade from 9 to 1, or U"
        case .standardisedScore: return "a whole number from 55 to 145"
        case .percentage: return "a number from 0 to 100"
        case .heMark: return "a mark from 0 to 100"
        case .degreeClass: return "First, 2:1, 2:2 or Third"
        }
    }

    /// The name a person would use.
    public var displayName: String {
        switch self {
        case .ks2ScaledScore: return "KS2 scaled score"
        case .gcse: return "GCSE grade"
        case .standardisedScore: return "standardised score"
        case .percentage: return "percentage"
        case .heMark: return "HE module mark"
        case .degreeClass: return "degree classification"
        }
    }

    public static func parse(_ text: String) throws(UnrecognisedValueError) -> AssessmentScale {
        try parseFriendly(text)
    }

    public var alternativeSpellings: [String] {
        switch self {
        case .ks2ScaledScore: return ["KS2 scaled score", "scaled score", "KS2"]
        case .gcse: return ["GCSE grade", "GCSE 9-1"]
        case .standardisedScore: return ["standardised score", "standardized score", "SAS", "standard age score"]
        case .percentage: return ["percent", "%"]
        case .heMark: return ["HE mark", "module mark"]
        case .degreeClass: return ["degree classification", "degree class", "classification"]
        }
    }

    static let fieldName = "assessment scale"
    static var acceptedForMessage: [String] { allCases.map(\.rawValue) }

    public var description: String { rawValue }
}

/// UK undergraduate honours degree classification.
public enum DegreeClass: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible, FriendlyParsable {
    case third = "third"
    case lowerSecond = "lower_second"
    case upperSecond = "upper_second"
    case first = "first"

    /// 1 (third) to 4 (first), so that a higher class ranks higher.
    public var rank: Int {
        switch self {
        case .third: return 1
        case .lowerSecond: return 2
        case .upperSecond: return 3
        case .first: return 4
        }
    }

    /// "First", "2:1", "2:2", "Third".
    public var displayName: String {
        switch self {
        case .first: return "First"
        case .upperSecond: return "2:1"
        case .lowerSecond: return "2:2"
        case .third: return "Third"
        }
    }

    public static func < (lhs: DegreeClass, rhs: DegreeClass) -> Bool { lhs.rank < rhs.rank }

    public static func parse(_ text: String) throws(UnrecognisedValueError) -> DegreeClass {
        try parseFriendly(text)
    }

    public var alternativeSpellings: [String] {
        switch self {
        case .first: return ["1st", "first class", "first class honours", "1"]
        case .upperSecond: return ["2:1", "2.1", "21", "upper second", "upper second class", "2i"]
        case .lowerSecond: return ["2:2", "2.2", "22", "lower second", "lower second class", "2ii"]
        case .third: return ["3rd", "third class", "3"]
        }
    }

    static let fieldName = "degree classification"
    static let acceptedForMessage = ["First", "2:1", "2:2", "Third"]

    public var description: String { displayName }
}

/// Why a result could not be read as a score on its scale.
public enum AssessmentScoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty(scale: AssessmentScale)
    case notAScore(scale: AssessmentScale, text: String)
    case notAWholeNumber(scale: AssessmentScale, text: String)
    case outOfRange(scale: AssessmentScale, text: String)

    public var description: String {
        switch self {
        case .empty(let scale):
            return "the \(scale.displayName) is empty; it should be \(scale.validValuesDescription)"
        case .notAScore(let scale, let text):
            return "'\(text)' is not a \(scale.displayName); it should be \(scale.validValuesDescription)"
        case .notAWholeNumber(let scale, let text):
            return "'\(text)' is not a \(scale.displayName): it has a fractional part, but it should be \(scale.validValuesDescription)"
        case .outOfRange(let scale, let text):
            return "'\(text)' is outside the range of the \(scale.displayName) scale; it should be \(scale.validValuesDescription)"
        }
    }
}
