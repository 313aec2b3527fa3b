import GapTrackStore
import GapStatistics
import GapTrackDomain
import Postgres

/// Which intervention impact sections a termly report includes (`gaptrack report
/// termly --impact` / `--no-impact`). Each section is the report `gaptrack report impact` makes
/// for the termly report's provider and cohort, built from the same data, so the termly report
/// stays reproducible byte for byte.
public enum TermlyImpactSections: Sendable, Equatable {
    /// None.
    case none
    /// One per intervention type and target delivered to the cohort in the report's term or
    /// earlier in the same academic year, however few its students, judged on the target the
    /// records name (`report_impact_candidates`, docs/methodology.md §6.6); support that names no
    /// target, or whose target has no entry or exit yet, gets a section that says so. Staff read a
    /// small group's estimate with its wide interval and the "treat with care" mark; governors and
    /// the public its section with the counts withheld and a refusal, so that a missing section
    /// does not say "fewer than 10" (docs/methodology.md §7.6).
    case automatic
    /// As `--impact` writes them, `TYPE,BEFORE,AFTER`, e.g.
    /// `tutoring,maths@2024/25-autumn,maths@2024/25-summer`, in the order given.
    case requested([ImpactRequest.TermlySection])

    /// Builds each section and adds it to `report`, with its method notes; returns the data of
    /// each section added, in order, for the shaping (`TermlyReportShaping`) to protect with the
    /// report's own tables.
    /// - Throws: `ImpactError` for a requested section that cannot be made (an
    ///   assessment the provider does not have, ...); `PostgresError` for a database failure.
    ///   Automatic sections that cannot be made are left out.
    func add(
        to report: inout TermlyGapReport, provider: ProviderCode, cohort: CohortCode, candidates: [ImpactCandidate], rule: SuppressionRule,
        audience: ReportAudience, on connection: PostgresConnection
    ) throws -> [ImpactData] {
        let builder = ImpactReportBuilder(rule: rule, audience: audience)
        switch self {
        case .none:
            return []
        case let .requested(sections):
            let requests = sections.map { ImpactRequest(section: $0, providerCode: provider, cohort: cohort) }
            // Read together: sections on the same assessment points share the cohort's work
            // (ImpactQueries.load(_:on:) for several requests).
            var added = [ImpactData]()
            for result in try ImpactQueries.load(requests, on: connection) {
                let data = try result.get()
                report.addImpact(builder.build(data))
                added.append(data)
            }
            return added
        case .automatic:
            let delivered = candidates.filter { $0.participants > 0 && InterventionType(rawValue: $0.type) != nil }
            let judged = delivered.filter { $0.notJudgedReason == nil }
            let requests = judged.compactMap { $0.request(providerCode: provider, cohort: cohort) }
            var added = [ImpactData]()
            // Sections on the same entry and exit share the cohort's work (ImpactCohortTables).
            for result in try ImpactQueries.load(requests, on: connection) {
                // A section that cannot be made (no such assessment for this cohort) is left out.
                guard case let .success(data) = result else { continue }
                report.addImpact(builder.build(data))
                added.append(data)
            }
            // After every judged section, whose order the shaping pairs with `added`: the
            // sections with no figures, each saying why.
            for candidate in delivered where candidate.notJudgedReason != nil {
                guard let type = InterventionType(rawValue: candidate.type), let reason = candidate.notJudgedReason else { continue }
                report.addImpact(builder.notJudged(
                    provider: report.provider, intervention: .type(type), cohort: report.cohort,
                    period: ImpactPeriod(from: report.term.year.startDate, to: report.term.endDate), target: candidate.targetLabel, reason: reason))
            }
            guard !delivered.isEmpty else { return added }
            report.method.append(MethodNote(
                topic: "Intervention impact sections",
                text: "Included without being asked for: one section for each intervention type and target delivered to students of the "
                    + "cohort this academic year up to the end of \(ReportText.term(report.term)), judged on what the support records name as "
                    + "their target (docs/methodology.md §6.6). A subject or assessment target: entry is the planned entry assessment, or else "
                    + "the last result in the subject before the support started; exit is the planned exit assessment (for an assessment "
                    + "target, that assessment), or else the first result after the support ended (the latest up to the report's term while "
                    + "it goes on). Attendance: the term before the support started against the term after it ended (the report's term while "
                    + "it goes on). Support that names no target is not judged. Other sections can be asked for with --impact TYPE,BEFORE,AFTER, "
                    + "and none with --no-impact."))
            return added
        }
    }
}
