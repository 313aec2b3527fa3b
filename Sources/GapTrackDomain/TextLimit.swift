/// The longest value each free-text field takes, shared by the CSV imports and the HTTP service
/// so that a value one door accepts the other accepts too. Lengths are counted in Unicode
/// scalars, not grapheme clusters: one "character" built from 100,000 combining marks is
/// 100,001 scalars and is refused, where a grapheme count would call it one.
///
/// docs/import-formats.md and the README's service section list the same maxima.
public struct TextLimit: Sendable, Equatable, CustomStringConvertible {
    /// The field as the imports' columns and the API's JSON keys both name it.
    public let field: String
    public let maximum: Int
    /// Free text written by people (an intended outcome) may hold tabs and line breaks; every
    /// other field is one line.
    public let allowsLineBreaks: Bool

    public init(field: String, maximum: Int, allowsLineBreaks: Bool = false) {
        self.field = field
        self.maximum = maximum
        self.allowsLineBreaks = allowsLineBreaks
    }

    /// A student's identifier as sent (UPN, ULN, HESA id or the provider's own id).
    public static let student = TextLimit(field: "student", maximum: 50)
    /// A support record's id in the source system.
    public static let reference = TextLimit(field: "reference", maximum: 200)
    public static let staff = TextLimit(field: "staff", maximum: 200)
    public static let intendedOutcome = TextLimit(field: "intended_outcome", maximum: 2000, allowsLineBreaks: true)
    public static let subject = TextLimit(field: "subject", maximum: 100)
    public static let assessment = TextLimit(field: "assessment", maximum: 200)
    /// A result as written on its scale ("7", "2:1", "104").
    public static let result = TextLimit(field: "result", maximum: 20)
    /// A review's note on how an intervention is going (docs/methodology.md §6.6).
    public static let progressNote = TextLimit(field: "progress_note", maximum: 4000, allowsLineBreaks: true)
    /// Any other field: codes, dates and numbers, all far shorter.
    public static func other(_ field: String) -> TextLimit { TextLimit(field: field, maximum: 200) }

    /// Every named limit, in the order the documentation lists them.
    public static let all: [TextLimit] = [student, reference, staff, intendedOutcome, subject, assessment, result, progressNote]
    public static let byField: [String: TextLimit] = Dictionary(uniqueKeysWithValues: all.map { ($0.field, $0) })

    /// The limit of `field`: its own, or the one for any other field.
    public static func of(_ field: String) -> TextLimit { byField[field] ?? other(field) }

    public var description: String { "\(field): at most \(maximum) characters" }

    /// Why `text` does not fit, or nil when it does: too long, or holding a control character
    /// (a NUL would cut the value short in the database and match a student by a prefix).
    public func problem(_ text: String) -> String? {
        if let control = Self.firstControlCharacter(in: text, allowingLineBreaks: allowsLineBreaks) {
            return "contains the control character U+\(Self.hex(control)) in '\(Self.quoted(text))'; send printable text only"
                + (allowsLineBreaks ? " (tabs and line breaks are allowed)" : "")
        }
        let length = text.unicodeScalars.count
        if length > maximum {
            return "is \(length) characters long ('\(Self.quoted(text))'); at most \(maximum) are accepted"
        }
        return nil
    }

    /// The first control character (Unicode category Cc) in `text`, other than tab, CR and LF
    /// where line breaks are allowed.
    public static func firstControlCharacter(in text: String, allowingLineBreaks: Bool) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            guard scalar.properties.generalCategory == .control else { return false }
            return !(allowingLineBreaks && (scalar == "\t" || scalar == "\r" || scalar == "\n"))
        }
    }

    /// At most the first 40 scalars of `text`, so that an error never echoes a huge value.
    public static func quoted(_ text: String, scalars: Int = 40) -> String {
        let shown = text.unicodeScalars.prefix(scalars).map { scalar in
            scalar.properties.generalCategory == .control ? "\\u{\(hex(scalar))}" : String(scalar)
        }.joined()
        return text.unicodeScalars.count > scalars ? shown + "…" : shown
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
