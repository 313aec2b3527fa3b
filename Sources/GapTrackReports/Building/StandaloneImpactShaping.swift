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
    /// report's figures stay as it prints them (none is hidden again, none shown), the impact
    /// report's own figures under the threshold are withheld, and further of its own figures until
    /// nothing withheld in either report can be narrowed below its protection level by a reader
    /// of both (docs/disclosure-control.md §7.8). Keyed by `ImpactReportTables` cell, as
    /// `ImpactReportBuilder.build(_:withheld:)` takes it.
    func withholding(
        of standalone: ImpactData, beside termly: TermlyGapReport, data: TermlyReportData, sections: [ImpactData]
    ) throws(DisclosureControlError) -> [String: SuppressionReason] {
        let printed = try TermlyReportTables.published(termly, data: data, impact: sections)
        let described = try TermlyReportTables.describe(data, impact: sections + [standalone], threshold: threshold)
        let prefix = TermlyReportTables.impactPrefix(sections.count)
        var tables = described.tables
        var own: Set<CellID> = []
        var keeping: Set<CellID> = []
        for cell in tables.cells {
            if let shown = printed[cell.id] {
                tables.setVisibility(shown.visibility, of: cell.id)
                if shown.visibility == .published { keeping.insert(cell.id) }
            } else if cell.id.rawValue.hasPrefix(prefix) {
                own.insert(cell.id)
            }
        }
        let exemptZeros = described.exemptZeros.intersection(own)
        // Primary suppression of the impact report's own figures only.
        var primed = tables
        PrimarySuppression(threshold: threshold).apply(to: &primed, shownZeros: exemptZeros.union(keeping))
        var primary: Set<CellID> = []
        for id in own {
            guard let visibility = primed[id]?.visibility, visibility != tables[id]?.visibility else { continue }
            tables.setVisibility(visibility, of: id)
            if visibility == .suppressed { primary.insert(id) }
        }
        let auditor = DisclosureAuditor(threshold: threshold)
        // A figure equal to one the termly report prints (a type's participants, its spend) is
        // known to every reader of that report: shown, and never hidden to protect another.
        let pinned = try auditor.fixedByKnown(tables, known: keeping.union(exemptZeros)).intersection(own)
        for id in pinned { tables.setVisibility(.published, of: id) }
        primary.subtract(pinned)
        let fixed = keeping.union(exemptZeros).union(pinned)
        var shaped: TableSet
        do {
            shaped = try ComplementarySuppression(auditor: auditor, keeping: fixed).protect(tables).tables
        } catch {
            guard case .cannotProtect = error else { throw error }
            // Every figure of its own withheld that the termly report does not fix: the termly
            // report alone is safe, and the impact report then adds nothing to it.
            shaped = tables
            for id in own where !fixed.contains(id) { shaped.setVisibility(.suppressed, of: id) }
            guard try auditor.audit(shaped).passes else { throw error }
        }
        var reasons: [String: SuppressionReason] = [:]
        for id in own where shaped[id]?.visibility == .suppressed {
            reasons[String(id.rawValue.dropFirst(prefix.count))] = primary.contains(id) ? .belowThreshold(threshold: threshold) : .protectsSuppressedCell
        }
        return reasons
    }
}
