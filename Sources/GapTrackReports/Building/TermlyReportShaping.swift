import DisclosureControl
import GapStatistics
import GapTrackStore

/// The one step between a report's true figures and what its audience reads
/// (docs/methodology.md §7.6). The builder computes every figure over the provider's full data;
/// this decides what is printed:
///
/// - staff: every figure, with a group under the threshold marked (`ReportAudience.cautionMark`);
/// - governors: primary suppression under the threshold, then complementary suppression across
///   every table of the report at once (`ComplementarySuppression` over `TermlyReportTables`), and
///   every figure computed from a withheld one withheld with it;
/// - public: the governors' report, without a national comparison for a gap that rests on a
///   group under twice the threshold.
///
/// Impact sections are protected with the report's tables (`TermlyReportTables` ties their
/// participants and spend to the support table), then rebuilt with what is withheld.
public struct TermlyReportShaping: Sendable {
    public var threshold: Int

    public init(threshold: Int = 10) {
        self.threshold = threshold
    }

    /// Why a report could not be made safe for its audience; it is then not published at all.
    public struct ShapingError: Error, Sendable, Equatable, CustomStringConvertible {
        public let problem: DisclosureControlError
        public var description: String {
            "the report cannot be published for governors or the public: \(problem) (ask for the staff report, or a larger cohort)"
        }
    }

    /// `report` (as the builder made it from `data`, true figures throughout) for `audience`.
    /// `impact`: the data of the report's impact sections, in order. `whole`: for a filtered
    /// view, the data of the same cohort unfiltered, whose report a reader can set beside this
    /// one (docs/disclosure-control.md §7.7); `breakdown`, instead, every view of the filter's
    /// dimension, shaped as one so that views cannot be subtracted from one another either (what
    /// `TermlyReportQueries` passes for every one-condition view: `FilterBreakdown.isShapedAsOne`).
    /// `yearGroups`: for a whole school or key stage, each year group's own report for the
    /// audience, as the tables its reader sees
    /// (`TermlyReportTables.published`), so that this report is not the sum of what they withhold.
    public func shape(
        _ report: TermlyGapReport, data: TermlyReportData, impact: [ImpactData] = [], whole: TermlyReportData? = nil,
        breakdown: FilterBreakdown? = nil, yearGroups: [(name: String, tables: TableSet)] = [], for audience: ReportAudience
    ) throws(ShapingError) -> TermlyGapReport {
        var shaped = report
        shaped.audience = audience
        shaped.suppressionThreshold = threshold
        shaped.method = shaped.method.map { note in
            note.topic == MethodNotes.suppressionTopic ? MethodNote(topic: note.topic, text: MethodNotes.suppression(for: audience, threshold: threshold)) : note
        }
        switch audience {
        case .staff:
            markSmallGroups(&shaped)
        case .governors, .public:
            do {
                try suppress(&shaped, data: data, impact: impact, whole: whole, breakdown: breakdown, yearGroups: yearGroups, audience: audience)
            } catch {
                throw ShapingError(problem: error)
            }
            // Year groups' counts add up to the whole cohort's, so a year group's small group could
            // be worked out from the others; the breakdown is for staff (docs/methodology.md §7.2).
            if shaped.yearGroups != nil {
                shaped.yearGroups = nil
                shaped.suppressionNotes.append("The breakdown by year group is in the staff report only: its counts add up to the whole cohort's.")
            }
            if audience == .public {
                withholdNationalComparisonOfSmallGroups(&shaped)
                KeyStage4Tables.withholdNationalPairsOfSmallGroups(&shaped.keyStage4, threshold: threshold)
            }
        }
        return shaped
    }

    // MARK: - Staff

    /// Marks every row resting on a group under the threshold, and says so once in the notes.
    func markSmallGroups(_ report: inout TermlyGapReport) {
        var notes: [String] = []
        func isSmall(_ count: Int?) -> Bool { count.map { $0 < threshold } ?? false }
        func mark(_ label: String) -> String { ReportAudience.marked(label) }
        for i in report.groupSizes.indices where isSmall(report.groupSizes[i].students.value) {
            let group = report.groupSizes[i].group
            report.groupSizes[i].group = ReportGroup(id: group.id, label: mark(group.label), family: group.family)
            report.groupSizes[i].treatWithCare = true
            notes.append("Group sizes, \(group.label)")
        }
        for i in report.attendance.rows.indices where isSmall(report.attendance.rows[i].students.value) {
            let group = report.attendance.rows[i].group
            report.attendance.rows[i].group = ReportGroup(id: group.id, label: mark(group.label), family: group.family)
            report.attendance.rows[i].treatWithCare = true
            notes.append("Attendance, \(group.label)")
        }
        for i in report.attainment.indices
        where isSmall(report.attainment[i].disadvantaged.value?.students) || isSmall(report.attainment[i].others.value?.students) {
            notes.append("Attainment, \(report.attainment[i].title)")
            report.attainment[i].treatWithCare = true
        }
        for i in (report.keyStage4 ?? []).indices where report.keyStage4![i].rows.contains(where: {
            isSmall($0.disadvantagedPupils.value) || isSmall($0.othersPupils.value)
        }) {
            report.keyStage4![i].treatWithCare = true
            notes.append(report.keyStage4![i].title)
        }
        for i in report.support.byType.indices where isSmall(report.support.byType[i].students.value) {
            notes.append("Support, \(report.support.byType[i].label)")
            report.support.byType[i].label = mark(report.support.byType[i].label)
            report.support.byType[i].treatWithCare = true
        }
        for i in report.support.byFundingSource.indices where isSmall(report.support.byFundingSource[i].students.value) {
            notes.append("Spend by funding source, \(report.support.byFundingSource[i].label)")
            report.support.byFundingSource[i].label = mark(report.support.byFundingSource[i].label)
            report.support.byFundingSource[i].treatWithCare = true
        }
        report.suppressionNotes = notes.isEmpty
            ? [] : [ReportAudience.cautionNote(threshold: threshold)] + notes.map { "\($0): fewer than \(threshold) pupils, shown for staff; treat with care." }
    }

    // MARK: - Governors and public

    /// The figures among `candidates` that every other figure hidden still pins to one value:
    /// known to any reader from the relations alone (docs/disclosure-control.md §7.2).
    static func fixedByStructure(_ tables: TableSet, among candidates: Set<CellID>, threshold: Int) throws(DisclosureControlError) -> Set<CellID> {
        var hidden = tables
        for cell in tables.cells where cell.visibility == .published { hidden.setVisibility(.suppressed, of: cell.id) }
        let audit = try DisclosureAuditor(threshold: threshold).audit(hidden)
        return candidates.filter { id in audit.interval(of: id).map { $0.upper == $0.lower } ?? false }
    }

    func suppress(
        _ report: inout TermlyGapReport, data: TermlyReportData, impact: [ImpactData] = [], whole: TermlyReportData? = nil,
        breakdown: FilterBreakdown? = nil, yearGroups: [(name: String, tables: TableSet)] = [], audience: ReportAudience = .governors
    ) throws(DisclosureControlError) {
        let described = try TermlyReportTables.describe(data, impact: impact, whole: breakdown == nil ? whole : nil, threshold: threshold)
        let protected: ShapedTables
        if let breakdown {
            // The view is its slice of the breakdown, shaped with every other view of it; what the
            // slice prints is read back onto the view's own cells.
            let prefix = breakdown.requestedPrefix
            let shaped = try shapedBreakdown(breakdown, yearGroups: yearGroups)
            var tables = described.tables
            for cell in tables.cells {
                tables.setVisibility(shaped.tables[CellID(prefix + cell.id.rawValue)]?.visibility ?? .suppressed, of: cell.id)
            }
            let own = { (ids: Set<CellID>) in
                Set(ids.compactMap { $0.rawValue.hasPrefix(prefix) ? CellID(String($0.rawValue.dropFirst(prefix.count))) : nil })
            }
            protected = ShapedTables(tables: tables, primary: own(shaped.primary), known: own(shaped.known))
        } else if impact.isEmpty {
            var tables = described.tables
            let keeping = try tables.tie(toParts: yearGroups, matching: \.label)
            protected = try protect(tables, exemptZeros: described.exemptZeros, keeping: keeping)
        } else {
            // The report's own tables are shaped first, as a report without sections shapes them,
            // so that they print the same whichever sections come with them (none over HTTP, the
            // automatic ones on the command line and in the governors' pack, others with
            // --impact): two reports with different sections cannot be set against each other.
            // The sections are then protected beside them (docs/disclosure-control.md §7.8).
            let base = try TermlyReportTables.describe(data, threshold: threshold)
            var baseTables = base.tables
            let baseKeeping = try baseTables.tie(toParts: yearGroups, matching: \.label)
            let shapedBase = try protect(baseTables, exemptZeros: base.exemptZeros, keeping: baseKeeping)
            var tables = described.tables
            _ = try tables.tie(toParts: yearGroups, matching: \.label)
            let sections = try protectBeside(tables, printed: shapedBase.tables, exemptZeros: described.exemptZeros) {
                described.impactFields[$0] != nil
            }
            protected = ShapedTables(
                tables: sections.tables, primary: shapedBase.primary.union(sections.primary), known: shapedBase.known.union(sections.known))
        }
        let primary = protected.primary
        // Notes for the figures printed: a known group the report has no row for needs none.
        let printed = protected.known.filter { described.fields[$0] != nil || described.impactFields[$0] != nil }
        let knownNotes = printed.compactMap { protected.tables[$0]?.label }.sorted().map {
            "\($0): shown although it rests on fewer than \(threshold) pupils, since the report's own tables fix it (support a fund "
                + "paid for on no day of the term cost it nothing), so a reader knows it whatever is withheld."
        }
        var notes: [String] = []
        var sectionReasons = [[String: SuppressionReason]](repeating: [:], count: impact.count)
        for cell in protected.tables.cells where cell.visibility == .suppressed {
            if let place = described.impactFields[cell.id] {
                let key = String(cell.id.rawValue.dropFirst(TermlyReportTables.impactPrefix(place.section).count))
                sectionReasons[place.section][key] = reason(cell.id, primary: primary)
            }
            guard let field = described.fields[cell.id] else { continue }
            TermlyReportFields.suppress(field, in: &report, reason: reason(cell.id, primary: primary))
            notes.append("\(cell.label): \(primary.contains(cell.id) ? "fewer than \(threshold) pupils (primary)" : "withheld so that a suppressed figure cannot be worked out from the others (complementary)").")
        }
        // A gap compares two groups: shown only where both groups' counts are.
        for i in report.attainment.indices where report.attainment[i].disadvantaged.isSuppressed || report.attainment[i].others.isSuppressed {
            let reason = report.attainment[i].disadvantaged.suppressionReason ?? report.attainment[i].others.suppressionReason!
            TermlyReportFields.withholdGap(&report.attainment[i], reason: reason)
        }
        withholdNationalComparison(&report) { row in row.gapIndex.isSuppressed }
        let builder = ImpactReportBuilder(rule: SuppressionRule(threshold: threshold), audience: audience)
        for (index, section) in impact.enumerated() where index < report.impact.count {
            report.impact[index] = builder.build(section, withheld: sectionReasons[index])
        }
        report.suppressionNotes = notes + knownNotes
    }

    /// Every view of `breakdown` shaped as one (docs/disclosure-control.md §7.7), tied to the
    /// year groups' own views of the same filter (`yearGroups`) and, for a single year group or
    /// other cohort without year-group parts, beside the breakdowns of the dimensions shaped before
    /// its own (`FilterBreakdown.before`), as they print: a figure both count is kept as printed
    /// there, and this breakdown's own figures are protected around it (`protectBeside`), so that
    /// no view of one dimension gives away what a view of another withholds (§7.8).
    func shapedBreakdown(
        _ breakdown: FilterBreakdown, yearGroups: [(name: String, tables: TableSet)] = []
    ) throws(DisclosureControlError) -> ShapedTables {
        let built = try breakdown.tables(threshold: threshold)
        var joint = built.tables
        let prefix = breakdown.requestedPrefix
        var keeping = try joint.tie(toParts: yearGroups) { cell in cell.label.hasPrefix(prefix) ? String(cell.label.dropFirst(prefix.count)) : cell.label }
        guard yearGroups.isEmpty, let previous = breakdown.before.first else {
            return try BreakdownMemo.shared.protected(joint, keeping: keeping) { () throws(DisclosureControlError) in
                try protect(joint, exemptZeros: built.known, keeping: keeping)
            }
        }
        // The dimensions before, as they print: the previous one's shaped tables hold every
        // earlier one, tied to it when it was shaped.
        let key = { (cell: Cell) in FilterBreakdown.population(of: cell.id) ?? "only \(cell.id.rawValue)" }
        let before = try shapedBreakdown(previous).tables
        keeping.formUnion(try joint.tie(toParts: [("dimensions before", before)], matching: key))
        return try BreakdownMemo.shared.protected(joint, keeping: keeping) { () throws(DisclosureControlError) in
            var printed = TableSet()
            for cell in joint.cells where !Self.isOwnOfBreakdown(cell.id) { try printed.add(cell) }
            return try protectBeside(joint, printed: printed, exemptZeros: built.known, isOwn: Self.isOwnOfBreakdown)
        }
    }

    /// Whether a figure of a breakdown's table set is the breakdown's own, not one of another
    /// report merged in to tie it (`TableSet.tie(toParts:matching:)`).
    static func isOwnOfBreakdown(_ id: CellID) -> Bool { !TableSet.isFromPart(id) }

    /// Why a withheld figure is withheld: under the threshold itself (`primary`), or to protect another.
    func reason(_ id: CellID, primary: Set<CellID>) -> SuppressionReason {
        primary.contains(id) ? .belowThreshold(threshold: threshold) : .protectsSuppressedCell
    }

    /// The tables as printed, the figures the primary rule withheld, and those under the threshold
    /// shown anyway because the tables' own structure fixes them.
    struct ShapedTables: Sendable {
        var tables: TableSet
        var primary: Set<CellID>
        var known: Set<CellID> = []
    }

    /// Primary suppression, then complementary suppression. The zeros shown because every reader
    /// knows them (a group empty by definition) are never chosen to protect another figure: hiding
    /// them would protect nothing and would make a small figure of them to protect in turn.
    func protect(_ tables: TableSet, exemptZeros: Set<CellID>, keeping: Set<CellID>) throws(DisclosureControlError) -> ShapedTables {
        var tables = tables
        var keeping = keeping.union(exemptZeros)
        // A zero another report prints (a year group's view, `keeping`) is known whatever this one does.
        var primary = Set(PrimarySuppression(threshold: threshold).apply(to: &tables, shownZeros: keeping))
        let auditor = DisclosureAuditor(threshold: threshold)
        // So is what those figures pin: the other pupils of a view of pupil premium that holds the
        // same pupils as the view of FSM Ever 6, whose other pupils are none by definition.
        let pinned = try auditor.fixedByKnown(tables, known: keeping)
        for id in pinned { tables.setVisibility(.published, of: id) }
        primary.subtract(pinned)
        keeping.formUnion(pinned)
        let complementary = ComplementarySuppression(auditor: auditor, keeping: keeping)
        do throws(DisclosureControlError) {
            return ShapedTables(tables: try complementary.protect(tables).tables, primary: primary, known: pinned)
        } catch {
            guard case .cannotProtect = error else { throw error }
            // A figure the tables' structure alone fixes (a fund's spend on support it paid for on no
            // day of the term is £0 whatever is hidden) tells a reader nothing when shown, and no
            // hiding can protect it: it is shown, and the rest protected as usual.
            let known = try Self.fixedByStructure(tables, among: primary, threshold: threshold)
            guard !known.isEmpty else { throw error }
            for id in known { tables.setVisibility(.published, of: id) }
            primary.subtract(known)
            // Shown, they are known like the zeros: never hidden to protect another figure.
            let keepingKnown = ComplementarySuppression(auditor: auditor, keeping: keeping.union(known))
            return ShapedTables(tables: try keepingKnown.protect(tables).tables, primary: primary, known: known.union(pinned))
        }
    }

    /// National comparisons beside a withheld local gap are withheld with it.
    func withholdNationalComparison(_ report: inout TermlyGapReport, when hidden: (SubjectGap) -> Bool) {
        for i in report.nationalComparison.indices {
            guard let label = report.nationalComparison[i].localLabel, report.nationalComparison[i].local != nil,
                  let row = report.attainment.first(where: { label.contains($0.title) }), hidden(row) else { continue }
            report.nationalComparison[i].local = .suppressed(row.gapIndex.suppressionReason ?? .groupBelowThreshold(
                group: "compared", threshold: ReportAudience.publicNationalThreshold(threshold)))
        }
    }

    /// Public: a local figure beside a national one invites a reader to name the school's
    /// disadvantaged pupils as behind or ahead of the country; it is printed only where both
    /// groups reach twice the threshold (docs/methodology.md §7.6).
    func withholdNationalComparisonOfSmallGroups(_ report: inout TermlyGapReport) {
        let limit = ReportAudience.publicNationalThreshold(threshold)
        withholdNationalComparison(&report) { row in
            row.gapIndex.isSuppressed || (row.disadvantaged.value?.students ?? 0) < limit || (row.others.value?.students ?? 0) < limit
        }
    }
}

extension ReportedFigure {
    /// Why the figure is withheld; nil when it is shown.
    var suppressionReason: SuppressionReason? {
        if case let .suppressed(reason) = self { reason } else { nil }
    }
}
