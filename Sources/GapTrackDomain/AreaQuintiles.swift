/// What an area quintile ranks: the two measures share the 1-5 scale and everything else, and
/// differ only in their name and in what quintile 1 means (docs/methodology.md §1.6).
public protocol AreaMeasure: Sendable {
    /// How the measure is written in a report: "IMD", "POLAR4".
    static var name: String { get }
    /// What quintile 1 and 5 mean, for error messages: "1 (most deprived) to 5 (least deprived)".
    static var scaleExplanation: String { get }
    /// The error for a value that is not a quintile of this measure.
    static func invalid(_ text: String) -> QuintileError
}

/// A quintile of an area measure for the student's home postcode, 1 to 5. One type serves both
/// measures so that validation, ordering and coding cannot drift apart.
public struct AreaQuintile<Measure: AreaMeasure>: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let value: Int

    public init(_ value: Int) throws(QuintileError) {
        guard (1...5).contains(value) else { throw Measure.invalid(String(value)) }
        self.value = value
    }

    public init(parsing text: String) throws(QuintileError) {
        guard let number = Int(text.trimmingWhitespace()) else { throw Measure.invalid(text) }
        try self.init(number)
    }

    public var description: String { "\(Measure.name) Q\(value)" }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    // Hashable and Equatable are synthesised from `value`; Codable is written by hand so that a
    // stored quintile is a bare number and an out-of-range one fails to decode.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let number = try container.decode(Int.self)
        do { try self.init(number) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// The English Indices of Multiple Deprivation: 1 = the 20% most deprived areas, 5 = the 20%
/// least deprived (MHCLG, English Indices of Deprivation; OfS access and participation data use
/// the same convention).
public enum IndexOfMultipleDeprivation: AreaMeasure {
    public static let name = "IMD"
    public static let scaleExplanation = "1 (most deprived) to 5 (least deprived)"
    public static func invalid(_ text: String) -> QuintileError { .imd(text) }
}

/// POLAR4, young participation in higher education: 1 = the lowest-participation fifth of
/// areas, 5 = the highest (Office for Students, POLAR4).
public enum ParticipationOfLocalAreas: AreaMeasure {
    public static let name = "POLAR4"
    public static let scaleExplanation = "1 (lowest participation) to 5 (highest)"
    public static func invalid(_ text: String) -> QuintileError { .polar4(text) }
}

public typealias IMDQuintile = AreaQuintile<IndexOfMultipleDeprivation>
public typealias POLAR4Quintile = AreaQuintile<ParticipationOfLocalAreas>

extension AreaQuintile where Measure == IndexOfMultipleDeprivation {
    /// Quintile 1: the most deprived fifth of areas.
    public var isMostDeprived: Bool { value == 1 }
}

extension AreaQuintile where Measure == ParticipationOfLocalAreas {
    /// Quintile 1: the lowest-participation fifth of areas.
    public var isLowestParticipation: Bool { value == 1 }
}

/// A quintile that is not a whole number from 1 to 5.
public enum QuintileError: Error, Equatable, Sendable, CustomStringConvertible {
    case imd(String)
    case polar4(String)

    public var description: String {
        switch self {
        case .imd(let value):
            return "IMD quintile '\(value)' is not valid; a quintile is a whole number from \(IndexOfMultipleDeprivation.scaleExplanation)"
        case .polar4(let value):
            return "POLAR4 quintile '\(value)' is not valid; a quintile is a whole number from \(ParticipationOfLocalAreas.scaleExplanation)"
        }
    }
}
