/// A quintile of the English Indices of Multiple Deprivation for the student's home area:
/// 1 = the 20% most deprived areas, 5 = the 20% least deprived (MHCLG, English Indices of
/// Deprivation; OfS access and participation data use the same convention).
public struct IMDQuintile: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let value: Int

    public init(_ value: Int) throws(QuintileError) {
        guard (1...5).contains(value) else { throw .imd(String(value)) }
        self.value = value
    }

    public init(parsing text: String) throws(QuintileError) {
        guard let number = Int(text.trimmingWhitespace()) else { throw .imd(text) }
        try self.init(number)
    }

    /// Quintile 1: the most deprived fifth of areas.
    public var isMostDeprived: Bool { value == 1 }
    public var description: String { "IMD Q\(value)" }
    public static func < (lhs: IMDQuintile, rhs: IMDQuintile) -> Bool { lhs.value < rhs.value }

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

/// A POLAR4 quintile of young participation in higher education for the student's home area:
/// 1 = the lowest-participation fifth, 5 = the highest (Office for Students, POLAR4).
public struct POLAR4Quintile: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let value: Int

    public init(_ value: Int) throws(QuintileError) {
        guard (1...5).contains(value) else { throw .polar4(String(value)) }
        self.value = value
    }

    public init(parsing text: String) throws(QuintileError) {
        guard let number = Int(text.trimmingWhitespace()) else { throw .polar4(text) }
        try self.init(number)
    }

    /// Quintile 1: the lowest-participation fifth of areas.
    public var isLowestParticipation: Bool { value == 1 }
    public var description: String { "POLAR4 Q\(value)" }
    public static func < (lhs: POLAR4Quintile, rhs: POLAR4Quintile) -> Bool { lhs.value < rhs.value }

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

/// A quintile that is not a whole number from 1 to 5.
public enum QuintileError: Error, Equatable, Sendable, CustomStringConvertible {
    case imd(String)
    case polar4(String)

    public var description: String {
        switch self {
        case .imd(let value):
            return "IMD quintile '\(value)' is not valid; a quintile is a whole number from 1 (most deprived) to 5 (least deprived)"
        case .polar4(let value):
            return "POLAR4 quintile '\(value)' is not valid; a quintile is a whole number from 1 (lowest participation) to 5 (highest)"
        }
    }
}
