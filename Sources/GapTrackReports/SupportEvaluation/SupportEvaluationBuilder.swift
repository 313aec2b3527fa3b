import GapStatistics
import GapTrackDomain
import GapTrackStore
import Postgres

/// The kinds of cost-of-living support the evaluation compares, and "any of them".
public enum SupportKind: String, Sendable, Codable, CaseIterable {
    case bursary
    case hardshipAward = "hardship_award"
    case foodSupport = "food_support"
    case housingSupport = "housing_support"

    public var name: String {
        switch self {
        case .bursary: "Bursary"
        case .hardshipAward: "Hardship award"
        case .foodSupport: "Food support"
        case .housingSupport: "Help with housing"
        }
    }

    static let anyID = "any"
    static let anyName = "Any of these"
}

/// Builds the evaluation over the provider's full data, then shapes it for the audience.
public struct SupportEvaluationBuilder: Sendable {
    public let audience: ReportAudience
    /// Fewer students than this who received a kind of support, or who did not, and no adjusted
    /// difference is estimated for any audience; governors and the public also see `c` below it.
    public static let threshold = LifecycleReportBuilder.threshold

    public init(audience: ReportAudience) {
        self.audience = audience
    }

    /// The groups uptake is shown for, with who is in them.
    static let uptakeGroups: [(id: String, name: String, member: @Sendable (LifecycleStudent) -> Bool)] = [
        ("all", "All entrants", { _ in true }),
        ("imd_q1", "IMD quintile 1 (most deprived fifth)", { $0.imdQuintile == 1 }),
        ("imd_q5", "IMD quintile 5 (least deprived fifth)", { $0.imdQuintile == 5 }),
        ("care_or_estranged", "Care leavers and estranged students", { $0.careLeaver == true || $0.estranged == true }),
        ("first_in_family", "First in family to go to university", { $0.firstInFamily == true }),
    ]

    static let outcomes: [LifecycleStage] = [.continuation, .completion, .attainment]

    /// `applications` nil: none recorded, so no funnel (uptake counts only who received support).
    public func build(providerCode: String, providerName: String, students allStudents: [LifecycleStudent], support: [FirstYearSupport],
                      applications: [SupportApplication]? = nil, years: [AcademicYear], asOf: CalendarDate, imports: [Int]) throws
        -> SupportEvaluationReport
    {
        let students = allStudents.filter { years.contains($0.entryYear) }
        var received: [InstanceKey: Set<SupportKind>] = [:]
        let inYears = Set(students.map { InstanceKey(studentID: $0.studentID, commencedOn: $0.commencedOn) })
        for record in support {
            let key = InstanceKey(studentID: record.studentID, commencedOn: record.commencedOn)
            guard inYears.contains(key), let kind = SupportKind(rawValue: record.type) else { continue }
            received[key, default: []].insert(kind)
        }
        func kinds(_ student: LifecycleStudent) -> Set<SupportKind> {
            received[InstanceKey(studentID: student.studentID, commencedOn: student.commencedOn)] ?? []
        }
        let byStudent = applications.map { Dictionary(grouping: $0, by: \.studentID) }
        let uptake = try Self.uptakeGroups.map { group in
            var section = try uptakeSection(id: group.id, name: group.name, entrants: students.filter(group.member), kinds: kinds)
            if let byStudent { section.funnel = funnel(entrants: students.filter(group.member), section: section, applications: byStudent, kinds: kinds) }
            return section
        }
        let effects = try Self.outcomes.map { try effectSection($0, students: students, kinds: kinds) }
        return SupportEvaluationReport(
            providerCode: providerCode, providerName: providerName, audience: audience, years: years.map(\.description),
            asOf: asOf.isoString, uptake: uptake, effects: effects, spend: spend(support, in: inYears),
            caveats: SupportEvaluationMethod.caveats(applications: applications != nil), notes: SupportEvaluationMethod.notes(audience: audience), imports: imports)
    }

    struct InstanceKey: Hashable {
        var studentID: Int
        var commencedOn: CalendarDate?
    }

    /// Each kind's share of the group's entrants, received against not received.
    func uptakeSection(id: String, name: String, entrants: [LifecycleStudent], kinds: (LifecycleStudent) -> Set<SupportKind>) throws -> SupportUptakeSection {
        var rows = Self.columns.map { column in
            let members = entrants.map { column.has(kinds($0)) }
            let yes = members.filter { $0 }.count
            return LifecycleGapRow(
                characteristic: column.id, characteristicName: column.name, year: "all",
                group: Self.rate("Received", count: yes, students: yes, total: entrants.count),
                comparison: Self.rate("Did not receive", count: entrants.count - yes, students: entrants.count - yes, total: entrants.count),
                gap: nil)
        }
        var total: Int? = entrants.count
        if audience.suppresses {
            total = try LifecycleDisclosure.shape(stage: .access, total: entrants.count, rows: &rows)
        }
        return SupportUptakeSection(group: id, groupName: name, entrants: total, rows: rows)
    }

    /// Applied → eligible → received for the group, shaped like its uptake table.
    func funnel(entrants: [LifecycleStudent], section: SupportUptakeSection, applications: [Int: [SupportApplication]],
                kinds: (LifecycleStudent) -> Set<SupportKind>) -> [LifecycleRate] {
        var steps = SupportFunnel.steps(entrants: entrants, applications: applications) { !kinds($0).isEmpty }
        if audience.suppresses {
            SupportFunnel.shape(entrants: entrants.count, steps: &steps, entrantsShown: section.entrants != nil,
                                receivedShown: section.rows.last?.group.students != nil)
        }
        return steps
    }

    /// The four kinds and "any of them", as columns of the evaluation.
    static let columns = SupportKind.allCases.map(Column.init) + [Column(nil)]

    struct Column: Sendable {
        let kind: SupportKind?
        init(_ kind: SupportKind?) { self.kind = kind }
        var id: String { kind?.rawValue ?? SupportKind.anyID }
        var name: String { kind?.name ?? SupportKind.anyName }
        func has(_ received: Set<SupportKind>) -> Bool { kind.map(received.contains) ?? !received.isEmpty }
    }

    func effectSection(_ outcome: LifecycleStage, students: [LifecycleStudent], kinds: (LifecycleStudent) -> Set<SupportKind>) throws -> SupportEffectSection {
        let known = students.filter { outcome.outcome($0) != nil }
        let modelled = known.filter { $0.tariffPoints != nil && $0.imdQuintile != nil }
        func unit(_ student: LifecycleStudent, treatments: [Bool]) -> RegressionAdjustedEffect.Unit {
            RegressionAdjustedEffect.Unit(
                treatments: treatments,
                categorical: [String(student.imdQuintile!), student.courseCode, student.isPartTime ? "part_time" : "full_time",
                              student.entryYear.description],
                continuous: [Double(student.tariffPoints!)], outcome: outcome.outcome(student) == true ? 1 : 0)
        }
        // The kinds together, each adjusted for the others; "any" in a model of its own.
        let joint = modelled.isEmpty ? nil : try? RegressionAdjustedEffect.estimate(
            modelled.map { student in unit(student, treatments: SupportKind.allCases.map(kinds(student).contains)) })
        let any = modelled.isEmpty ? nil : try? RegressionAdjustedEffect.estimate(
            modelled.map { unit($0, treatments: [!kinds($0).isEmpty]) })
        var adjusted: [String: LifecycleGap] = [:]
        for (index, column) in Self.columns.enumerated() {
            let effect = index < SupportKind.allCases.count ? joint?.effects[index] : any?.effects.first
            guard let effect, let estimate = effect.estimate, let interval = effect.interval,
                  effect.treated >= Self.threshold, effect.untreated >= Self.threshold else { continue }
            adjusted[column.id] = LifecycleGap(points: 100 * estimate, lower: 100 * interval.lower, upper: 100 * interval.upper)
        }
        var rows = Self.columns.map { column in
            let yes = modelled.filter { column.has(kinds($0)) }
            let no = modelled.filter { !column.has(kinds($0)) }
            let positive = { (group: [LifecycleStudent]) in group.filter { outcome.outcome($0) == true }.count }
            let group = Self.rate("Received", count: positive(yes), students: yes.count, total: yes.count)
            let comparison = Self.rate("Did not receive", count: positive(no), students: no.count, total: no.count)
            var raw: LifecycleGap?
            if let p1 = try? Proportion(count: positive(yes), outOf: yes.count), let p0 = try? Proportion(count: positive(no), outOf: no.count) {
                let difference = ProportionDifference(p1, minus: p0)
                raw = LifecycleGap(points: 100 * difference.value, lower: 100 * difference.confidenceInterval.lower,
                                   upper: 100 * difference.confidenceInterval.upper)
            }
            return LifecycleGapRow(characteristic: column.id, characteristicName: column.name, year: "all", group: group,
                                   comparison: comparison, gap: raw)
        }
        var measured: Int? = modelled.count
        if audience.suppresses {
            measured = try LifecycleDisclosure.shape(stage: outcome, total: modelled.count, rows: &rows)
        }
        let effectRows = rows.map { row in
            let withheld = row.group.isWithheld || row.comparison.isWithheld
            return SupportEffectRow(comparison: row, adjusted: withheld ? nil : adjusted[row.characteristic])
        }
        let leftOut = known.count - modelled.count
        return SupportEffectSection(
            outcome: outcome, title: SupportEvaluationMethod.title(outcome), definition: outcome.definition, measured: measured,
            leftOut: audience.suppresses && leftOut > 0 && leftOut < Self.threshold ? nil : leftOut, rows: effectRows)
    }

    /// A rate of `count` over `total`, for `students` members, with its Wilson interval.
    static func rate(_ label: String, count: Int, students: Int, total: Int) -> LifecycleRate {
        let proportion = try? Proportion(count: count, outOf: total)
        return LifecycleRate(label: label, students: students, positive: count, percent: proportion.map { 100 * $0.value },
                             lower: proportion.map { 100 * $0.confidenceInterval.lower },
                             upper: proportion.map { 100 * $0.confidenceInterval.upper },
                             isSmall: students < threshold, isWithheld: false)
    }

    /// Spend by fund and kind in the evaluated instances' first years.
    ///
    /// For governors and the public a kind's rows are withheld together when any one of them is
    /// under the threshold: the uptake table prints how many received each kind, so with the
    /// other funds' rows printed a reader who knows that each student's award of a kind came from
    /// one fund would get the small row as the kind's total minus the rest
    /// (docs/disclosure-control.md §7.8).
    func spend(_ support: [FirstYearSupport], in instances: Set<InstanceKey>) -> [SupportSpendRow] {
        var students: [String: Set<InstanceKey>] = [:]
        var pounds: [String: Double] = [:]
        for record in support {
            let key = InstanceKey(studentID: record.studentID, commencedOn: record.commencedOn)
            guard instances.contains(key), SupportKind(rawValue: record.type) != nil else { continue }
            let id = (record.fundingSource ?? "not recorded") + "|" + record.type
            students[id, default: []].insert(key)
            pounds[id, default: 0] += record.amount ?? 0
        }
        let kindsWithASmallRow = Set(students.filter { $0.value.count < Self.threshold }.keys.map { $0.split(separator: "|")[1] })
        return students.keys.sorted().map { id in
            let parts = id.split(separator: "|").map(String.init)
            let n = students[id]!.count
            let withheld = audience.suppresses && kindsWithASmallRow.contains(Substring(parts[1]))
            return SupportSpendRow(fund: parts[0], kind: parts[1], kindName: SupportKind(rawValue: parts[1])!.name,
                                   students: withheld ? nil : n, pounds: withheld ? nil : pounds[id])
        }
    }
}

public enum SupportEvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    case noStudents(provider: String)

    public var description: String {
        switch self {
        case .noStudents(let provider):
            "\(provider) has no course instances to evaluate; load the student-record extract with 'gaptrack import student-records FILE --provider \(provider) --preset hesa' and the support records with 'gaptrack import support'"
        }
    }
}

/// Loads what the evaluation needs and builds it for an audience.
public enum SupportEvaluationQueries {
    public static func report(provider code: ProviderCode, years: LifecycleYears?, asOf: CalendarDate, audience: ReportAudience,
                              on connection: PostgresConnection) throws -> SupportEvaluationReport {
        let cohort = try UniversityCohortLoad(provider: code, years: years, asOf: asOf, on: connection) {
            SupportEvaluationError.noStudents(provider: $0)
        }
        let support = try cohort.store.firstYearSupport(providerID: cohort.provider.id!, types: SupportKind.allCases.map(\.rawValue))
        let applications = try cohort.store.supportApplications(providerID: cohort.provider.id!)
        return try SupportEvaluationBuilder(audience: audience).build(
            providerCode: cohort.provider.code, providerName: cohort.provider.name, students: cohort.students, support: support,
            applications: applications.isEmpty ? nil : applications, years: cohort.years, asOf: asOf, imports: try cohort.imports())
    }
}
