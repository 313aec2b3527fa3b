import DisclosureControl
import GapStatistics
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
    /// The breakdown of the dimension shaped just before this one (`dimensionsBefore`, the nearest
    /// with pupils in the cohort) of the same cohort, which holds its own earlier one in turn:
    /// their views count some of the same pupils as this one's (the FSM pupils of `eal=yes` are
    /// the EAL pupils of `marker=fsm`), so this breakdown is shaped beside them as they print
    /// (docs/disclosure-control.md §7.8). At most one (an array, as a struct cannot hold itself);
    /// empty for EAL, gender, form and pupil-group views.
    var before: [FilterBreakdown] = []

    var requestedPrefix: String { TableSet.viewPrefix(views[requested].filter.code) }

    /// The dimensions whose views count pupils of another dimension's groups, in the order they
    /// are shaped: a view of one is shaped beside the breakdowns of those before it, as printed,
    /// so that a figure both count prints the same in both, and what one withholds the other
    /// cannot give away.
    static let crossLinkedDimensions: [FilterBreakdownRepository.Dimension] = [.eal, .sen, .marker]

    /// The dimensions shaped before `dimension`, nearest first, with the value whose breakdown
    /// stands for each (every value of a dimension gives the same breakdown).
    static func dimensionsBefore(_ dimension: FilterBreakdownRepository.Dimension) -> [(FilterBreakdownRepository.Dimension, String)] {
        guard let position = crossLinkedDimensions.firstIndex(of: dimension) else { return [] }
        return crossLinkedDimensions[..<position].reversed().map { ($0, $0 == .eal ? "yes" : "any") }
    }

    /// A figure of any view of a cross-linked dimension named by the pupils it counts, the same in
    /// every view that counts them: the view's condition and the group's, sorted, then the
    /// measure ("eal=yes & marker=fsm / possible"). Nil for a figure that is not a group size or
    /// an attendance figure of a group that a filter can name.
    static func population(of id: CellID) -> String? {
        var text = Substring(id.rawValue)
        // A figure merged from another breakdown counts the same pupils as there.
        while text.hasPrefix("in part "), let end = text.range(of: ": ") { text = text[end.upperBound...] }
        var conditions: [String] = []
        let viewPrefix = "in view "
        if text.hasPrefix(viewPrefix), let end = text.range(of: ": ") {
            conditions.append(String(text[text.index(text.startIndex, offsetBy: viewPrefix.count)..<end.lowerBound]))
            text = text[end.upperBound...]
        }
        let parts = text.split(separator: ".").map(String.init)
        let group: String, measure: String
        switch parts.first {
        case "group" where parts.count == 2: (group, measure) = (parts[1], "students")
        case "attendance" where parts.count == 3: (group, measure) = (parts[1], parts[2])
        default: return nil
        }
        if group != ReportGroup.cohort.id {
            guard let condition = groupConditions[group] else { return nil }
            conditions.append(condition)
        }
        return Set(conditions).sorted().joined(separator: " & ") + " / " + measure
    }

    /// The filter condition that selects each group of the report's tables a filter can name. Not
    /// the looked-after group, which counts the previously looked after too (no one filter). A
    /// figure is tied only where both counts are equal, so a pairing wrong for some cohort could
    /// only add a relation a reader lacks, which makes the shaping withhold more, never less.
    static let groupConditions: [String: String] = [
        ReportGroup.eal.id: "eal=yes", ReportGroup.sen.id: "sen=any", ReportGroup.fsm.id: "marker=fsm",
        ReportGroup.fsmEver6.id: "marker=fsm_ever_6", ReportGroup.youngCarer.id: "marker=young_carer",
        ReportGroup.refugee.id: "marker=refugee_or_asylum_seeker", ReportGroup.serviceChild.id: "marker=service_child",
    ]

    /// Whether a figure of the view of `filter` is 0 by the view's own definition, whatever the
    /// data: the EAL pupils of the view `eal=no`, the SEN support pupils of `sen=e`, the other
    /// pupils (and the looked-after pupils without FSM Ever 6) of `marker=fsm` under the DfE
    /// definition. Every reader knows these zeros, so printing them tells nothing, and no pattern
    /// of `c` could hide them; withheld, they pinned the figures around them (a view of 46 FSM
    /// pupils printed nothing, since its 46 disadvantaged pupils less its FSM Ever 6 pupils is a
    /// group of 0). `id` is the cell's id within its view; `label` names the report's own term
    /// (", 2024/25-summer, ") for a trend point, whose earlier points are of other terms' groups
    /// and so not empty by definition.
    static func isEmptyByDefinition(_ id: String, label: String, filter: CohortFilter, comparison: ComparisonGroup, term: AcademicTerm) -> Bool {
        var groups: [String] = []
        if filter.eal == false { groups.append(ReportGroup.eal.id) }
        switch filter.sen {
        case .none?: groups += [ReportGroup.sen.id, ReportGroup.senEHCPlan.id, ReportGroup.senSupport.id]
        case .support?: groups.append(ReportGroup.senEHCPlan.id)
        case .ehcPlan?: groups.append(ReportGroup.senSupport.id)
        case .any?, nil: break
        }
        let markers = Set(filter.markers)
        if !markers.isDisjoint(with: comparison.impliedByMarkers) { groups.append(ReportGroup.others.id) }
        let lookedAfterOnly = comparison == .dfeDisadvantaged && !markers.isDisjoint(with: [.fsm, .fsmEver6])
        if lookedAfterOnly {
            let lookedAfter = ReportGroup.lookedAfter.id
            if id == "group.\(lookedAfter).not_fsm_ever_6"
                || (id.hasPrefix("attendance.\(lookedAfter).") && id.hasSuffix(".not_fsm_ever_6")) { return true }
        }
        let parts = id.split(separator: ".").map(String.init)
        for group in groups {
            if id == "group.\(group)" || id.hasPrefix("attendance.\(group).") { return true }
            guard group == ReportGroup.others.id, parts.count >= 3 else { continue }
            // The compared pair's other side, wherever a table splits by it.
            switch parts[0] {
            case "subject": if parts.count == 3 && parts[2] == "others" { return true }
            case "ks4": if parts[2] == "others" { return true }
            case "trend": if parts.count == 4 && parts[3] == "others" && label.contains(", \(term), ") { return true }
            default: break
            }
        }
        return false
    }

    /// The cells of one view's own tables that are 0 by its definition.
    static func zerosByDefinition(in tables: TableSet, prefix: String = "", view: TermlyReportData, filter: CohortFilter) -> Set<CellID> {
        var shown: Set<CellID> = []
        for cell in tables.cells where cell.value == 0 && cell.id.rawValue.hasPrefix(prefix) {
            let own = String(cell.id.rawValue.dropFirst(prefix.count))
            if isEmptyByDefinition(own, label: cell.label, filter: filter, comparison: view.comparison, term: view.term) { shown.insert(cell.id) }
        }
        return shown
    }

    /// The cells of `tables` (the breakdown's) that are 0 by their view's definition, by id.
    func zerosShown(in tables: TableSet) -> Set<CellID> {
        var shown: Set<CellID> = []
        for view in views {
            shown.formUnion(Self.zerosByDefinition(in: tables, prefix: TableSet.viewPrefix(view.filter.code), view: view.data, filter: view.filter))
        }
        // A view's part left over within another view (FSM Ever 6 less FSM) is empty wherever
        // the outer view's figure is: its cell is named after the outer view's.
        for cell in tables.cells where cell.value == 0 && cell.id.rawValue.hasPrefix(TableSet.differencePrefix) {
            if let space = cell.id.rawValue.firstIndex(of: " ", after: TableSet.differencePrefix.count),
               shown.contains(CellID(String(cell.id.rawValue[cell.id.rawValue.index(after: space)...]))) {
                shown.insert(cell.id)
            }
        }
        return shown
    }

    /// The breakdown's table set from each view's own described tables, and the figures in it that
    /// every reader knows (`joined`): they stay shown, and are never hidden to protect another.
    func tables(threshold: Int) throws(DisclosureControlError) -> (tables: TableSet, known: Set<CellID>) {
        var own: [(name: String, tables: TableSet)] = []
        for view in views { own.append((view.filter.code, try TermlyReportTables.describe(view.data, threshold: threshold).tables)) }
        return try joined(own, threshold: threshold)
    }

    /// The breakdown as its readers see it: each view as its own report prints it.
    func published(_ reports: [TermlyGapReport]) throws(DisclosureControlError) -> TableSet {
        var own: [(name: String, tables: TableSet)] = []
        for (view, report) in zip(views, reports) { own.append((view.filter.code, try TermlyReportTables.published(report, data: view.data))) }
        return try joined(own, threshold: reports.first?.suppressionThreshold ?? 10).tables
    }

    /// The views joined into one table set. A figure 0 by its view's definition is known to every
    /// reader, and so is what those zeros pin through the relations (the other pupils of a view of
    /// pupil premium that holds exactly the pupils of the view of FSM Ever 6): they are published,
    /// including the unpublished groups the relations make (the looked-after pupils without FSM
    /// Ever 6 in the view of FSM pupils), for the shaping and the auditor alike. A zero by
    /// definition is also bounded at 0, so that the auditor's look at what the whole cohort's
    /// figures disclose alone (every figure of the views withheld) still knows it: the 4 pupils
    /// with an EHC plan of `sen=any` are the whole's 4 less the 0 of `sen=none`, which the whole
    /// cohort's own report accounts for, not the views.
    private func joined(
        _ own: [(name: String, tables: TableSet)], threshold: Int
    ) throws(DisclosureControlError) -> (tables: TableSet, known: Set<CellID>) {
        var tables = try TableSet.breakdown(
            whole: TermlyReportTables.describe(whole, threshold: threshold).tables, views: own, partitions: partitions, matching: \.label,
            threshold: threshold)
        let zeros = zerosShown(in: tables)
        for id in zeros {
            tables.setVisibility(.published, of: id)
            tables.bound(id, atMost: 0)
        }
        let pinned = try DisclosureAuditor(threshold: threshold).fixedByKnown(tables, known: zeros)
        for id in pinned { tables.setVisibility(.published, of: id) }
        return (tables, zeros.union(pinned))
    }

    /// Whether the CLI and the service shape a governors' or public view of `filter` as its slice of
    /// the breakdown: every one-condition view governors and the public can have (`refusal`),
    /// whose few views (those of at least 10 pupils) shape in seconds.
    static func isShapedAsOne(_ filter: CohortFilter) -> Bool {
        dimension(of: filter) != nil
    }

    /// Why a governors' or public view of `filter` is not made, or nil when it is.
    /// - A form group's: forms partition the year group into classes of about 30, every
    ///   disadvantaged figure of one is under the threshold, and shaping the eight forms of the
    ///   demo's year 11 as one breakdown took over three minutes to print nothing but `c`: one form
    ///   less the others is all such a view adds.
    /// - SEN support (K) or EHC plan (E) alone: each is the SEN view less the other, and the EHC
    ///   plan pupils of a year group are usually a handful; shaping the four SEN views as one took a
    ///   minute and a half on the demo school. Governors get `sen=any` and `sen=none` (which add up
    ///   to the cohort, shaped as one like EAL yes and no), whose tables show K and E as groups.
    static func refusal(_ filter: CohortFilter, audience: ReportAudience) -> TermlyReportError? {
        guard let (dimension, value) = dimension(of: filter) else { return nil }
        switch dimension {
        case .form: return .formGroupView(filter: filter.description, audience: audience.rawValue)
        case .sen where value != CohortFilter.SEN.any.rawValue && value != CohortFilter.SEN.none.rawValue:
            return .senPartView(filter: filter.description, audience: audience.rawValue)
        default: return nil
        }
    }

    /// Why a view of a cohort of several year groups (the whole school, a key stage) is refused for
    /// governors and the public: an EAL, SEN or marker view is shaped beside the earlier
    /// dimensions' views only for one year group (`before`); across year groups it is tied to its
    /// year groups' own views, and shaping it beside the other dimensions too would need every
    /// year group's breakdown of each (docs/disclosure-control.md §7.8). Gender and pupil-group
    /// views name no group another dimension's view counts, and stay.
    static func refusalAcrossYearGroups(_ filter: CohortFilter, cohort: String, audience: ReportAudience) -> TermlyReportError? {
        guard let (dimension, _) = dimension(of: filter), crossLinkedDimensions.contains(dimension) else { return nil }
        return .multiYearDimensionView(filter: filter.description, cohort: cohort, audience: audience.rawValue)
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
    /// holds and the students each pair holds together. Markers and pupil groups overlap freely,
    /// and only those of at least `threshold` students join: one of fewer prints no figure in its
    /// own view (every group in it is under the threshold), so it can be set beside nothing, and
    /// what it leaves out of a larger view is that view's left-over part, protected all the same;
    /// walked through, such markers (one pupil's marker lies within every marker that pupil holds)
    /// joined most markers into one breakdown that took minutes to shape. One asked for that has
    /// fewer is its breakdown alone. A marker's breakdown is the markers nested with it (one within
    /// the other, in either direction, step by step), the same set whichever of them is asked for;
    /// a pupil group's, every group of at least `threshold`. Every other dimension's breakdown is
    /// all of its values with students.
    static func structure(
        of value: String, dimension: FilterBreakdownRepository.Dimension, students: Int, overlaps: [FilterBreakdownRepository.Overlap],
        threshold: Int
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
        if dimension == .sen {
            // Only the two views governors and the public can have (`refusal`).
            values = values.filter { $0 == CohortFilter.SEN.any.rawValue || $0 == CohortFilter.SEN.none.rawValue }
        }
        if dimension == .marker || dimension == .group {
            values = count(value) < threshold ? [value] : values.filter { count($0) >= threshold }
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
        of filter: CohortFilter, data: TermlyReportData, provider: ProviderCode, cohort: CohortCode, term: AcademicTerm, audience: ReportAudience,
        threshold: Int = SuppressionRule.standard.threshold
    ) throws -> FilterBreakdown {
        guard let (dimension, value) = FilterBreakdown.dimension(of: filter) else {
            throw TermlyReportError.combinedFilter(filter: filter.description, audience: audience.rawValue)
        }
        let providerID = try self.provider(code: provider).id
        let (students, overlaps) = try FilterBreakdownRepository(connection: connection).overlaps(
            providerID: providerID, term: term, cohort: data.cohort.code, dimension: dimension)
        let (values, partitions) = FilterBreakdown.structure(
            of: value, dimension: dimension, students: students, overlaps: overlaps, threshold: threshold)
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
        var breakdown = FilterBreakdown(whole: whole, views: views, partitions: partitions, requested: requested)
        // A dimension none of whose values has pupils in the cohort prints no view to tie to: the
        // one before it stands in.
        for (earlier, standIn) in FilterBreakdown.dimensionsBefore(dimension) {
            let earlierFilter = try FilterBreakdown.filter(earlier, standIn)
            do {
                let earlierData = try self.data(
                    provider: provider, cohort: cohort, term: term, comparison: data.comparison, audience: audience, filter: earlierFilter)
                breakdown.before = [try self.breakdown(
                    of: earlierFilter, data: earlierData, provider: provider, cohort: cohort, term: term, audience: audience, threshold: threshold)]
                break
            } catch is TermlyReportError {
                continue
            }
        }
        return breakdown
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

extension String {
    /// The first `character` at or after offset `start`.
    fileprivate func firstIndex(of character: Character, after start: Int) -> String.Index? {
        guard let from = index(startIndex, offsetBy: start, limitedBy: endIndex) else { return nil }
        return self[from...].firstIndex(of: character)
    }
}
