/// Pupil premium per-pupil rates for one financial year: the one place gaptrack holds them.
///
/// Pupil premium is allocated by *financial* year, 1 April to 31 March (DfE, "Pupil premium:
/// allocations and conditions of grant 2024 to 2025" and "... 2025 to 2026"). The year "2024-25"
/// below is therefore April 2024 to March 2025, not the academic year 2024/25.
///
/// | financial year | FSM Ever 6 primary | FSM Ever 6 secondary | LAC and PLAC | service |
/// | -------------- | ------------------ | -------------------- | ------------ | ------- |
/// | 2024-25        | £1,480             | £1,050               | £2,570       | £340    |
/// | 2025-26        | £1,515             | £1,075               | £2,630       | £350    |
///
/// Each figure's source, and how a yearly release adds the next year's rates, are in
/// docs/methodology.md §1.4. LAC funding is paid to the local authority (virtual school head),
/// not the school.
public struct PupilPremiumRates: Sendable, Hashable, Codable {
    /// The calendar year in which the financial year starts (2024 for April 2024 to March 2025).
    public let financialYearStart: Int
    /// Per pupil eligible for FSM now or in the past six years, reception to year 6.
    public let fsmEver6Primary: PoundsAndPence
    /// Per pupil eligible for FSM now or in the past six years, years 7 to 11.
    public let fsmEver6Secondary: PoundsAndPence
    /// Per looked-after or previously looked-after child (adopted from care, or left care under a
    /// special guardianship or child arrangements order).
    public let lookedAfterOrPreviouslyLookedAfter: PoundsAndPence
    /// Service pupil premium, per service child. Service children are not "disadvantaged" in DfE
    /// attainment statistics.
    public let servicePupil: PoundsAndPence

    /// "2024-25".
    public var financialYearLabel: String {
        let end = (financialYearStart + 1) % 100
        return "\(financialYearStart)-" + (end < 10 ? "0" : "") + "\(end)"
    }

    /// 1 April of the start year.
    public var startDate: CalendarDate { CalendarDate(year: financialYearStart, month: 4, day: 1)! }
    /// 31 March of the following year.
    public var endDate: CalendarDate { CalendarDate(year: financialYearStart + 1, month: 3, day: 31)! }

    public static let fy2024to25 = PupilPremiumRates(
        financialYearStart: 2024,
        fsmEver6Primary: pounds(1_480), fsmEver6Secondary: pounds(1_050),
        lookedAfterOrPreviouslyLookedAfter: pounds(2_570), servicePupil: pounds(340))

    public static let fy2025to26 = PupilPremiumRates(
        financialYearStart: 2025,
        fsmEver6Primary: pounds(1_515), fsmEver6Secondary: pounds(1_075),
        lookedAfterOrPreviouslyLookedAfter: pounds(2_630), servicePupil: pounds(350))

    /// The rates gaptrack knows, oldest first.
    public static let known: [PupilPremiumRates] = [fy2024to25, fy2025to26]

    /// The rates for the financial year starting in April of `year`, if known.
    public static func forFinancialYear(startingIn year: Int) -> PupilPremiumRates? {
        known.first { $0.financialYearStart == year }
    }

    /// The rates for the financial year containing `date` (1 April to 31 March), if known.
    public static func forFinancialYear(containing date: CalendarDate) -> PupilPremiumRates? {
        forFinancialYear(startingIn: date.month >= 4 ? date.year : date.year - 1)
    }

    private static func pounds(_ value: Int) -> PoundsAndPence {
        try! PoundsAndPence(pounds: value)
    }
}
