/// The termly school census days in England.
///
/// Rule (docs/methodology.md §7.3): autumn census on the first Thursday of October, spring census on the third Thursday of
/// January, summer census on the third Thursday of May. Checked against published dates:
/// 2022/23: 6 October 2022, 19 January 2023, 18 May 2023 (The Key, "School census: key dates");
/// 2023/24: 5 October 2023, 18 January 2024, 16 May 2024;
/// 2024/25: 3 October 2024, 16 January 2025, 15 May 2025 (East Sussex and Norfolk county
/// councils' census pages). The DfE can move a census day; a year that differs can be given
/// explicitly to `FSMEver6.isEver6(spells:on:censusDays:)`.
public enum SchoolCensus {
    public enum Collection: String, Sendable, Hashable, Codable, CaseIterable {
        case autumn, spring, summer
    }

    /// The census day of `collection` in `academicYear`.
    public static func censusDay(_ collection: Collection, of academicYear: AcademicYear) -> CalendarDate {
        let thursday = 4
        switch collection {
        case .autumn:
            return CalendarDate.nth(1, isoWeekday: thursday, ofMonth: 10, year: academicYear.startYear)!
        case .spring:
            return CalendarDate.nth(3, isoWeekday: thursday, ofMonth: 1, year: academicYear.startYear + 1)!
        case .summer:
            return CalendarDate.nth(3, isoWeekday: thursday, ofMonth: 5, year: academicYear.startYear + 1)!
        }
    }

    /// The three census days of `academicYear`, in date order.
    public static func censusDays(of academicYear: AcademicYear) -> [CalendarDate] {
        Collection.allCases.map { censusDay($0, of: academicYear) }
    }

    /// Census days in `range`, both ends included, in date order.
    public static func censusDays(in range: CalendarDateRange) -> [CalendarDate] {
        var days: [CalendarDate] = []
        var year = AcademicYear(containing: range.start)
        while year.startDate <= range.end {
            days += censusDays(of: year).filter(range.contains)
            year = year.next
        }
        return days
    }
}

/// A period in which a pupil was recorded as eligible for free school meals. `end` is the last
/// day of eligibility, or nil while the spell is open.
public struct FSMSpell: Sendable, Hashable, Codable {
    public let start: CalendarDate
    public let end: CalendarDate?

    public init(start: CalendarDate, end: CalendarDate?) throws(FSMSpellError) {
        if let end, end < start { throw .endsBeforeItStarts(start: start, end: end) }
        self.start = start
        self.end = end
    }

    private enum CodingKeys: String, CodingKey { case start, end }

    /// Decoding rejects a spell that ends before it starts, as the initialiser does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(start: try container.decode(CalendarDate.self, forKey: .start),
                          end: try container.decodeIfPresent(CalendarDate.self, forKey: .end))
        } catch let error as FSMSpellError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Whether the pupil was eligible on `date` (both ends of the spell included).
    public func covers(_ date: CalendarDate) -> Bool {
        start <= date && (end.map { date <= $0 } ?? true)
    }
}

public enum FSMSpellError: Error, Equatable, Sendable, CustomStringConvertible {
    case endsBeforeItStarts(start: CalendarDate, end: CalendarDate)

    public var description: String {
        switch self {
        case .endsBeforeItStarts(let start, let end):
            return "the FSM spell ends on \(end.ukString), before it starts on \(start.ukString); check the two dates"
        }
    }
}

/// The reference definition of FSM Ever 6, against which the SQL function is tested.
///
/// Definition (docs/methodology.md §1.2; DfE National Pupil Database, "Eligible for free
/// school meals in the past 6 years": "ever been recorded as eligible for free school meals on
/// census day in any termly or annual census ... in the last 6 years"; pupil premium 2023-24
/// technical note: pupils in the October 2022 census "who have had a recorded period of FSM
/// eligibility since (and including) January 2017, as well as those first recorded as eligible
/// in October 2022").
///
/// The rule, made explicit: a pupil is FSM Ever 6 on date D if some FSM spell covers some school
/// census day C (autumn, spring or summer; see `SchoolCensus`) with D - 6 years < C <= D.
/// Spells cover both their start and end days; an open spell covers every day from its start.
///
/// Consequences: eligibility that starts and ends between two census days never counts (it was
/// never recorded on a census day), and a pupil who becomes eligible today is not Ever 6 until the
/// next census day. With D = the October 2022 census day (6 October 2022), the window is
/// 6 October 2016 (excluded) to 6 October 2022 (included): January 2017 to October 2022, exactly
/// the 18 censuses of the 2023-24 technical note.
public enum FSMEver6 {
    /// The census days that count for FSM Ever 6 on `date`: those after `date` minus six years,
    /// up to and including `date`.
    public static func qualifyingCensusDays(on date: CalendarDate) -> [CalendarDate] {
        let windowStart = date.adding(years: -6).adding(days: 1)
        return SchoolCensus.censusDays(in: CalendarDateRange(start: windowStart, end: date)!)
    }

    /// Whether a pupil with these FSM spells is FSM Ever 6 on `date`.
    public static func isEver6(spells: [FSMSpell], on date: CalendarDate) -> Bool {
        latestEligibleCensusDay(spells: spells, on: date) != nil
    }

    /// Whether a pupil is FSM Ever 6 on `date`, with census days given explicitly (for a year in
    /// which the DfE moved a census day). Only the given days between `date` minus six years
    /// (excluded) and `date` (included) count.
    public static func isEver6(spells: [FSMSpell], on date: CalendarDate, censusDays: [CalendarDate]) -> Bool {
        let windowStart = date.adding(years: -6)
        return censusDays.contains { day in
            windowStart < day && day <= date && spells.contains { $0.covers(day) }
        }
    }

    /// The most recent qualifying census day on which the pupil was eligible, or nil if none:
    /// the evidence a report can show for an Ever 6 status.
    public static func latestEligibleCensusDay(spells: [FSMSpell], on date: CalendarDate) -> CalendarDate? {
        qualifyingCensusDays(on: date).last { day in spells.contains { $0.covers(day) } }
    }
}
