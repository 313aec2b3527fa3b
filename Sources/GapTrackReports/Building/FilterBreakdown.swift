import DisclosureControl
import GapTrackDomain
import GapTrackStore
import Synchronization

/// Every view of one filter dimension that a governor or the public can ask for of a cohort, and
/// which of them are disjoint parts of the whole cohort or of one another: the girls', the boys'
/// and (unrecorded) the rest; FSM within FSM Ever 6. Shaped as its slice of this breakdown, all
/// views as one table set, a governors' or public `--filter` view comes out of one pattern of `c`
/// with every view a reader can set beside it (docs/disclosure-control.md §7.7).
public struct FilterBreakdown: Sendable {
    var whole: TermlyReportData
    /// The views, in the order of their filter's canonical text; each named by that text.
    var views: [(filter: CohortFilter, data: TermlyReportData)]
    var partitions: [BreakdownPartition]
    /// The view asked for.
    var requested: Int

    var requestedPrefix: String { TableSet.viewPrefix(views[requested].filter.code) }

    /// The groups a view has no pupil of by its own definition (the EAL pupils of the view
    /// `eal=no`): every reader knows their figures are 0, so printing them tells nothing, and no
    /// pattern of `c` could hide it.
    static func emptyByDefinition(_ filter: CohortFilter) -> [String] {
        var groups: [String] = []
        if filter.eal == false { groups.append(ReportGroup.eal.id) }
        switch filter.sen {
        case .none?: groups += [ReportGroup.sen.id, ReportGroup.senEHCPlan.id, ReportGroup.senSupport.id]
        case .support?: groups.append(ReportGroup.senEHCPlan.id)
        case .ehcPlan?: groups.append(ReportGroup.senSupport.id)
        case .any?, nil: break
        }
        return groups
    }

    /// The zeros of `tables` (the breakdown's) that stay shown: those of groups empty by definition.
    func zerosShown(in tables: TableSet) -> Set<CellID> {
        var shown: Set<CellID> = []
        for view in views {
            let prefix = TableSet.viewPrefix(view.filter.code)
            for group in Self.emptyByDefinition(view.filter) {
                for cell in tables.cells where cell.value == 0
                    && (cell.id.rawValue == prefix + "group.\(group)" || cell.id.rawValue.hasPrefix(prefix + "attendance.\(group).")) {
                    shown.insert(cell.id)
                }
            }
        }
        return shown
    }

    /// The breakdown's table set from each view's own described tables.
    func tables(threshold: Int) throws(DisclosureControlError) -> TableSet {
        var own: [(name: String, tables: TableSet)] = []
        for view in views { own.append((view.filter.code, try TermlyReportTables.describe(view.data, threshold: threshold).tables)) }
        return try joined(own, threshold: threshold)
    }

    /// The breakdown as its readers see it: each view as its own report prints it.
    func published(_ reports: [TermlyGapReport]) throws(DisclosureControlError) -> TableSet {
        var own: [(name: String, tables: TableSet)] = []
        for (view, report) in zip(views, reports) { own.append((view.filter.code, try TermlyReportTables.published(report, data: view.data))) }
        return try joined(own, threshold: reports.first?.suppressionThreshold ?? 10)
    }

    private func joined(_ own: [(name: String, tables: TableSet)], threshold: Int) throws(DisclosureControlError) -> TableSet {
        try TableSet.breakdown(
            whole: TermlyReportTables.describe(whole, threshold: threshold).tables, views: own, partitions: partitions, matching: \.label,
            threshold: threshold)
    }

    /// Whether the CLI and the service shape a governors' or public view of `filter` as its slice of
    /// the breakdown: gender and EAL, whose two or three views shape in about a second. Markers,
    /// SEN, form groups and pupil groups give breakdowns of four to ten views, which take minutes
    /// on the demo school and can leave a view with nothing that protects it; those views are tied
    /// to the whole cohort alone (docs/disclosure-control.md §7.8, Limits).
    static func isShapedAsOne(_ filter: CohortFilter) -> Bool {
        guard let (dimension, _) = dimension(of: filter) else { return false }
        return dimension == .gender || dimension == .eal
    }

    /// The dimension and value of a filter of one condition; nil for a combined filter.
    static func dimension(of filter: CohortFilter) -> (FilterBreakdownRepository.Dimension, String)? {
        guard filter.conditions.count == 1, let condition = filter.conditions.first else { return nil }
        let parts = condition.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        return switch parts[0] {
        case "gender": (.gender, parts[1])
        case "sen": (.sen, parts[1])
        case "eal": (.eal, parts[1])
        case "form": (.form, parts[1].lowercased())
        case "marker": (.marker, parts[1])
        case "group": (.group, parts[1])
        default: nil
        }
    }

    /// Which views make the breakdown of `value` and how they nest, from the students each value
    /// holds and the students each pair holds together. Markers overlap freely: a marker's
    /// breakdown is the markers nested with it (one within the other, in either direction, step by
    /// step), the same set whichever of them is asked for. Every other dimension's breakdown is all
    /// of its values with students.
    static func structure(
        of value: String, dimension: FilterBreakdownRepository.Dimension, students: Int, overlaps: [FilterBreakdownRepository.Overlap]
    ) -> (values: [String], partitions: [BreakdownPartition]) {
        var both: [String: [String: Int]] = [:]
        for overlap in overlaps { both[overlap.first, default: [:]][overlap.second] = overlap.students }
        func count(_ a: String) -> Int { both[a]?[a] ?? 0 }
        func shared(_ a: String, _ b: String) -> Int { both[a]?[b] ?? 0 }
        var values = both.keys.filter { count($0) > 0 }.sorted()
        // a within b; two views of the same students are taken as the earlier within the later.
        func within(_ a: String, _ b: String) -> Bool {
            a != b && shared(a, b) == count(a) && (count(a) < count(b) || a < b)
        }
        if dimension == .marker {
            var component: Set<String> = [value]
            var grew = true
            while grew {
                grew = false
                for v in values where !component.contains(v) && component.contains(where: { within(v, $0) || within($0, v) }) {
                    component.insert(v)
                    grew = true
                }
            }
            values = values.filter(component.contains)
        }
        let index = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
        /// Greedy: each value joins the first group of values it shares no student with.
        func disjointGroups(_ members: [String]) -> [[String]] {
            var groups: [[String]] = []
            for v in members {
                if let g = groups.firstIndex(where: { $0.allSatisfy { shared($0, v) == 0 } }) { groups[g].append(v) } else { groups.append([v]) }
            }
            return groups
        }
        var partitions = disjointGroups(values).map { group in
            BreakdownPartition(parent: nil, parts: group.map { index[$0]! }, covers: group.reduce(0) { $0 + count($1) } == students)
        }
        for parent in values {
            // Only the views directly within it: the rest are within those.
            let children = values.filter { a in within(a, parent) && !values.contains { within(a, $0) && within($0, parent) } }
            for group in disjointGroups(children) {
                partitions.append(BreakdownPartition(
                    parent: index[parent], parts: group.map { index[$0]! }, covers: group.reduce(0) { $0 + count($1) } == count(parent)))
            }
        }
        return (values, partitions)
    }

    /// The filter that selects `value` of `dimension`.
    static func filter(_ dimension: FilterBreakdownRepository.Dimension, _ value: String) throws -> CohortFilter {
        try CohortFilter(parsing: ["\(dimension.rawValue)=\(value)"])
    }
}

extension TermlyReportQueries {
    /// The breakdown a governors' or public view of `filter` is shaped in (`FilterBreakdown`).
    /// - Throws: `TermlyReportError.combinedFilter` for a filter of more than one condition.
    func breakdown(
        of filter: CohortFilter, data: TermlyReportData, provider: ProviderCode, cohort: CohortCode, term: AcademicTerm, audience: ReportAudience
    ) throws -> FilterBreakdown {
        guard let (dimension, value) = FilterBreakdown.dimension(of: filter) else {
            throw TermlyReportError.combinedFilter(filter: filter.description, audience: audience.rawValue)
        }
        let providerID = try self.provider(code: provider).id
        let (students, overlaps) = try FilterBreakdownRepository(connection: connection).overlaps(
            providerID: providerID, term: term, cohort: data.cohort.code, dimension: dimension)
        let (values, partitions) = FilterBreakdown.structure(of: value, dimension: dimension, students: students, overlaps: overlaps)
        let whole = try self.data(provider: provider, cohort: cohort, term: term, comparison: data.comparison, audience: audience)
        var views: [(filter: CohortFilter, data: TermlyReportData)] = []
        for v in values {
            let viewFilter = try FilterBreakdown.filter(dimension, v)
            views.append((viewFilter, try self.data(
                provider: provider, cohort: cohort, term: term, comparison: data.comparison, audience: audience, filter: viewFilter)))
        }
        guard let requested = values.firstIndex(of: value) else {
            throw TermlyReportError.filterLeavesNobody(cohort: data.cohort.label, filter: filter.description, term: ReportText.term(term))
        }
        return FilterBreakdown(whole: whole, views: views, partitions: partitions, requested: requested)
    }
}

/// Each view of a breakdown is shaped from the same table set; the pattern is worked out once per
/// process and read by every view asked for. A pure function's results, so no order of asking
/// changes what a view prints; the few latest breakdowns are kept.
final class BreakdownMemo: Sendable {
    static let shared = BreakdownMemo()
    private let entries = Mutex<[(key: TableSet, keeping: Set<CellID>, result: TermlyReportShaping.ShapedTables)]>([])
    private static let capacity = 8

    func protected(
        _ tables: TableSet, keeping: Set<CellID>, compute: () throws(DisclosureControlError) -> TermlyReportShaping.ShapedTables
    ) throws(DisclosureControlError) -> TermlyReportShaping.ShapedTables {
        if let hit = entries.withLock({ $0.first { $0.key == tables && $0.keeping == keeping }?.result }) { return hit }
        let result = try compute()
        entries.withLock { entries in
            entries.append((tables, keeping, result))
            if entries.count > Self.capacity { entries.removeFirst() }
        }
        return result
    }
}
