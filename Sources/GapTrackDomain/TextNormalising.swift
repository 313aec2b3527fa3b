extension String {
    /// The string without leading and trailing spaces, tabs and line breaks
    /// (including the no-break space that spreadsheets paste in).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }

    /// A key for matching friendly spellings: lower case, letters and digits only, so that
    /// "Cost-of-living award", "cost of living award" and "COST_OF_LIVING_AWARD" all match.
    var matchingKey: String {
        var key = ""
        for scalar in unicodeScalars where scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
            key.unicodeScalars.append(contentsOf: String(scalar).lowercased().unicodeScalars)
        }
        return key
    }
}

/// A code or label that was not one of the accepted values, with the accepted values listed
/// so that a data lead can correct the spreadsheet.
public enum UnrecognisedValueError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `field` names what was being read (e.g. "SEN status"), `value` is the text as given, and
    /// `accepted` lists the accepted values as a person would write them.
    case unrecognised(field: String, value: String, accepted: [String])

    public var description: String {
        switch self {
        case .unrecognised(let field, let value, let accepted):
            return "'\(value)' is not a recognised \(field); use one of: \(accepted.joined(separator: ", "))"
        }
    }
}

/// A type whose values can be read from the stable database value or from a friendly spelling.
protocol FriendlyParsable: CaseIterable, RawRepresentable where RawValue == String {
    /// Spellings accepted besides the raw value, compared with `String.matchingKey`.
    var alternativeSpellings: [String] { get }
    /// How the accepted values are listed in an error message.
    static var acceptedForMessage: [String] { get }
    static var fieldName: String { get }
}

extension FriendlyParsable {
    static func parseFriendly(_ text: String) throws(UnrecognisedValueError) -> Self {
        let key = text.matchingKey
        if !key.isEmpty {
            for candidate in allCases {
                if candidate.rawValue.matchingKey == key { return candidate }
                if candidate.alternativeSpellings.contains(where: { $0.matchingKey == key }) { return candidate }
            }
        }
        throw .unrecognised(field: fieldName, value: text, accepted: acceptedForMessage)
    }
}
