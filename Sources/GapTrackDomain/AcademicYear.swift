/// An academic year in England, written "2024/25", running from 1 August to 31 July.
///
/// 1 August is the start the DfE uses for attendance and absence statistics (Explore Education
/// Statistics, "Pupil absence in schools in England" methodology: the autumn term is collected
/// "from 1 August to 31 December"), so every school day belongs to exactly one academic year.
public struct AcademicYear: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The calendar year in which it starts: 2024 for 2024/25.
    public let startYear: Int

    public init(startYear: Int) {
        self.startYear = startYear
    }

    /// The academic year containing `date`: 2024-07-31 is in 2023/24, 2024-08-01 in 2024/25.
    public init(containing date: CalendarDate) {
        startYear = date.month >= 8 ? date.year : date.year - 1
    }

    /// Parses "2024/25". Also accepts "2024-25" and "2024/2025", which appear in exports.
    public init(parsing text: String) throws(AcademicYearError) {
        let trimmed = text.trimmingWhitespace()
        let bytes = Array(trimmed.utf8)
        guard bytes.count == 7 || bytes.count == 9,
              bytes[4] == UInt8(ascii: "/") || bytes[4] == UInt8(ascii: "-"),
              let start = Self.digits(bytes[0..<4]), let end = Self.digits(bytes[5...]) else {
            throw .unrecognisedFormat(text)
        }
        let expectedEnd = bytes.count == 7 ? (start + 1) % 100 : start + 1
        guard end == expectedEnd else { throw .yearsNotConsecutive(text) }
        startYear = start
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// 1 August of the start year.
    public var startDate: CalendarDate { CalendarDate(year: startYear, month: 8, day: 1)! }
    /// 31 July of the following year.
    public var endDate: CalendarDate { CalendarDate(year: startYear + 1, month: 7, day: 31)! }
    public var dateRange: CalendarDateRange { CalendarDateRange(start: startDate, end: endDate)! }

    public var previous: AcademicYear { AcademicYear(startYear: startYear - 1) }
    public var next: AcademicYear { AcademicYear(startYear: startYear + 1) }

    /// The terms of the year in order: autumn, spring, summer.
    public var terms: [AcademicTerm] { Term.allCases.map { AcademicTerm(year: self, term: $0) } }

    /// "2024/25".
    public var description: String {
        let endTwoDigits = (startYear + 1) % 100
        return "\(startYear)/" + (endTwoDigits < 10 ? "0" : "") + "\(endTwoDigits)"
    }

    public static func < (lhs: AcademicYear, rhs: AcademicYear) -> Bool { lhs.startYear < rhs.startYear }

    /// Encoded as "2024/25".
    public init(from decoder: any Decoder) throws { self = try decodeValidated(decoder, AcademicYear.init(parsing:)) }
    public func encode(to encoder: any Encoder) throws { try encodeString(description, to: encoder) }
}

/// The three school terms. Raw values are stable and stored in the database.
public enum Term: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    case autumn
    case spring
    case summer

    /// Position in the academic year: autumn 0, spring 1, summer 2.
    public var ordinal: Int {
        switch self {
        case .autumn: return 0
        case .spring: return 1
        case .summer: return 2
        }
    }

    public static func < (lhs: Term, rhs: Term) -> Bool { lhs.ordinal < rhs.ordinal }

    public var description: String { rawValue }
}

/// A term of a particular academic year, written "2024/25-autumn": the unit of termly reports.
///
/// Date ranges (a deliberate, documented simplification; docs/methodology.md §7.1):
/// - autumn: 1 August to 31 December;
/// - spring: 1 January to 31 March;
/// - summer: 1 April to 31 July.
/// The DfE's absence collection ends the spring term on Easter Sunday and starts the summer
/// term on Easter Monday (Explore Education Statistics, "Pupil absence in schools in England",
/// methodology section 4.1). Easter moves between 22 March and 25 April, so a fixed 31 March
/// boundary puts a few days of some years in the other term. gaptrack uses fixed dates so that a
/// term is the same every year and easy to state in SQL; termly figures near Easter can therefore
/// differ slightly from DfE statistics, and reports say so.
public struct AcademicTerm: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: AcademicYear
    public let term: Term

    public init(year: AcademicYear, term: Term) {
        self.year = year
        self.term = term
    }

    /// The term containing `date`, under the fixed boundaries above.
    public init(containing date: CalendarDate) {
        year = AcademicYear(containing: date)
        switch date.month {
        case 8...12: term = .autumn
        case 1...3: term = .spring
        default: term = .summer
        }
    }

    /// Parses "2024/25-autumn" (the term name in any case; "2024-25-autumn" is also accepted).
    public init(parsing text: String) throws(AcademicYearError) {
        let trimmed = text.trimmingWhitespace()
        guard let dash = trimmed.lastIndex(of: "-") else { throw .unrecognisedTermFormat(text) }
        let yearText = String(trimmed[..<dash])
        let termText = String(trimmed[trimmed.index(after: dash)...]).lowercased()
        guard let term = Term(rawValue: termText) else { throw .unrecognisedTermFormat(text) }
        do {
            year = try AcademicYear(parsing: yearText)
        } catch {
            throw .unrecognisedTermFormat(text)
        }
        self.term = term
    }

    public var startDate: CalendarDate {
        switch term {
        case .autumn: return year.startDate
        case .spring: return CalendarDate(year: year.startYear + 1, month: 1, day: 1)!
        case .summer: return CalendarDate(year: year.startYear + 1, month: 4, day: 1)!
        }
    }

    public var endDate: CalendarDate {
        switch term {
        case .autumn: return CalendarDate(year: year.startYear, month: 12, day: 31)!
        case .spring: return CalendarDate(year: year.startYear + 1, month: 3, day: 31)!
        case .summer: return year.endDate
        }
    }

    public var dateRange: CalendarDateRange { CalendarDateRange(start: startDate, end: endDate)! }

    /// Terms counted from autumn 0000/01; used for ordering and stepping.
    private var index: Int { year.startYear * 3 + term.ordinal }

    private init(index: Int) {
        let startYear = index >= 0 ? index / 3 : (index - 2) / 3
        year = AcademicYear(startYear: startYear)
        term = Term.allCases[index - startYear * 3]
    }

    public var previous: AcademicTerm { AcademicTerm(index: index - 1) }
    public var next: AcademicTerm { AcademicTerm(index: index + 1) }

    /// The `count` terms before this one, most recent first (for trend reports).
    public func previousTerms(_ count: Int) -> [AcademicTerm] {
        guard count > 0 else { return [] }
        return (1...count).map { AcademicTerm(index: index - $0) }
    }

    /// The term `offset` terms later (earlier when negative).
    public func advanced(by offset: Int) -> AcademicTerm { AcademicTerm(index: index + offset) }

    public static func < (lhs: AcademicTerm, rhs: AcademicTerm) -> Bool { lhs.index < rhs.index }

    /// "2024/25-autumn".
    public var description: String { "\(year)-\(term.rawValue)" }

    /// Encoded as "2024/25-autumn".
    public init(from decoder: any Decoder) throws { self = try decodeValidated(decoder, AcademicTerm.init(parsing:)) }
    public func encode(to encoder: any Encoder) throws { try encodeString(description, to: encoder) }
}

/// Why an academic year or term could not be read.
public enum AcademicYearError: Error, Equatable, Sendable, CustomStringConvertible {
    case unrecognisedFormat(String)
    case yearsNotConsecutive(String)
    case unrecognisedTermFormat(String)

    public var description: String {
        switch self {
        case .unrecognisedFormat(let text):
            return "'\(text)' is not an academic year; write it as YYYY/YY, e.g. 2024/25"
        case .yearsNotConsecutive(let text):
            return "'\(text)' is not an academic year: the second year must follow the first, e.g. 2024/25"
        case .unrecognisedTermFormat(let text):
            return "'\(text)' is not a term; write it as YYYY/YY-term with term autumn, spring or summer, e.g. 2024/25-autumn"
        }
    }
}
