import GapStatistics
import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres

/// Gathers the aggregates of an impact report through `ImpactReportRepository` (GapTrackStore):
/// checks the request against what the provider holds, then turns the strata rows into matched
/// strata, by role.
public enum ImpactQueries {
    /// Everything `ImpactReportBuilder` needs for `request`.
    /// - Throws: `ImpactError` for a request that cannot be answered (unknown provider, no such
    ///   assessment, ...), `PostgresError` for a database failure.
    public static func load(_ request: ImpactRequest, on connection: PostgresConnection) throws -> ImpactData {
        try load([request], on: connection)[0].get()
    }

    /// Everything `ImpactReportBuilder` needs for each of `requests`, in order, as `load` makes
    /// it for each alone: a request that cannot be answered gets its `ImpactError`. All are read
    /// in one transaction, and school requests on the same assessment points and cohort share
    /// the cohort-wide work (`ImpactCohortTables`), so a termly report's sections cost about one
    /// cohort and a few small role sets, not one cohort each.
    /// - Throws: `PostgresError` for a database failure.
    public static func load(_ requests: [ImpactRequest], on connection: PostgresConnection) throws -> [Result<ImpactData, ImpactError>] {
        var cohorts = ImpactCohortTables()
        return try ImpactReportRepository(connection: connection).transaction { repository in
            try requests.map { request in
                do {
                    return .success(try load(request, cohorts: &cohorts, on: repository))
                } catch let error as ImpactError {
                    return .failure(error)
                }
            }
        }
    }

    /// `load` for one request, inside the transaction that owns `cohorts`.
    static func load(_ request: ImpactRequest, cohorts: inout ImpactCohortTables, on repository: ImpactReportRepository) throws -> ImpactData {
        // The provider and the data cut exactly as the termly report reads them.
        let termly = TermlyReportQueries(connection: repository.connection)
        let (providerID, provider) = try termly.provider(code: request.providerCode)
        let imports = try termly.repository.imports(providerID: providerID)
        if request.intervention.kind == .costOfLiving {
            return try costOfLiving(
                request, providerID: providerID, provider: provider, imports: imports, knownBy: imports.map(\.importedAt).max(), on: repository)
        }
        return try school(request, providerID: providerID, provider: provider, imports: imports, cohorts: &cohorts, on: repository)
    }

    /// The cohort of `code` with its label, if it has students in `term`; otherwise the error
    /// lists the cohorts that do (`report_cohorts`, read once per transaction).
    static func cohort(
        _ code: String, term: AcademicTerm, providerID: Int, cohorts: inout ImpactCohortTables, on repository: ImpactReportRepository
    ) throws -> ReportCohort {
        let listed = try cohorts.reportCohorts(providerID: providerID, term: term, on: repository.connection)
        guard let found = listed.first(where: { $0.code == code }) else { throw unknownCohort(code, term: term, listed: listed) }
        return ReportCohort(code: found.code, label: found.label)
    }

    /// The error for `text`, typed as a cohort but not one (`CohortCode` refuses it): like an
    /// unknown cohort's, it lists the provider's cohorts with students in `term`.
    /// - Throws: `TermlyReportError` for an unknown provider.
    public static func unknownCohort(_ text: String, provider: ProviderCode, term: AcademicTerm, on connection: PostgresConnection) throws -> ImpactError {
        let termly = TermlyReportQueries(connection: connection)
        let (providerID, _) = try termly.provider(code: provider)
        return unknownCohort(text, term: term, listed: try termly.cohorts(providerID: providerID, term: term))
    }

    static func unknownCohort(_ text: String, term: AcademicTerm, listed: [TermlyReportRepository.CohortListing]) -> ImpactError {
        .unknownCohort(text, term: term, valid: listed.map { "\($0.code) (\($0.students))" })
    }

    // MARK: - Schools and colleges

    static func school(
        _ request: ImpactRequest, providerID: Int, provider: ReportProvider, imports: [ImportRecord], cohorts: inout ImpactCohortTables,
        on repository: ImpactReportRepository
    ) throws -> ImpactData {
        let before: AssessmentPointSelector, after: AssessmentPointSelector
        switch request.judgedOn {
        case .assessments:
            guard let given = request.before, let later = request.after else { throw ImpactError.missingAssessmentPoints }
            (before, after) = (given, later)
            guard before.term < after.term else { throw ImpactError.afterNotLater(before: before, after: after) }
            for point in [before, after] where !(try repository.assessmentHeld(providerID: providerID, point.parts)) {
                throw ImpactError.noSuchAssessment(point, provider: provider.name)
            }
        case let .attendance(first, last):
            // No subject: the cohort's rows carry attendance in the two terms and no results
            // (impact_assessment_results matches no subject named '').
            (before, after) = (AssessmentPointSelector(subject: "", term: first), AssessmentPointSelector(subject: "", term: last))
            guard first < last else { throw ImpactError.afterNotLater(before: before, after: after) }
        }
        let cohort = try request.cohort.map { try Self.cohort($0.code, term: before.term, providerID: providerID, cohorts: &cohorts, on: repository) }
        let period = ImpactPeriod(from: request.from ?? before.term.startDate, to: request.to ?? after.term.endDate)
        guard period.from <= period.to else { throw ImpactError.badPeriod(from: period.from.isoString, to: period.to.isoString) }
        if let programme = request.intervention.programme, !(try repository.programmeHasRecords(providerID: providerID, programme: programme)) {
            throw ImpactError.unknownProgramme(programme, provider: provider.name)
        }
        let participation = ImpactReportRepository.Participation(
            providerID: providerID, types: request.intervention.kind == .programme ? nil : request.intervention.types.map(\.rawValue),
            programme: request.intervention.programme, from: period.from, to: period.to, plan: request.plan)
        // The cohort-wide part is worked out once per transaction for all sections on these
        // points (ImpactCohortTables); this section adds only who took part, a few thousand
        // rows that both the strata and the spend read.
        let cohortTable = try cohorts.table(
            providerID: providerID, before: before.parts, after: after.parts, cohort: request.cohort?.code, priorBand: request.priorBand.sqlValue,
            on: repository.connection)
        let rows = try repository.schoolStrata(cohortTable: cohortTable, participation: participation)
        let spend = try repository.schoolSpend(cohortTable: cohortTable, participation: participation)
        var counts = [String: Int]()
        var order = [String]()
        var attainment = [String: MatchedStratum]()
        var attendance = [String: MatchedStratum]()
        var standardisation = [String: CohortStandardisation]()
        for row in rows {
            counts[row.role, default: 0] += row.students
            let key = "\(row.cohort) | \(row.disadvantaged ? "disadvantaged" : "not disadvantaged") | \(row.priorBand ?? "no band")"
            if attainment[key] == nil {
                order.append(key)
                attainment[key] = MatchedStratum(key: key, participants: nil, comparison: nil)
                attendance[key] = MatchedStratum(key: key, participants: nil, comparison: nil)
            }
            switch row.role {
            case "participant":
                attainment[key]?.participants = row.attainment
                attendance[key]?.participants = row.attendance
            case "comparison" where row.priorBand != nil:
                // Without a prior-attainment band (no KS2 result held) nobody is comparable: such
                // participants stay unmatched.
                attainment[key]?.comparison = row.attainment
                attendance[key]?.comparison = row.attendance
            default:
                break
            }
            if standardisation[row.cohort] == nil { standardisation[row.cohort] = row.standardisation }
        }
        let judgedOnAssessments = request.judgedOn == .assessments
        var data = ImpactData(
            provider: provider, intervention: request.intervention, cohort: cohort, period: period,
            before: judgedOnAssessments ? before : nil, after: judgedOnAssessments ? after : nil, imports: imports,
            design: .school(SchoolImpactAggregates(
                participants: counts["participant"] ?? 0, comparisonPool: counts["comparison"] ?? 0, excluded: counts["excluded"] ?? 0,
                priorBand: request.priorBand, attainment: order.compactMap { attainment[$0] }, attendance: order.compactMap { attendance[$0] },
                // Year groups in school order (7, 8, ... 11), then courses.
                standardisation: standardisation.values.sorted { (Int($0.cohort) ?? .max, $0.cohort) < (Int($1.cohort) ?? .max, $1.cohort) })),
            spend: spend)
        data.target = request.target
        data.judgedOn = request.judgedOn
        return data
    }
}

extension AssessmentPointSelector {
    /// The point as `ImpactReportRepository` takes it.
    var parts: ImpactReportRepository.AssessmentPoint { (subject, name, term) }
}
