import DisclosureControl
import Foundation
import GapStatistics
import GapTrackDomain
import GapTrackStore
import Postgres

/// Everything a pupil premium review is computed from, as the store holds it.
public struct PupilPremiumReviewData: Sendable, Equatable {
    public var provider: ReportProvider
    public var year: AcademicYear
    public var census: CalendarDate
    public var counts: PupilPremiumCensusCounts
    public var spend: [PupilPremiumTierSpend]
    public var budgets: [PupilPremiumTier: PoundsAndPence]
    public var rows: [PupilPremiumStatementRow]
    public var tierAssignments: [PupilPremiumTierAssignment]

    public init(
        provider: ReportProvider, year: AcademicYear, census: CalendarDate, counts: PupilPremiumCensusCounts,
        spend: [PupilPremiumTierSpend], budgets: [PupilPremiumTier: PoundsAndPence], rows: [PupilPremiumStatementRow],
        tierAssignments: [PupilPremiumTierAssignment]
    ) {
        self.provider = provider
        self.year = year
        self.census = census
        self.counts = counts
        self.spend = spend
        self.budgets = budgets
        self.rows = rows
        self.tierAssignments = tierAssignments
    }

    /// The census funds the financial year that starts the April after it (docs/methodology.md §1.4).
    public var financialYearStart: Int { census.month >= 4 ? census.year + 1 : census.year }

    func pupils(_ ground: PupilPremiumReview.AllocationLine.Ground) -> Int {
        switch ground {
        case .fsmEver6Primary: counts.fsmEver6Primary
        case .fsmEver6Secondary: counts.fsmEver6Secondary
        case .previouslyLookedAfter: counts.previouslyLookedAfter
        case .lookedAfter: counts.lookedAfter
        case .serviceChild: counts.serviceChildren
        }
    }

    var eligible: Int { counts.fsmEver6Primary + counts.fsmEver6Secondary + counts.previouslyLookedAfter + counts.lookedAfter }

    /// Grounds that can hold pupils: a school with no pupils in reception to year 6 has no primary
    /// FSM Ever 6 pupils, and a reader knows it, so that zero is not a small group to protect
    /// (nor, likewise, the secondary ground at a primary school).
    var possibleGrounds: [PupilPremiumReview.AllocationLine.Ground] {
        PupilPremiumReview.AllocationLine.Ground.allCases.filter { ground in
            switch ground {
            case .fsmEver6Primary: counts.primaryOnRoll > 0
            case .fsmEver6Secondary: counts.pupilsOnRoll > counts.primaryOnRoll
            default: true
            }
        }
    }

    /// Tiers some support type counts in (nil: the types with no tier, when any has spend). A tier
    /// no type counts in is known to have no recorded spend, so its zero is not protected either.
    var possibleTiers: [PupilPremiumTier?] {
        PupilPremiumTier.allCases.filter { tier in tierAssignments.contains { $0.tier == tier } }
            + (spend.contains { $0.tier == nil } ? [nil] : [])
    }
}

/// Reads a review's data from the store and builds the review for an audience.
public struct PupilPremiumReviewQueries {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func data(provider code: ProviderCode, year: AcademicYear, census: CalendarDate? = nil) throws -> PupilPremiumReviewData {
        let provider = try Providers(connection: connection).require(code: code)
        guard provider.kind == .school, let id = provider.id else { throw PupilPremiumReviewError.notASchool(code.value) }
        let store = PupilPremiumStrategies(connection: connection)
        let censusDay = try census ?? store.januaryCensus(of: year)
        return PupilPremiumReviewData(
            provider: ReportProvider(code: provider.code, name: provider.name, kind: .school), year: year, census: censusDay,
            counts: try store.censusCounts(providerID: id, census: censusDay), spend: try store.spendByTier(providerID: id, year: year),
            budgets: try store.budgets(providerID: id, year: year), rows: try store.rows(providerID: id, year: year),
            tierAssignments: try store.tierAssignments(providerID: id))
    }

    public func review(provider: ProviderCode, year: AcademicYear, audience: ReportAudience, census: CalendarDate? = nil) throws -> PupilPremiumReview {
        try PupilPremiumReviewBuilder.build(data(provider: provider, year: year, census: census), audience: audience)
    }
}

/// The review from its data: true figures, then shaped for the audience (docs/methodology.md §6.5, §7.6).
public enum PupilPremiumReviewBuilder {
    public static let threshold = 10

    public static func build(_ data: PupilPremiumReviewData, audience: ReportAudience) throws -> PupilPremiumReview {
        guard let rates = PupilPremiumRates.forFinancialYear(startingIn: data.financialYearStart) else {
            throw PupilPremiumReviewError.noRates(
                financialYear: data.financialYearStart, known: PupilPremiumRates.known.map(\.financialYearLabel))
        }
        let tables = try PupilPremiumReviewTables.describe(data, rates: rates)
        var hidden = Set<CellID>()
        var notes: [String] = []
        if audience.suppresses {
            var shaped = tables.tables
            let primary = PrimarySuppression(threshold: threshold).apply(to: &shaped)
            let protected = try ComplementarySuppression(auditor: DisclosureAuditor(threshold: threshold)).protect(shaped)
            hidden = Set(protected.tables.suppressed)
            if !primary.isEmpty {
                notes.append("Counts of fewer than \(threshold) pupils, and the money worked out from them, are shown as c.")
            }
            if !protected.complementary.isEmpty {
                notes.append("\(protected.complementary.count) further figure(s) are shown as c so that no c can be worked out from the totals.")
            }
        }
        func count(_ id: CellID, _ value: Int) -> ReportedFigure<Int> {
            hidden.contains(id) ? .suppressed(tables.reason(id, threshold: threshold)) : .value(value)
        }
        func money(_ id: CellID, _ value: PoundsAndPence) -> ReportedFigure<PoundsAndPence> {
            hidden.contains(id) ? .suppressed(tables.reason(id, threshold: threshold)) : .value(value)
        }
        let lines = PupilPremiumReview.AllocationLine.Ground.allCases.map { ground in
            let pupils = data.pupils(ground)
            return PupilPremiumReview.AllocationLine(
                ground: ground, rate: ground.rate(rates), pupils: count(PupilPremiumReviewTables.pupils(ground), pupils),
                amount: money(PupilPremiumReviewTables.amount(ground), ground.rate(rates) * pupils))
        }
        let toSchool = PupilPremiumReview.AllocationLine.Ground.allCases.filter(\.paidToSchool)
            .reduce(PoundsAndPence.zero) { $0 + $1.rate(rates) * data.pupils($1) }
        let percent = data.counts.pupilsOnRoll == 0 ? 0 : Double(data.eligible) / Double(data.counts.pupilsOnRoll) * 100
        let tierLines = PupilPremiumTier.allCases.map { tier in
            let spend = data.spend.first { $0.tier == tier }
            return PupilPremiumReview.TierLine(
                tier: tier, planned: data.budgets[tier],
                spent: money(PupilPremiumReviewTables.spend(tier), spend?.spend ?? .zero),
                students: count(PupilPremiumReviewTables.students(tier), spend?.students ?? 0))
        }
        let unassigned = data.spend.first { $0.tier == nil }
        let totalSpent = data.spend.reduce(PoundsAndPence.zero) { $0 + $1.spend }
        var review = PupilPremiumReview(
            provider: data.provider, audience: audience, year: data.year, census: data.census, rates: rates,
            pupilsOnRoll: count(PupilPremiumReviewTables.onRoll, data.counts.pupilsOnRoll), allocation: lines,
            allocationToSchool: money(PupilPremiumReviewTables.toSchool, toSchool),
            eligiblePercent: hidden.contains(PupilPremiumReviewTables.eligiblePercent) ? .suppressed(.protectsSuppressedCell) : .value(percent),
            tiers: tierLines,
            unassignedSpend: unassigned.map { money(PupilPremiumReviewTables.spend(nil), $0.spend) },
            totalPlanned: data.budgets.values.reduce(PoundsAndPence.zero, +),
            totalSpent: money(PupilPremiumReviewTables.totalSpend, totalSpent),
            challenges: data.rows.filter { $0.section == .challenge },
            intendedOutcomes: data.rows.filter { $0.section == .intendedOutcome },
            activities: data.rows.filter { $0.section == .activity }.sorted { ($0.tier!, $0.number) < ($1.tier!, $1.number) },
            tierAssignments: data.tierAssignments, suppressionThreshold: threshold, suppressionNotes: notes,
            method: PupilPremiumMethod.notes(data, rates: rates))
        review.allocationText = review.allocationSentence
        return review
    }
}

/// A review's figures as a disclosure-control table set (docs/disclosure-control.md §7.2): the
/// counts by ground partition the pupils on roll (with the pupils on no ground, unpublished), each
/// amount is its rate times its count, the school's allocation is the sum of the school's
/// grounds, and the spend total is the sum of the tiers' spend.
public struct PupilPremiumReviewTables: Sendable {
    public var tables = TableSet()

    static let onRoll: CellID = "pupils on roll"
    static let noGround: CellID = "pupils on no ground"
    static let eligible: CellID = "pupils eligible (disadvantage)"
    static let eligiblePercent: CellID = "percent eligible"
    static let toSchool: CellID = "allocation to the school"
    static let totalSpend: CellID = "pupil premium spend"
    static func pupils(_ ground: PupilPremiumReview.AllocationLine.Ground) -> CellID { CellID("pupils: " + ground.rawValue) }
    static func amount(_ ground: PupilPremiumReview.AllocationLine.Ground) -> CellID { CellID("allocation: " + ground.rawValue) }
    static func students(_ tier: PupilPremiumTier?) -> CellID { CellID("supported: " + (tier?.rawValue ?? "no tier")) }
    static func spend(_ tier: PupilPremiumTier?) -> CellID { CellID("spend: " + (tier?.rawValue ?? "no tier")) }

    public static func describe(_ data: PupilPremiumReviewData, rates: PupilPremiumRates) throws -> PupilPremiumReviewTables {
        typealias Ground = PupilPremiumReview.AllocationLine.Ground
        var described = PupilPremiumReviewTables()
        try described.tables.count(onRoll, "pupils on roll", data.counts.pupilsOnRoll, isTotal: true)
        let grounds = data.possibleGrounds
        for ground in grounds {
            try described.tables.count(pupils(ground), ground.label, data.pupils(ground))
        }
        let grounded = grounds.reduce(0) { $0 + data.pupils($1) }
        try described.tables.add(Cell(id: noGround, label: "pupils on no ground", value: data.counts.pupilsOnRoll - grounded, visibility: .unpublished))
        try described.tables.partition(onRoll, into: grounds.map(pupils) + [noGround])
        try described.tables.count(eligible, "pupils eligible (disadvantage)", data.eligible)
        try described.tables.partition(eligible, into: grounds.filter(\.isDisadvantage).map(pupils))
        if data.counts.pupilsOnRoll > 0 {
            try described.tables.rate(
                eligiblePercent, "percent eligible", numerator: eligible, denominator: onRoll,
                percent: Double(data.eligible) / Double(data.counts.pupilsOnRoll) * 100, decimals: 1)
        }
        for ground in grounds {
            let rate = ground.rate(rates).pence
            try described.tables.sum(amount(ground), "allocation, " + ground.label, rate * data.pupils(ground), unit: "pence", over: pupils(ground))
            try described.tables.relate(LinearRelation(
                "allocation, \(ground.label) = \(rate) × pupils", terms: [Term(amount(ground), 1), Term(pupils(ground), -rate)]))
        }
        let schoolGrounds = grounds.filter(\.paidToSchool)
        try described.tables.sum(
            toSchool, "allocation to the school", schoolGrounds.reduce(0) { $0 + $1.rate(rates).pence * data.pupils($1) },
            unit: "pence", over: nil, isTotal: true)
        try described.tables.partition(toSchool, into: schoolGrounds.map(amount))
        let tiers = data.possibleTiers
        for tier in tiers {
            let line = data.spend.first { $0.tier == tier }
            try described.tables.count(students(tier), "pupils supported, " + (tier?.label ?? "no tier"), line?.students ?? 0)
            try described.tables.sum(spend(tier), "spend, " + (tier?.label ?? "no tier"), line?.spend.pence ?? 0, unit: "pence", over: students(tier))
        }
        try described.tables.sum(totalSpend, "pupil premium spend", data.spend.reduce(0) { $0 + $1.spend.pence }, unit: "pence", over: nil, isTotal: true)
        try described.tables.partition(totalSpend, into: tiers.map(spend))
        return described
    }

    /// The table set a shaped review prints: what it shows as `c` suppressed. This is what an
    /// attacker of the printed review works with.
    public static func published(_ review: PupilPremiumReview, data: PupilPremiumReviewData) throws -> TableSet {
        var tables = try describe(data, rates: review.rates).tables
        func hide(_ id: CellID, if hidden: Bool) { if hidden { tables.setVisibility(.suppressed, of: id) } }
        hide(onRoll, if: review.pupilsOnRoll.isSuppressed)
        hide(toSchool, if: review.allocationToSchool.isSuppressed)
        hide(totalSpend, if: review.totalSpent.isSuppressed)
        hide(eligiblePercent, if: review.eligiblePercent.isSuppressed)
        // The review prints no "eligible" total of its own: the percentage stands for it.
        tables.setVisibility(review.eligiblePercent.isSuppressed ? .suppressed : .unpublished, of: eligible)
        for line in review.allocation {
            hide(pupils(line.ground), if: line.pupils.isSuppressed)
            hide(amount(line.ground), if: line.amount.isSuppressed)
        }
        for line in review.tiers {
            hide(students(line.tier), if: line.students.isSuppressed)
            hide(spend(line.tier), if: line.spent.isSuppressed)
        }
        if let unassigned = review.unassignedSpend { hide(spend(nil), if: unassigned.isSuppressed) }
        // Pupils supported with no tier are not printed.
        tables.setVisibility(.unpublished, of: students(nil))
        return tables
    }

    func reason(_ id: CellID, threshold: Int) -> SuppressionReason {
        guard let cell = tables[id] else { return .protectsSuppressedCell }
        return PrimarySuppression(threshold: threshold).isSmallPublic(cell, in: tables)
            ? .belowThreshold(threshold: threshold) : .protectsSuppressedCell
    }
}

extension PrimarySuppression {
    /// Whether the primary rule hides this figure (a count under the threshold, or a sum over one).
    func isSmallPublic(_ cell: Cell, in tables: TableSet) -> Bool {
        if cell.measure == .pupils { return cell.value < threshold }
        guard case .sum(_, let group?) = cell.measure, let count = tables[group] else { return false }
        return count.value < threshold
    }
}

public enum PupilPremiumReviewError: Error, Sendable, Equatable, CustomStringConvertible {
    case notASchool(String)
    case noRates(financialYear: Int, known: [String])

    public var description: String {
        switch self {
        case .notASchool(let code):
            "\(code) is not a school: the pupil premium is a grant to schools (reception to year 11)"
        case .noRates(let year, let known):
            "gaptrack has no pupil premium rates for the financial year \(year)-\(String(format: "%02d", (year + 1) % 100)) (it knows "
                + known.joined(separator: ", ") + "); add them to GapTrackDomain.PupilPremiumRates as docs/methodology.md §1.4 describes"
        }
    }
}
