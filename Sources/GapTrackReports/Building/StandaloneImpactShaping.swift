import DisclosureControl
import GapStatistics
import GapTrackDomain

extension TermlyReportQueries {
    /// `gaptrack report impact` (and the impact page) for `audience`.
    ///
    /// Staff read the true figures. For governors and the public, a school's report of one
    /// intervention type is the same section their termly report of the exit term prints when
    /// that report has it, and otherwise is shaped beside that termly report as it is printed: a
    /// type's participants and spend are its row of the termly report's support table, so a
    /// report shaped on its own could print a row the termly report withholds to protect a small
    /// type, and give that type away as the total less the rest (docs/disclosure-control.md §7.8).
    /// - Throws: `ImpactError` for a request that cannot be answered; `PostgresError` for a
    ///   database failure.
    public func impactReport(_ request: ImpactRequest, audience: ReportAudience, builder: TermlyGapReportBuilder = TermlyGapReportBuilder()) throws -> ImpactReport {
        let data = try ImpactQueries.load(request, on: connection)
        let impactBuilder = ImpactReportBuilder(rule: builder.rule, level: builder.level, audience: audience)
        guard audience.suppresses, let termly = try termlyReportBeside(request, data: data, audience: audience, builder: builder) else {
            return impactBuilder.build(data)
        }
        if let same = termly.impact.firstIndex(of: data), same < termly.report.impact.count {
            return termly.report.impact[same]
        }
        let shaping = TermlyReportShaping(threshold: builder.rule.threshold)
        do {
            return impactBuilder.build(data, withheld: try shaping.withholding(of: data, beside: termly.report, data: termly.data, sections: termly.impact))
        } catch {
            // Figures that cannot be described beside the termly report cannot be shown to be safe.
            return impactBuilder.build(data, withheld: ["*": .protectsSuppressedCell])
        }
    }

    /// The termly report a reader of `data` sets beside it: the same provider's report for the
    /// same audience, of the cohort asked for (the whole school when none) in the term of the
    /// exit assessment, with its automatic impact sections. Nil when there is none to tie to: a
    /// university's report, a programme or cost-of-living support (not one row of the support
    /// table), or a termly report that the audience cannot have.
    func termlyReportBeside(
        _ request: ImpactRequest, data: ImpactData, audience: ReportAudience, builder: TermlyGapReportBuilder
    ) throws -> (report: TermlyGapReport, data: TermlyReportData, impact: [ImpactData])? {
        let exit: AcademicTerm? = switch request.judgedOn {
        case .assessments: request.after?.term
        case let .attendance(_, after): after
        }
        guard case .school = data.design, data.intervention.kind == .type, data.intervention.types.count == 1, let exit else { return nil }
        do {
            return try shapedReport(
                provider: request.providerCode, cohort: request.cohort ?? .all, term: exit, builder: builder, impact: .automatic,
                audience: audience)
        } catch is TermlyReportError {
            return nil
        } catch is TermlyReportShaping.ShapingError {
            return nil
        }
    }
}

extension TermlyReportShaping {
    /// What a standalone impact report of `standalone` withholds, decided beside `termly`, a
    /// report for the same audience already shaped from `data` and its `sections`: the termly
    /// report's figures stay as it prints them, and the impact report's own are protected beside
    /// them (`protectBeside`, docs/disclosure-control.md §7.8). Keyed by `ImpactReportTables`
    /// cell, as `ImpactReportBuilder.build(_:withheld:)` takes it.
    func withholding(
        of standalone: ImpactData, beside termly: TermlyGapReport, data: TermlyReportData, sections: [ImpactData]
    ) throws(DisclosureControlError) -> [String: SuppressionReason] {
        let printed = try TermlyReportTables.published(termly, data: data, impact: sections)
        let described = try TermlyReportTables.describe(data, impact: sections + [standalone], threshold: threshold)
        let prefix = TermlyReportTables.impactPrefix(sections.count)
        let shaped = try protectBeside(described.tables, printed: printed, exemptZeros: described.exemptZeros) { $0.rawValue.hasPrefix(prefix) }
        var reasons: [String: SuppressionReason] = [:]
        for cell in shaped.tables.cells where cell.visibility == .suppressed && cell.id.rawValue.hasPrefix(prefix) {
            reasons[String(cell.id.rawValue.dropFirst(prefix.count))] = reason(cell.id, primary: shaped.primary)
        }
        return reasons
    }

    /// `tables` (every figure published) with the figures `printed` holds as it prints them (none
    /// hidden again, none shown), and the figures `isOwn` picks protected beside them: those under
    /// the threshold withheld, then further own figures until nothing withheld, in `printed` or
    /// among its own, can be narrowed below its protection level by a reader of both. Hiding every
    /// own figure always succeeds (what is left is `printed`, already safe), so this fails only when
    /// `printed` itself is not safe. `primary` and `known` are the own figures'.
    func protectBeside(
        _ tables: TableSet, printed: TableSet, exemptZeros: Set<CellID>, isOwn: (CellID) -> Bool
    ) throws(DisclosureControlError) -> ShapedTables {
        var tables = tables
        var own: Set<CellID> = []
        var keeping: Set<CellID> = []
        for cell in tables.cells {
            if let shown = printed[cell.id] {
                tables.setVisibility(shown.visibility, of: cell.id)
                if shown.visibility == .published { keeping.insert(cell.id) }
            } else if isOwn(cell.id) {
                own.insert(cell.id)
            }
        }
        let ownZeros = exemptZeros.intersection(own)
        // Primary suppression of the own figures only.
        var primed = tables
        PrimarySuppression(threshold: threshold).apply(to: &primed, shownZeros: ownZeros.union(keeping))
        var primary: Set<CellID> = []
        for id in own {
            guard let visibility = primed[id]?.visibility, visibility != tables[id]?.visibility else { continue }
            tables.setVisibility(visibility, of: id)
            if visibility == .suppressed { primary.insert(id) }
        }
        let auditor = DisclosureAuditor(threshold: threshold)
        // An own figure equal to one `printed` shows (a type's participants, its spend) is known to
        // every reader of it: shown, and never hidden to protect another.
        let pinned = try auditor.fixedByKnown(tables, known: keeping.union(ownZeros)).intersection(own)
        for id in pinned { tables.setVisibility(.published, of: id) }
        primary.subtract(pinned)
        var fixed = keeping.union(ownZeros).union(pinned)
        var known = pinned
        do {
            return ShapedTables(
                tables: try ComplementarySuppression(auditor: auditor, keeping: fixed).protect(tables).tables, primary: primary, known: known)
        } catch {
            guard case .cannotProtect = error else { throw error }
            // As `protect` does: an own figure the tables' structure alone fixes (a fund's spend on
            // support it paid for on no day of the term) is shown, and known like the zeros.
            let structural = try Self.fixedByStructure(tables, among: primary, threshold: threshold)
            for id in structural { tables.setVisibility(.published, of: id) }
            primary.subtract(structural)
            fixed.formUnion(structural)
            known.formUnion(structural)
            if !structural.isEmpty, let protected = try? ComplementarySuppression(auditor: auditor, keeping: fixed).protect(tables) {
                return ShapedTables(tables: protected.tables, primary: primary, known: known)
            }
            // Failing that, every own figure withheld that nothing fixes.
            var withheld = tables
            for id in own where !fixed.contains(id) { withheld.setVisibility(.suppressed, of: id) }
            guard try auditor.audit(withheld).passes else { throw error }
            return ShapedTables(tables: withheld, primary: primary, known: known)
        }
    }
}
