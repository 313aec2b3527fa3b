import GapTrackDomain
import Postgres

/// The kinds of period a school calendar holds (the database's `school_calendar_kind`).
public enum SchoolCalendarKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// The span the school is open; holidays, closures and INSET days inside it take days out.
    case term
    /// A half term or end-of-term holiday.
    case holiday
    /// An emergency or planned closure: a polling day, snow, a heating failure.
    case closure
    /// A staff training day: open to staff, closed to pupils.
    case inset

    /// "term", "Holiday", "INSET", "inset day", "closure"; anything else is refused with the kinds.
    public init(parsing text: String) throws(FieldProblem) {
        var word = text.lowercased()
        if word.hasSuffix(" day") { word = String(word.dropLast(4)) }
        guard let kind = Self(rawValue: word) else {
            throw FieldProblem("'\(TextLimit.quoted(text))' is not a kind of calendar period; expected term, holiday, closure or inset")
        }
        self = kind
    }
}

/// calendar.csv: a provider's term dates, holidays, closures and INSET days, one period a row
/// (docs/import-formats.md). A period is known by its kind and first day; importing a file
/// again changes nothing, and a period with a new last day or description is updated.
struct SchoolCalendarImport: TabularFormat {
    static let columns: [ImportColumn] = [
        ImportColumn("date_from", required: true), ImportColumn("date_to"), ImportColumn("kind", required: true),
        ImportColumn("description"),
    ]
    static let stagingTable = "staged_calendar"
    static let stagingColumns: [(name: String, type: String)] = [
        ("kind", "school_calendar_kind"), ("date_from", "date"), ("date_to", "date"), ("description", "text"),
    ]
    /// The longest period accepted, as the table's CHECK: a year (and a day in a leap year).
    static let longestPeriodDays = 367

    /// First line of each period, by kind and first day, to report a period given twice.
    private var seen: [String: Int] = [:]
    /// Terms read so far, to refuse two terms that overlap.
    private var terms: [(range: CalendarDateRange, line: Int)] = []

    init(context: ImportContext) throws {}

    mutating func validate(_ row: inout RowContext) -> [String?]? {
        let from = row.parse("date_from", required: true, expected: "the period's first day", FieldParsers.date)
        let to = row.parse("date_to", expected: "the period's last day", FieldParsers.date) ?? from
        let kind = row.parse("kind", required: true, expected: "term, holiday, closure or inset", SchoolCalendarKind.init(parsing:))
        let description = row.text("description") ?? ""
        guard let from, let to, let kind else { return nil }
        guard let range = CalendarDateRange(start: from, end: to) else {
            row.fail("date_to", "\(to.isoString) is before date_from \(from.isoString); a period ends on or after the day it starts")
            return nil
        }
        guard range.dayCount <= Self.longestPeriodDays else {
            row.fail("date_to", "makes a period of \(range.dayCount) days (\(range)); a period is at most a year, so check the year")
            return nil
        }
        let key = "\(kind.rawValue)|\(from.isoString)"
        if let first = seen[key] {
            row.fail("date_from", "repeats the \(kind.rawValue) starting \(from.isoString) on line \(first); give each period once")
            return nil
        }
        seen[key] = row.line
        if kind == .term {
            if let clash = terms.first(where: { $0.range.start <= to && from <= $0.range.end }) {
                row.fail("date_from", "the term \(range) overlaps the term \(clash.range) on line \(clash.line); terms do not overlap")
                return nil
            }
            terms.append((range, row.line))
        }
        return [kind.rawValue, from.isoString, to.isoString, description]
    }

    /// A stored term the file does not replace (a different first day) must not overlap one of
    /// the file's terms.
    func databaseChecks(context: ImportContext) throws -> [RowError] {
        try context.connection.query(
            """
            SELECT s.line, s.date_from::text AS file_from, s.date_to::text AS file_to,
                   c.date_from::text AS held_from, c.date_to::text AS held_to
            FROM staged_calendar s
            JOIN school_calendar c ON c.provider_id = $1 AND c.kind = 'term' AND c.date_from <> s.date_from
             AND c.date_from <= s.date_to AND s.date_from <= c.date_to
            WHERE s.kind = 'term'
              AND NOT EXISTS (SELECT FROM staged_calendar o WHERE o.kind = 'term' AND o.date_from = c.date_from)
            ORDER BY s.line
            """, [context.providerID]).rows.map { row in
                RowError(fileName: context.fileName, line: try row.decode("line"), column: "date_from",
                         message: "the term \(try row.decode("file_from") as String) to \(try row.decode("file_to") as String) overlaps the term \(try row.decode("held_from") as String) to \(try row.decode("held_to") as String) already in your calendar; terms do not overlap")
            }
    }

    func merge(importID: Int, context: ImportContext) throws -> (inserted: Int, updated: Int)? {
        let rows = try context.connection.query(
            """
            WITH written AS (
                INSERT INTO school_calendar AS c (provider_id, kind, date_from, date_to, description)
                SELECT $1, s.kind, s.date_from, s.date_to, s.description FROM staged_calendar s ORDER BY s.line
                ON CONFLICT (provider_id, kind, date_from) DO UPDATE SET
                    date_to = EXCLUDED.date_to, description = EXCLUDED.description, updated_at = now()
                WHERE (c.date_to, c.description) IS DISTINCT FROM (EXCLUDED.date_to, EXCLUDED.description)
                RETURNING (c.xmax = 0) AS was_inserted
            )
            SELECT count(*) FILTER (WHERE was_inserted) AS inserted, count(*) FILTER (WHERE NOT was_inserted) AS updated FROM written
            """, [context.providerID]).single()
        return (try rows.decode("inserted"), try rows.decode("updated"))
    }
}

/// A provider's calendar as stored, for `gaptrack calendar show`.
public struct SchoolCalendars {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public struct Period: Sendable, Equatable, Codable {
        public let kind: SchoolCalendarKind
        public let from: CalendarDate
        public let to: CalendarDate
        public let description: String
    }

    public struct Day: Sendable, Equatable {
        public let date: CalendarDate
        /// nil on a school day.
        public let closedBecause: NonSchoolDay?
    }

    /// The year's periods as recorded (none when the provider relies on the defaults).
    public func periods(providerID: Int, year: AcademicYear) throws -> [Period] {
        try connection.query(
            """
            SELECT kind::text AS kind, date_from::text AS date_from, date_to::text AS date_to, description
            FROM school_calendar
            WHERE provider_id = $1 AND date_from <= $3::date AND date_to >= $2::date
            ORDER BY date_from, kind
            """, [providerID, year.startDate.isoString, year.endDate.isoString]).rows.map { row in
                Period(kind: SchoolCalendarKind(rawValue: try row.decode("kind"))!,
                       from: try CalendarDate(parsing: try row.decode("date_from") as String),
                       to: try CalendarDate(parsing: try row.decode("date_to") as String),
                       description: try row.decode("description"))
            }
    }

    /// Every weekday of the year, with why it is not a school day.
    public func weekdays(providerID: Int, year: AcademicYear) throws -> [Day] {
        let days = try SchoolCalendarDays.load(providerID: providerID, from: year.startDate, to: year.endDate, connection: connection)
        return (0..<days.days.count).compactMap { offset in
            let date = year.startDate.adding(days: offset)
            guard date.isoWeekday <= 5 else { return nil }
            return Day(date: date, closedBecause: days.days[offset])
        }
    }
}

extension NonSchoolDay {
    /// A short label for the calendar listing.
    public var label: String {
        switch self {
        case .weekend: "weekend"
        case .bankHoliday(let name): "bank holiday: \(name)"
        case .holiday(let description, _, _): "holiday" + (description.isEmpty ? "" : ": \(description)")
        case .closure(let description, _, _): "closure" + (description.isEmpty ? "" : ": \(description)")
        case .inset(let description, _, _): "INSET" + (description.isEmpty ? "" : ": \(description)")
        case .outsideTerms: "outside the terms"
        case .defaultSummerHoliday: "summer holiday (default calendar)"
        }
    }
}
