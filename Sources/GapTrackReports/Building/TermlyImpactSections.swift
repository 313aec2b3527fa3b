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
    /// One per intervention type delivered to the cohort in the report's term or earlier in the
    /// same academic year, however few its students, where the
    /// cohort's results allow a before/after comparison within the year: from the earliest term
    /// of the year with results to the report's term, in the subject with most students with both
    /// (`report_impact_candidates`). Autumn reports have none. Staff read a small type's
    /// estimate with its wide interval and the "treat with care" mark; governors and the public
    /// its section with the counts withheld and a refusal, so that a missing section does not say
    /// "fewer than 10" (docs/methodology.md §7.6).
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
            let requests = candidates.filter { $0.participants > 0 }
                .compactMap { $0.request(providerCode: provider, cohort: cohort) }
            var included = [String]()
            var added = [ImpactData]()
            // All on the same points and cohort: one cohort computation, then a small one each.
            for (request, result) in zip(requests, try ImpactQueries.load(requests, on: connection)) {
                // A section that cannot be made is left out.
                guard case let .success(data) = result else { continue }
                report.addImpact(builder.build(data))
                added.append(data)
                included.append(ImpactIntervention.label(for: request.intervention.types[0]).lowercased())
            }
            guard let first = candidates.first, !included.isEmpty else { return added }
            report.method.append(MethodNote(
                topic: "Intervention impact sections",
                text: "Included without being asked for: one section for each intervention type delivered to students of the "
                    + "cohort this academic year up to the end of \(first.after.year) \(first.after.term) (\(included.joined(separator: ", "))), comparing "
                    + "\(first.subject) from \(first.before.year) \(first.before.term), the earliest term of the year with results, to \(first.after.year) "
                    + "\(first.after.term): the subject most students sat in both terms. Other sections can be asked for with --impact TYPE,BEFORE,AFTER, "
                    + "and none with --no-impact."))
            return added
        }
    }
}
