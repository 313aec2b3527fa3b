import DisclosureControl
import GapStatistics
import GapTrackStore

/// Where a figure of a termly report's table set is printed.
enum TermlyField: Hashable, Sendable {
    enum Side: Hashable, Sendable { case disadvantaged, others }
    enum AttendanceColumn: Hashable, Sendable { case students, possible, attended, persistent, severe }
    enum SupportColumn: Hashable, Sendable { case students, disadvantaged, sessions, hours, spend }
    enum FundingColumn: Hashable, Sendable { case students, spend }

    /// A group's count, and its percentage of the cohort with it.
    case groupSize(String)
    /// The attendance row of a group: `attended` is the attendance rate, `persistent` and
    /// `severe` the absence rates, each of which gives its count back with the row's denominator.
    case attendance(String, AttendanceColumn)
    /// A subject row's count of one side; the row's gap figures go with either.
    case subject(Int, Side)
    /// A support-type row (nil: all support).
    case support(Int?, SupportColumn)
    case funding(Int, FundingColumn)
    case trend(series: Int, point: Int, side: Side)
    /// A KS4 section's figure (`KeyStage4Tables`).
    case keyStage4(section: Int, KeyStage4Field)
}

/// A termly report as the tables a reader sees: every figure it can publish, with its true value,
/// and every relation between them a reader knows (docs/methodology.md §7.6, docs/disclosure-control.md §7.2).
///
/// Built from the report's data alone, so that it describes any shaping of that data: the
/// governors' and public shaping start from it with every figure published, and the auditor reads
/// which figures a shaped report prints (`published(_:data:)`) and attacks exactly those.
///
/// Rates are modelled as giving their numerator back exactly (an attendance rate to one decimal
/// with its possible sessions, a percentage of the cohort with the cohort): a reader who knows a
/// rate knows at most that, so the model grants the attacker as much or more, never less.
struct TermlyReportTables {
    var tables = TableSet()
    /// The report field each printed cell is bound to; unpublished cells (an overlap of two groups,
    /// a fund's spend on one type) have none.
    var fields: [CellID: TermlyField] = [:]

    /// The cells of each impact section (`impact` of `describe`), under the prefix `impact.N.`.
    var impactFields: [CellID: (section: Int, field: ImpactField)] = [:]
    /// Counts that stay shown when they are zero (`ImpactReportTables.exemptZeros`).
    var exemptZeros: Set<CellID> = []

    /// Every figure published, with its relations; `impact` is the data of the report's impact
    /// sections, in order (`TermlyImpactSections.add`).
    /// `whole`: for a filtered view, the unfiltered cohort's data; every figure is then tied to
    /// the whole report's (`TableSet.tie(to:matching:threshold:)`, docs/disclosure-control.md §7.7).
    static func describe(
        _ data: TermlyReportData, impact: [ImpactData] = [], whole: TermlyReportData? = nil, threshold: Int = 10
    ) throws(DisclosureControlError) -> TermlyReportTables {
        var described = try describeOwn(data, impact: impact, threshold: threshold)
        if let whole {
            try described.tables.tie(to: describeOwn(whole, impact: [], threshold: threshold).tables, matching: \.label, threshold: threshold)
        }
        return described
    }

    private static func describeOwn(_ data: TermlyReportData, impact: [ImpactData], threshold: Int) throws(DisclosureControlError) -> TermlyReportTables {
        var described = TermlyReportTables()
        try described.addGroupSizes(data)
        try described.addAttendance(data)
        try described.addSubjects(data)
        try described.addSupport(data)
        try described.addTrend(data, threshold: threshold)
        try described.addImpactSections(impact, data: data)
        try described.addKeyStage4(data)
        return described
    }

    /// The table set of a report already shaped from `data`: a figure it prints is published,
    /// one it shows as `c` suppressed. This is what an attacker of the printed report works with.
    /// `whole`: for a filtered view, the unfiltered data, so that the attack includes differencing.
    static func published(
        _ report: TermlyGapReport, data: TermlyReportData, impact: [ImpactData] = [], whole: TermlyReportData? = nil
    ) throws(DisclosureControlError) -> TableSet {
        let described = try describe(data, impact: impact, whole: whole, threshold: report.suppressionThreshold)
        var tables = described.tables
        for (id, field) in described.fields where !TermlyReportFields.isShown(field, in: report) {
            tables.setVisibility(.suppressed, of: id)
        }
        for (id, place) in described.impactFields
        where place.section >= report.impact.count || !ImpactReportTables.isShown(place.field, in: report.impact[place.section]) {
            tables.setVisibility(.suppressed, of: id)
        }
        return tables
    }

    /// The prefix of section `index`'s cells.
    static func impactPrefix(_ index: Int) -> String { "impact.\(index)." }

    // MARK: - Impact sections

    /// Each section's tables (`ImpactReportTables`), tied to the report's support table: a type's
    /// participants are its pupils in the support table, its spend that row's spend, and its
    /// spend from a fund that type's unpublished spend from the fund, wherever the figures agree
    /// (the section counts the year to the report's term, the table the term alone).
    private mutating func addImpactSections(_ impact: [ImpactData], data: TermlyReportData) throws(DisclosureControlError) {
        for (index, section) in impact.enumerated() {
            let prefix = Self.impactPrefix(index)
            let described = try ImpactReportTables.describe(section, prefix: prefix, into: tables)
            tables = described.tables
            for (id, field) in described.fields { impactFields[id] = (index, field) }
            exemptZeros.formUnion(described.exemptZeros)
            guard section.intervention.kind == .type, section.intervention.types.count == 1,
                  let t = data.supportByType.firstIndex(where: { $0.type == section.intervention.types[0].rawValue }) else { continue }
            try ImpactReportTables.same(CellID(prefix + "count.participants"), "support.type\(t).students", in: &tables)
            try ImpactReportTables.same(CellID(prefix + "spend.all.spend"), "support.type\(t).spend", in: &tables)
            for (f, line) in section.spend.byFundingSource.enumerated() {
                guard let g = data.funding.firstIndex(where: { $0.source == line.code }) else { continue }
                try ImpactReportTables.same(CellID(prefix + "spend.source\(f).spend"), "support.type\(t).fund\(g).spend", in: &tables)
            }
        }
    }

    // MARK: - Building blocks

    private mutating func count(_ id: CellID, _ label: String, _ value: Int, field: TermlyField?, isTotal: Bool = false) throws(DisclosureControlError) {
        try tables.count(id, label, value, isTotal: isTotal)
        if let field { fields[id] = field }
    }

    private mutating func sum(
        _ id: CellID, _ label: String, _ value: Int, unit: String, over group: CellID?, field: TermlyField?, isTotal: Bool = false
    ) throws(DisclosureControlError) {
        try tables.sum(id, label, value, unit: unit, over: group, isTotal: isTotal)
        if let field { fields[id] = field }
    }

    /// `part ≤ whole`, when it holds (a relation that does not hold is not one a reader can use).
    private mutating func atMost(_ part: CellID, _ whole: CellID) throws(DisclosureControlError) {
        guard let p = tables[part], let w = tables[whole], p.value <= w.value else { return }
        try tables.atMost(part, whole)
    }

    /// total = Σ parts where it holds exactly; where the parts are rounded separately (pence,
    /// sessions shared between terms) within `slack` of it either way; where the parts only cover
    /// part of the total (students with no quintile recorded), Σ parts ≤ total.
    private mutating func partition(_ total: CellID, _ parts: [CellID], slack: Int = 0) throws(DisclosureControlError) {
        guard let whole = tables[total] else { return }
        let present = parts.filter { tables[$0] != nil }
        guard !present.isEmpty else { return }
        let sum = present.reduce(0) { $0 + (tables[$1]?.value ?? 0) }
        let name = "\(whole.label) = " + present.compactMap { tables[$0]?.label }.joined(separator: " + ")
        if sum == whole.value, present.count == parts.count {
            try tables.partition(total, into: present)
        } else if abs(sum - whole.value) <= slack, present.count == parts.count {
            let terms = [Term(total, 1)] + present.map { Term($0, -1) }
            try tables.relate(LinearRelation(name + " (to within \(slack))", terms: terms, kind: .atMost, constant: slack))
            try tables.relate(LinearRelation(name + " (to within \(slack))", terms: terms.map { Term($0.cell, -$0.coefficient) }, kind: .atMost, constant: slack))
        } else if sum <= whole.value {
            try tables.relate(LinearRelation(name + " (at most)", terms: present.map { Term($0, 1) } + [Term(total, -1)], kind: .atMost))
        }
    }

    /// Distinct pupils of a table whose rows can share pupils (one pupil, several support types):
    /// each row is at most the total, and the total at most the rows' sum.
    private mutating func overlappingRows(_ total: CellID, _ rows: [CellID]) throws(DisclosureControlError) {
        for row in rows { try atMost(row, total) }
        guard let whole = tables[total], !rows.isEmpty else { return }
        let sum = rows.reduce(0) { $0 + (tables[$1]?.value ?? 0) }
        guard whole.value <= sum else { return }
        try tables.relate(LinearRelation(
            "\(whole.label) ≤ the sum of its rows", terms: [Term(total, 1)] + rows.map { Term($0, -1) }, kind: .atMost))
    }

    // MARK: - Group sizes and attendance

    /// The groups' partitions (docs/methodology.md §1): Whole = Disadvantaged + Others, SEN = EHC
    /// plan + SEN support, the quintiles, the SMC groups, and the compared pair's own.
    static func partitions(_ comparison: ComparisonGroup) -> [(total: String, parts: [String])] {
        (TermlyGapReportBuilder.groupPartitions + comparison.partitions).map { ($0.total, $0.cells) }
    }

    private mutating func addGroupSizes(_ data: TermlyReportData) throws(DisclosureControlError) {
        var counts = data.groupCounts
        counts[.cohort] = data.cohortSize
        let groups = TermlyGapReportBuilder.groups(for: data.provider.kind, counts: counts)
        let totals: Set<String> = [ReportGroup.cohort.id, ReportGroup.disadvantaged.id, ReportGroup.sen.id, ReportGroup.smcDeclared.id]
        for group in groups {
            try count(
                "group.\(group.id)", "Group sizes, \(Self.label(group, data.comparison))", counts[group] ?? 0, field: .groupSize(group.id),
                isTotal: totals.contains(group.id))
        }
        try relateGroups(data.comparison, unit: nil) { "group.\($0)" } cellLabel: { "Group sizes, \($0)" }
    }

    private mutating func addAttendance(_ data: TermlyReportData) throws(DisclosureControlError) {
        for row in data.attendance {
            let key = row.group.id
            let name = "Attendance, \(Self.label(row.group, data.comparison))"
            let students: CellID = "attendance.\(key).students"
            try count(students, "\(name), pupils", row.students, field: .attendance(key, .students), isTotal: key == ReportGroup.cohort.id)
            try sum("attendance.\(key).possible", "\(name), possible sessions", row.possible, unit: "sessions", over: students, field: .attendance(key, .possible))
            try sum("attendance.\(key).attended", "\(name), sessions attended", row.attended, unit: "sessions", over: students, field: .attendance(key, .attended))
            try sum("attendance.\(key).persistent", "\(name), persistently absent pupils", row.persistentlyAbsent, unit: "pupils", over: students,
                    field: .attendance(key, .persistent))
            try sum("attendance.\(key).severe", "\(name), severely absent pupils", row.severelyAbsent, unit: "pupils", over: students,
                    field: .attendance(key, .severe))
            try atMost(students, "group.\(key)")
            try atMost("attendance.\(key).attended", "attendance.\(key).possible")
            try atMost("attendance.\(key).persistent", students)
            try atMost("attendance.\(key).severe", "attendance.\(key).persistent")
        }
        for measure in ["students", "possible", "attended", "persistent", "severe"] {
            try relateGroups(data.comparison, unit: measure == "students" ? nil : measure) { "attendance.\($0).\(measure)" } cellLabel: {
                "Attendance, \($0), \(measure)"
            }
        }
    }

    /// The relations between groups, for one measure of them (pupils, sessions...): the
    /// partitions, every group within the cohort, FSM now within FSM Ever 6, and Disadvantaged =
    /// FSM Ever 6 ∪ looked after or previously looked after, written as two partitions through
    /// the unpublished groups "looked after, not FSM Ever 6" and "both" (docs/methodology.md §1.3).
    private mutating func relateGroups(
        _ comparison: ComparisonGroup, unit: String?, cell: (String) -> CellID, cellLabel: (String) -> String
    ) throws(DisclosureControlError) {
        for partition in Self.partitions(comparison) {
            try self.partition(cell(partition.total), partition.parts.map(cell))
        }
        let cohort = cell(ReportGroup.cohort.id)
        for group in ReportGroup.standardOrder where group != .cohort { try atMost(cell(group.id), cohort) }
        try nest(cell(ReportGroup.fsm.id), within: cell(ReportGroup.fsmEver6.id),
                 leftOver: CellID(cell(ReportGroup.fsmEver6.id).rawValue + ".not_fsm"), cellLabel("FSM Ever 6, not eligible for FSM now"), unit: unit)
        guard comparison == .dfeDisadvantaged,
              let disadvantaged = tables[cell(ReportGroup.disadvantaged.id)], let fsmEver6 = tables[cell(ReportGroup.fsmEver6.id)],
              let lookedAfter = tables[cell(ReportGroup.lookedAfter.id)] else { return }
        let lookedAfterOnly = disadvantaged.value - fsmEver6.value
        let both = lookedAfter.value - lookedAfterOnly
        guard lookedAfterOnly >= 0, both >= 0 else { return }
        let onlyID = CellID(cell(ReportGroup.lookedAfter.id).rawValue + ".not_fsm_ever_6")
        let bothID = CellID(cell(ReportGroup.lookedAfter.id).rawValue + ".and_fsm_ever_6")
        for (id, label, value) in [
            (onlyID, cellLabel("looked after or previously looked after, not FSM Ever 6"), lookedAfterOnly),
            (bothID, cellLabel("looked after or previously looked after and FSM Ever 6"), both),
        ] {
            let measure: Measure = unit.map { .sum(unit: $0, group: nil) } ?? .pupils
            try tables.add(Cell(id: id, label: label, value: value, measure: measure, visibility: .unpublished))
        }
        try tables.partition(disadvantaged.id, into: [fsmEver6.id, onlyID])
        try tables.partition(lookedAfter.id, into: [onlyID, bothID])
    }

    /// `whole` = `part` + the pupils of `whole` outside it, an unpublished group of its own: a
    /// reader who sees both sizes sees the difference, so a difference under the threshold is
    /// protected like any small group [Duke-Williams and Rees 1998] (docs/disclosure-control.md
    /// §7.2). FSM now within FSM Ever 6 is the one nesting of two printed groups. Where `part`
    /// is not within `whole` in the data (or either is absent), only `part ≤ whole` is kept, as
    /// far as it holds.
    private mutating func nest(
        _ part: CellID, within whole: CellID, leftOver rest: CellID, _ label: String, unit: String?
    ) throws(DisclosureControlError) {
        guard let p = tables[part], let w = tables[whole], p.value <= w.value else { return try atMost(part, whole) }
        let measure: Measure = unit.map { .sum(unit: $0, group: nil) } ?? .pupils
        try tables.add(Cell(id: rest, label: label, value: w.value - p.value, measure: measure, visibility: .unpublished))
        try tables.partition(whole, into: [part, rest])
    }

    static func label(_ group: ReportGroup, _ comparison: ComparisonGroup) -> String {
        switch group.id {
        case ReportGroup.disadvantaged.id: comparison.groupLabel
        case ReportGroup.others.id: comparison.othersLabel
        default: group.label
        }
    }

    // MARK: - Attainment

    private mutating func addSubjects(_ data: TermlyReportData) throws(DisclosureControlError) {
        for (index, subject) in data.subjects.enumerated() {
            let name = "Attainment, \(subject.subject) (\(subject.assessment))"
            try count("subject.\(index).disadvantaged", "\(name), \(data.comparison.groupWord) pupils", subject.disadvantaged?.count ?? 0,
                      field: .subject(index, .disadvantaged))
            try count("subject.\(index).others", "\(name), other pupils", subject.others?.count ?? 0, field: .subject(index, .others))
            try atMost("subject.\(index).disadvantaged", "group.\(ReportGroup.disadvantaged.id)")
            try atMost("subject.\(index).others", "group.\(ReportGroup.others.id)")
        }
    }

    // MARK: - Support

    private mutating func addSupport(_ data: TermlyReportData) throws(DisclosureControlError) {
        func addRow(_ row: SupportAggregates, key: String, field: (TermlyField.SupportColumn) -> TermlyField, isTotal: Bool) throws(DisclosureControlError) {
            let name = "Support, \(row.label)"
            let students = CellID("support.\(key).students")
            try count(students, "\(name), pupils", row.students, field: field(.students), isTotal: isTotal)
            try count("support.\(key).disadvantaged", "\(name), \(data.comparison.groupWord) pupils", row.disadvantagedStudents,
                      field: field(.disadvantaged), isTotal: isTotal)
            try sum("support.\(key).sessions", "\(name), sessions", row.sessions, unit: "sessions", over: students, field: field(.sessions), isTotal: isTotal)
            try sum("support.\(key).hours", "\(name), hours (hundredths)", Self.hundredths(row.hours), unit: "hundredths of an hour", over: students,
                    field: field(.hours), isTotal: isTotal)
            try sum("support.\(key).spend", "\(name), spend (pence)", row.spend.pence, unit: "pence", over: students, field: field(.spend), isTotal: isTotal)
            try atMost("support.\(key).disadvantaged", students)
            try atMost("support.\(key).disadvantaged", "group.\(ReportGroup.disadvantaged.id)")
        }
        try addRow(data.supportTotal, key: "all", field: { .support(nil, $0) }, isTotal: true)
        let types = data.supportByType.indices.map { "type\($0)" }
        for (index, row) in data.supportByType.enumerated() {
            try addRow(row, key: types[index], field: { .support(index, $0) }, isTotal: false)
        }
        let slack = types.count
        guard !types.isEmpty else { return }
        try overlappingRows("support.all.students", types.map { "support.\($0).students" })
        try overlappingRows("support.all.disadvantaged", types.map { "support.\($0).disadvantaged" })
        for measure in ["sessions", "hours", "spend"] {
            try partition("support.all.\(measure)", types.map { "support.\($0).\(measure)" }, slack: slack)
        }
        let funds = data.funding.indices.map { "fund\($0)" }
        for (index, row) in data.funding.enumerated() {
            let students = CellID("support.\(funds[index]).students")
            try count(students, "Spend by funding source, \(row.label), pupils", row.students, field: .funding(index, .students))
            try sum("support.\(funds[index]).spend", "Spend by funding source, \(row.label) (pence)", row.spend.pence, unit: "pence", over: students,
                    field: .funding(index, .spend))
        }
        guard !funds.isEmpty else { return }
        try overlappingRows("support.all.students", funds.map { "support.\($0).students" })
        try partition("support.all.spend", funds.map { "support.\($0).spend" }, slack: funds.count)
        try addTypeByFund(data, types: types, funds: funds)
    }

    /// The spend of each type from each fund, unpublished: where a fund pays for one type only,
    /// a reader who knows it (or guesses it) recovers that type from the fund's row
    /// (docs/disclosure-control.md §7.2). Combinations that never occur are left out: a reader is
    /// assumed to know they are empty.
    private mutating func addTypeByFund(_ data: TermlyReportData, types: [String], funds: [String]) throws(DisclosureControlError) {
        guard !data.supportSpendByTypeAndFund.isEmpty else { return }
        var inner: [[CellID?]] = Array(repeating: Array(repeating: nil, count: funds.count), count: types.count)
        for line in data.supportSpendByTypeAndFund {
            guard let t = data.supportByType.firstIndex(where: { $0.type == line.type }),
                  let f = data.funding.firstIndex(where: { $0.source == line.source }) else { continue }
            let id = CellID("support.\(types[t]).\(funds[f]).spend")
            try tables.sum(id, "Spend on \(data.supportByType[t].label) from \(data.funding[f].label) (pence)", line.spend.pence, unit: "pence", over: nil)
            tables.setVisibility(.unpublished, of: id)
            inner[t][f] = id
        }
        for (t, row) in inner.enumerated() {
            try partition("support.\(types[t]).spend", row.compactMap { $0 }, slack: funds.count)
        }
        for f in funds.indices {
            try partition("support.\(funds[f]).spend", inner.compactMap { $0[f] }, slack: types.count)
        }
    }

    static func hundredths(_ hours: Double) -> Int { Int((hours * 100).rounded()) }

    // MARK: - Trend

    /// The counts beside each trend point. The report's own term repeats the attainment and
    /// attendance counts, and is tied to them; earlier terms stand alone.
    private mutating func addTrend(_ data: TermlyReportData, threshold: Int) throws(DisclosureControlError) {
        let truth = TermlyGapReportBuilder(rule: SuppressionRule(threshold: threshold)).build(data)
        for (s, series) in truth.trend.enumerated() {
            for (p, point) in series.points.enumerated() {
                let name = "Trend, \(series.label), \(point.term)"
                let d = CellID("trend.\(s).\(p).disadvantaged")
                let o = CellID("trend.\(s).\(p).others")
                try count(d, "\(name), \(data.comparison.groupWord) pupils", point.disadvantagedStudents.value ?? 0, field: .trend(series: s, point: p, side: .disadvantaged))
                try count(o, "\(name), other pupils", point.otherStudents.value ?? 0, field: .trend(series: s, point: p, side: .others))
                guard point.term == data.term else { continue }
                if series.id == "attendance_gap" {
                    try same(d, "attendance.\(ReportGroup.disadvantaged.id).students")
                    try same(o, "attendance.\(ReportGroup.others.id).students")
                } else if let index = data.subjects.indices.first(where: {
                    "gap_index:\(data.subjects[$0].subject)" == series.id && (data.subjects[$0].disadvantaged?.count ?? 0) == tables[d]?.value
                        && (data.subjects[$0].others?.count ?? 0) == tables[o]?.value
                }) {
                    try same(d, "subject.\(index).disadvantaged")
                    try same(o, "subject.\(index).others")
                }
            }
        }
    }

    /// The same figure printed twice.
    private mutating func same(_ a: CellID, _ b: CellID) throws(DisclosureControlError) {
        guard let x = tables[a], let y = tables[b], x.value == y.value else { return }
        try tables.relate(LinearRelation("\(x.label) = \(y.label)", terms: [Term(a, 1), Term(b, -1)]))
    }
}
