import DisclosureControl
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// Views of different dimensions set against each other (docs/disclosure-control.md §7.8): the
/// FSM pupils of the view `eal=yes` are the EAL pupils of the view `marker=fsm`, and so on for
/// every marker, EAL and SEN. Each dimension's views are shaped as one breakdown, the dimensions
/// apart; this attack joins the EAL, SEN and marker breakdowns as printed, each figure of one
/// population tied to the same figure in every other view that counts it.
///
/// Found leaking on 6 December 2026 (seed 71: the 4 looked-after pupils without FSM Ever 6 of
/// `eal=no`, exactly; seed 61: a marker breakdown's left-over narrowed by the EAL views' FSM and
/// FSM Ever 6 counts), closed by shaping the dimensions in order, each beside those before it as
/// they print (`FilterBreakdown.before`), with FSM Ever 6 less FSM a group of its own in every
/// report (docs/disclosure-control.md §7.8).
@Suite("Filtered views of different dimensions against each other", .serialized)
struct CrossDimensionViewTests {
    static let term: AcademicTerm = "2024/25-autumn"
    static let provider = try! ProviderCode(parsing: "synthetic-school")

    /// The condition a group of the report's tables counts, as a filter would name it. Not the
    /// looked-after group, which counts the previously looked after too: no one filter selects it,
    /// and tying it to `marker=looked_after` would give the attacker a relation a reader lacks.
    static let groupConditions: [String: String] = [
        "eal": "eal=yes", "sen": "sen=any", "fsm": "marker=fsm", "fsm_ever_6": "marker=fsm_ever_6",
        "young_carer": "marker=young_carer", "refugee_or_asylum_seeker": "marker=refugee_or_asylum_seeker",
        "service_child": "marker=service_child",
    ]

    /// A population and measure a cell of any view counts, named the same in every view: the
    /// view's condition and the group's, sorted, then the measure. Nil for a cell that is not a
    /// count or sum of one group. Written apart from the shaping's own pairing
    /// (`FilterBreakdown.population`) on purpose: the attacker must not inherit its mistakes.
    static func population(_ id: CellID) -> String? {
        let pattern = /^(?:in part [^:]*: )*(?:in view (?<view>[^:]+): )?(?:group\.(?<group>\w+)|attendance\.(?<attending>\w+)\.(?<measure>\w+))$/
        guard let match = id.rawValue.wholeMatch(of: pattern) else { return nil }
        let group = String(match.group ?? match.attending ?? "")
        let conditions = [match.view.map(String.init), group == "cohort" ? nil : groupConditions[group]]
        guard group == "cohort" || conditions[1] != nil else { return nil }
        return Set(conditions.compactMap { $0 }).sorted().joined(separator: " & ") + " / " + String(match.measure ?? "students")
    }

    static func printed(
        _ queries: TermlyReportQueries, _ filter: String, audience: ReportAudience
    ) throws -> (breakdown: FilterBreakdown, tables: TableSet) {
        let filter = try CohortFilter(parsing: [filter])
        let data = try queries.data(provider: provider, cohort: "year-11", term: term, audience: audience, filter: filter)
        let breakdown = try queries.breakdown(of: filter, data: data, provider: provider, cohort: "year-11", term: term, audience: audience)
        let reports = try breakdown.views.map {
            try queries.report(provider: provider, cohort: "year-11", term: term, audience: audience, filter: $0.filter)
        }
        return (breakdown, try breakdown.published(reports))
    }

    @Test("the EAL, SEN and marker views of one cohort, joined on the pupils they count in common", arguments: [61, 71])
    func viewsOfDifferentDimensions(seed: Int) throws {
        try Self.attack(PlantedSchool.make(count: 240, seed: UInt64(seed), lookedAfterNotFSM: 4, lookedAfterAndFSM: 2, singleFundPupils: 0),
                        views: ["eal=yes", "sen=any", "marker=fsm"])
    }

    @Test("two marker views that overlap without nesting (FSM, young carers), beside EAL", arguments: [11])
    func markersThatOverlap(seed: Int) throws {
        try Self.attack(PlantedSchool.make(count: 320, seed: UInt64(seed), lookedAfterNotFSM: 4, singleFundPupils: 0, noYoungCarers: false),
                        views: ["eal=yes", "marker=fsm", "marker=young_carer"])
    }

    /// Every pair of `views` and all of them together, each view's breakdown as printed, tied on
    /// the pupils two views count in common; fails on any finding.
    static func attack(_ school: SyntheticSchool, views names: [String]) throws {
        try TestDatabase.withMigratedDatabase { connection in
            try school.load(into: connection)
            let queries = TermlyReportQueries(connection: connection)
            let audience = ReportAudience.governors
            let views = try names.map { try Self.printed(queries, $0, audience: audience).tables }
            let pairs = views.indices.flatMap { a in views.indices.filter { $0 > a }.map { (a, $0) } }
            for (a, b) in pairs {
                var joint = views[a]
                let before = joint.relations.count
                _ = try joint.tie(toParts: [("other dimension", views[b])]) { cell in
                    Self.population(cell.id) ?? "unmatched \(cell.id.rawValue)"
                }
                let tied = joint.relations.count - before - views[b].relations.count
                #expect(tied > 0, "no figure of one dimension's views was found in the other's (\(a), \(b))")
                let audit = try DisclosureAuditor().audit(joint)
                let findings = audit.findings.map(\.description)
                #expect(findings.isEmpty, "(\(a), \(b)): \(findings)")
            }
            // All three at once: a reader of every view of the three dimensions.
            var all = views[0]
            for (index, other) in views.enumerated().dropFirst() {
                _ = try all.tie(toParts: [("dimension \(index)", other)]) { cell in Self.population(cell.id) ?? "unmatched \(cell.id.rawValue)" }
            }
            let findings = try DisclosureAuditor().audit(all).findings.map(\.description)
            #expect(findings.isEmpty, "all three: \(findings)")
        }
    }

    @Test("across year groups, governors and the public get no EAL, SEN or marker view; staff do, and gender stays")
    func viewsAcrossYearGroupsAreRefused() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try ViewBreakdownDifferencingTests.genderSchool(into: connection)
            let queries = TermlyReportQueries(connection: connection)
            for condition in ["eal=yes", "sen=none", "marker=fsm_ever_6"] {
                let filter = try CohortFilter(parsing: [condition])
                for audience in [ReportAudience.governors, .public] {
                    #expect {
                        try queries.report(provider: Self.provider, cohort: .all, term: Self.term, audience: audience, filter: filter)
                    } throws: { error in
                        guard case let .multiYearDimensionView(refused, cohort, who)? = error as? TermlyReportError else { return false }
                        return refused == filter.description && cohort == "all" && who == audience.rawValue
                            && (error as? TermlyReportError)?.description.contains("one year group's view") == true
                    }
                }
                let staff = try queries.report(provider: Self.provider, cohort: .all, term: Self.term, audience: .staff, filter: filter)
                #expect(staff.cohort.filter == filter)
            }
            let girls = try queries.report(
                provider: Self.provider, cohort: .all, term: Self.term, audience: .governors, filter: try CohortFilter(parsing: ["gender=F"]))
            #expect(girls.audience == .governors)
        }
    }
}
