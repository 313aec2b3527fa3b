/// A day on the calendar (year, month, day) with no time of day and no time zone.
///
/// School data is about days: a register session, a census day, the start of an FSM spell.
/// `Foundation.Date` is an instant, and turning an instant back into a day depends on the
/// machine's time zone (a British Summer Time midnight is 23:00 the day before in UTC).
/// `CalendarDate` keeps the day itself, so the same input gives the same day on every machine.
///
/// The arithmetic uses the proleptic Gregorian calendar (the days-from-civil algorithm of
/// Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms"), with no Foundation calendar.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// The earliest and latest years accepted, to keep out typing slips such as "0224" or "20224".
    public static let supportedYears: ClosedRange<Int> = 1900...2199

    /// Makes a date, or returns nil when there is no such day (30 February, month 13, year 20224).
    public init?(year: Int, month: Int, day: Int) {
        guard Self.supportedYears.contains(year), (1...12).contains(month),
              day >= 1, day <= Self.daysInMonth(year: year, month: month) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Makes a date from components already known to be valid (internal arithmetic only).
    private init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses "2024-09-03" (ISO 8601, as the DfE and databases write it) or "03/09/2024"
    /// (the UK day/month/year form that spreadsheets and MIS exports use).
    /// Surrounding spaces are ignored. US-style month-first dates cannot be told apart from
    /// UK ones and are read as UK; a day above 12 in the month position is rejected.
    public init(parsing text: String) throws(CalendarDateError) {
        let trimmed = text.trimmingWhitespace()
        let bytes = Array(trimmed.utf8)
        let parts: (year: Int, month: Int, day: Int)
        if bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
           let y = Self.number(bytes[0..<4]), let m = Self.number(bytes[5..<7]), let d = Self.number(bytes[8..<10]) {
            parts = (y, m, d)
        } else if let slashParts = Self.ukParts(bytes) {
            parts = slashParts
        } else {
            throw .unrecognisedFormat(text)
        }
        guard let date = CalendarDate(year: parts.year, month: parts.month, day: parts.day) else {
            throw .noSuchDay(text)
        }
        self = date
    }

    /// "dd/mm/yyyy", also accepting one-digit day or month ("3/9/2024").
    private static func ukParts(_ bytes: [UInt8]) -> (Int, Int, Int)? {
        let pieces = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard pieces.count == 3, (1...2).contains(pieces[0].count), (1...2).contains(pieces[1].count),
              pieces[2].count == 4,
              let d = number(pieces[0]), let m = number(pieces[1]), let y = number(pieces[2]) else { return nil }
        return (y, m, d)
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` days after 1970-01-01. Traps outside `supportedYears` widened by a year
    /// either side, which only arithmetic far outside school data could reach.
    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let m = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let y = yearOfEra + era * 400 + (m <= 2 ? 1 : 0)
        self.init(unchecked: y, m, d)
    }

    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The same day `years` years later (or earlier when negative); 29 February becomes
    /// 28 February in a year that is not a leap year.
    public func adding(years: Int) -> CalendarDate {
        let newYear = year + years
        let newDay = min(day, Self.daysInMonth(year: newYear, month: month))
        return CalendarDate(unchecked: newYear, month, newDay)
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(to other: CalendarDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (ISO weekday 4).
        let offset = (daysSinceEpoch + 3) % 7
        return (offset < 0 ? offset + 7 : offset) + 1
    }

    /// The `occurrence`-th (1-based) date in the month that falls on `isoWeekday`,
    /// e.g. the third Thursday of January.
    public static func nth(_ occurrence: Int, isoWeekday weekday: Int, ofMonth month: Int, year: Int) -> CalendarDate? {
        guard let first = CalendarDate(year: year, month: month, day: 1) else { return nil }
        let shift = (weekday - first.isoWeekday + 7) % 7
        return CalendarDate(year: year, month: month, day: 1 + shift + 7 * (occurrence - 1))
    }

    /// "2024-09-03".
    public var isoString: String {
        Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
    }

    /// "03/09/2024", as UK users read dates.
    public var ukString: String {
        Self.pad(day, 2) + "/" + Self.pad(month, 2) + "/" + Self.pad(year, 4)
    }

    public var description: String { isoString }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Encoded as the ISO string "2024-09-03", which JSON readers and PostgreSQL `date` accept.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try CalendarDate(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(isoString)
    }
}

/// A run of days from `start` to `end`, both included (a term, an FSM spell, a census window).
public struct CalendarDateRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public let start: CalendarDate
    public let end: CalendarDate

    /// Returns nil when `end` is before `start`.
    public init?(start: CalendarDate, end: CalendarDate) {
        guard start <= end else { return nil }
        self.start = start
        self.end = end
    }

    public func contains(_ date: CalendarDate) -> Bool {
        start <= date && date <= end
    }

    /// Number of days in the range, counting both ends.
    public var dayCount: Int { start.days(to: end) + 1 }

    public var description: String { "\(start.isoString) to \(end.isoString)" }

    private enum CodingKeys: String, CodingKey { case start, end }

    /// Decoding rejects a range whose end is before its start.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let start = try container.decode(CalendarDate.self, forKey: .start)
        let end = try container.decode(CalendarDate.self, forKey: .end)
        guard let range = CalendarDateRange(start: start, end: end) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "the range ends on \(end.isoString), before it starts on \(start.isoString)"))
        }
        self = range
    }
}

/// Why a date could not be read.
public enum CalendarDateError: Error, Equatable, Sendable, CustomStringConvertible {
    case unrecognisedFormat(String)
    case noSuchDay(String)

    public var description: String {
        switch self {
        case .unrecognisedFormat(let text):
            return "'\(text)' is not a date in a recognised format: write it as YYYY-MM-DD (e.g. 2024-09-03) or DD/MM/YYYY (e.g. 03/09/2024)"
        case .noSuchDay(let text):
            return "'\(text)' is not a real calendar day (check the day and month, and that the year is between \(CalendarDate.supportedYears.lowerBound) and \(CalendarDate.supportedYears.upperBound))"
        }
    }
}
