import DisclosureControl
import GapStatistics
import GapTrackStore

/// Where a figure of an impact report's table set is printed.
enum ImpactField: Hashable, Sendable {
    enum SpendColumn: Hashable, Sendable { case students, spend }
    enum UptakeSide: Hashable, Sendable { case lseb, others }

    /// A count of "participants and matching" (and of the outcome rows, which print the same
    /// matched counts).
    case count(String)
    case spendBySource(Int, SpendColumn)
    case spendByType(Int, SpendColumn)
    case spendTotal(SpendColumn)
    /// An uptake row's count, and its percentage, which gives the count back with the group's size.
    case uptake(Int, UptakeSide)
}

/// An impact report as the tables a reader sees: every figure it can publish, with its true
/// value, and every relation a reader knows between them (docs/methodology.md §7.6,
/// docs/disclosure-control.md §7.2), as `TermlyReportTables` does for the termly report.
///
/// The relations: participants = matched + unmatched + without data, for each outcome; a spend
/// table's rows against its total (students shared between rows, spend summed); spend by type
/// against uptake (a type's supported students are its LSEB and other students); the uptake rows
/// against the groups they are shares of, with the students who did not take the support as
/// unpublished groups (a share of 98% gives away the 2% who did not). A termly report adds these
/// tables under a prefix per section and ties them to its support table.
struct ImpactReportTables {
    var tables = TableSet()
    var fields: [CellID: ImpactField] = [:]
    /// Counts that stay shown when they are zero ("not yet known: 0" is no group of students).
    var exemptZeros: Set<CellID> = []
    let prefix: String

    init(prefix: String = "", into tables: TableSet = TableSet()) {
        self.prefix = prefix
        self.tables = tables
    }

    func id(_ key: String) -> CellID { CellID(prefix + key) }

    /// Every figure `data`'s report can publish, with its relations.
    static func describe(_ data: ImpactData, prefix: String = "", into tables: TableSet = TableSet()) throws(DisclosureControlError) -> ImpactReportTables {
        var described = ImpactReportTables(prefix: prefix, into: tables)
        switch data.design {
        case let .school(school):
            try described.addCounts(.school(school))
            try described.addSpend(data.spend)
            try described.same("spend.all.students", "count.participants")
        case let .costOfLiving(year):
            let counts = ImpactCountTable.costOfLiving(year)
            try described.addCounts(counts)
            described.exemptZeros.insert(described.id("count.continuation.unknown"))
            try described.addSpend(data.spend)
            try described.addUptake(year, spend: data.spend)
        }
        return described
    }

    /// The table set of a report already built from `data`: a figure it prints is published, one
    /// it shows as `c` suppressed. This is what an attacker of the printed report works with.
    static func published(_ report: ImpactReport, data: ImpactData, prefix: String = "", into tables: TableSet = TableSet()) throws(DisclosureControlError) -> TableSet {
        let described = try describe(data, prefix: prefix, into: tables)
        var published = described.tables
        for (id, field) in described.fields where !isShown(field, in: report) {
            published.setVisibility(.suppressed, of: id)
        }
        return published
    }

    static func isShown(_ field: ImpactField, in report: ImpactReport) -> Bool {
        func shown(_ row: ImpactSpendRow, _ column: ImpactField.SpendColumn) -> Bool {
            column == .students ? !row.students.isSuppressed : !row.spend.isSuppressed
        }
        switch field {
        case let .count(key):
            return report.count(key).map { !$0.students.isSuppressed } ?? false
        case let .spendBySource(i, column):
            return i < report.spend.byFundingSource.count && shown(report.spend.byFundingSource[i], column)
        case let .spendByType(i, column):
            return i < report.spend.byType.count && shown(report.spend.byType[i], column)
        case let .spendTotal(column):
            return shown(report.spend.total, column)
        case let .uptake(i, side):
            guard i < report.uptake.count else { return false }
            let row = report.uptake[i]
            return side == .lseb ? !row.lsebSupported.isSuppressed || !row.lsebPercent.isSuppressed
                : !row.othersSupported.isSuppressed || !row.othersPercent.isSuppressed
        }
    }

    // MARK: - Building blocks

    private mutating func count(_ key: String, _ label: String, _ value: Int, field: ImpactField?, isTotal: Bool = false) throws(DisclosureControlError) {
        try tables.count(id(key), label, value, isTotal: isTotal)
        if let field { fields[id(key)] = field }
    }

    /// `part ≤ whole`, when it holds.
    private mutating func atMost(_ part: String, _ whole: String) throws(DisclosureControlError) {
        guard let p = tables[id(part)], let w = tables[id(whole)], p.value <= w.value else { return }
        try tables.atMost(id(part), id(whole))
    }

    /// The same figure printed twice (or two figures a reader knows are equal), when they are.
    mutating func same(_ a: String, _ b: String) throws(DisclosureControlError) {
        try Self.same(id(a), id(b), in: &tables)
    }

    static func same(_ a: CellID, _ b: CellID, in tables: inout TableSet) throws(DisclosureControlError) {
        guard let x = tables[a], let y = tables[b], x.value == y.value else { return }
        try tables.relate(LinearRelation("\(x.label) = \(y.label)", terms: [Term(a, 1), Term(b, -1)]))
    }

    /// total = Σ parts where the values add up; where the parts can share students (one pupil,
    /// two funds), only what a reader knows whatever the overlap: each part at most the total,
    /// the total at most their sum; where they fall short, at least.
    private mutating func sum(_ total: String, _ parts: [String], sharedStudents: Bool = false, slack: Int = 0) throws(DisclosureControlError) {
        guard let whole = tables[id(total)] else { return }
        let present = parts.filter { tables[id($0)] != nil }
        guard !present.isEmpty else { return }
        let value = present.reduce(0) { $0 + (tables[id($1)]?.value ?? 0) }
        let terms = [Term(id(total), 1)] + present.map { Term(id($0), -1) }
        let name = "\(whole.label) = " + present.compactMap { tables[id($0)]?.label }.joined(separator: " + ")
        if sharedStudents {
            for part in present { try atMost(part, total) }
            guard whole.value <= value else { return }
            try tables.relate(LinearRelation(name + " (at most, rows can share students)", terms: terms, kind: .atMost))
        } else if value == whole.value {
            try tables.relate(LinearRelation(name, terms: terms))
        } else if abs(value - whole.value) <= slack {
            try tables.relate(LinearRelation(name + " (to within \(slack))", terms: terms, kind: .atMost, constant: slack))
            try tables.relate(LinearRelation(name + " (to within \(slack))", terms: terms.map { Term($0.cell, -$0.coefficient) }, kind: .atMost, constant: slack))
        } else if value > whole.value {
            try tables.relate(LinearRelation(name + " (at most)", terms: terms, kind: .atMost))
        } else {
            try tables.relate(LinearRelation(name + " (at least)", terms: terms.map { Term($0.cell, -$0.coefficient) }, kind: .atMost))
        }
    }

    // MARK: - Tables

    private mutating func addCounts(_ table: ImpactCountTable) throws(DisclosureControlError) {
        // Protected counts are taken after every other, the totals among them last: the order
        // breaks ties in complementary suppression.
        let totals = Set(table.relations.map(\.total)).intersection(table.protected)
        for key in table.order.filter({ !totals.contains($0) }) + table.order.filter(totals.contains) {
            try count("count.\(key)", table.labels[key] ?? key, table.counts[key] ?? 0, field: .count(key), isTotal: table.protected.contains(key))
        }
        for relation in table.relations {
            try sum("count.\(relation.total)", relation.parts.map { "count.\($0)" })
        }
        for (part, whole) in table.atMost { try atMost("count.\(part)", "count.\(whole)") }
    }

    private mutating func addSpend(_ spend: SpendAggregates) throws(DisclosureControlError) {
        func addRow(_ line: SpendLine, key: String, field: (ImpactField.SpendColumn) -> ImpactField, isTotal: Bool) throws(DisclosureControlError) {
            try count("\(key).students", "Spend, \(line.label), students", line.students, field: field(.students), isTotal: isTotal)
            try tables.sum(id("\(key).spend"), "Spend, \(line.label) (pence)", line.spend.pence, unit: "pence", over: id("\(key).students"), isTotal: isTotal)
            fields[id("\(key).spend")] = field(.spend)
        }
        try addRow(spend.total, key: "spend.all", field: { .spendTotal($0) }, isTotal: true)
        let sources = spend.byFundingSource.indices.map { "spend.source\($0)" }
        for (i, line) in spend.byFundingSource.enumerated() {
            try addRow(line, key: sources[i], field: { .spendBySource(i, $0) }, isTotal: false)
        }
        try sum("spend.all.students", sources.map { "\($0).students" }, sharedStudents: true)
        try sum("spend.all.spend", sources.map { "\($0).spend" })
        // The report prints spend by type only when there is more than one type.
        guard spend.byType.count > 1 else { return }
        let types = spend.byType.indices.map { "spend.type\($0)" }
        for (i, line) in spend.byType.enumerated() {
            try addRow(line, key: types[i], field: { .spendByType(i, $0) }, isTotal: false)
        }
        try sum("spend.all.students", types.map { "\($0).students" }, sharedStudents: true)
        try sum("spend.all.spend", types.map { "\($0).spend" })
    }

    /// Uptake of each kind of support among LSEB students and others: each share's count within
    /// its group, the students who did not take it as an unpublished group, any support against
    /// the kinds, and each kind's supported students against the spend table's.
    private mutating func addUptake(_ year: CostOfLivingAggregates, spend: SpendAggregates) throws(DisclosureControlError) {
        let rows = year.uptake.indices.map { "uptake\($0)" }
        for (i, row) in year.uptake.enumerated() {
            for (side, supported, total, group) in [
                (ImpactField.UptakeSide.lseb, row.lsebSupported, "count.lseb_students", "LSEB students"),
                (.others, row.othersSupported, "count.other_students", "other students"),
            ] {
                let key = "\(rows[i]).\(side == .lseb ? "lseb" : "others")"
                try count(key, "Uptake, \(row.label), \(group)", supported, field: .uptake(i, side))
                guard let whole = tables[id(total)], whole.value >= supported else { continue }
                let without = id("\(key).without")
                try tables.add(Cell(id: without, label: "Uptake, \(row.label), \(group) without it", value: whole.value - supported, visibility: .unpublished))
                try tables.partition(id(total), into: [id(key), without])
            }
        }
        if let any = year.uptake.firstIndex(where: { $0.type == nil }) {
            let kinds = rows.indices.filter { $0 != any }.map { rows[$0] }
            for side in ["lseb", "others"] {
                try sum("\(rows[any]).\(side)", kinds.map { "\($0).\(side)" }, sharedStudents: true)
            }
            try same("\(rows[any]).lseb", "count.supported_lseb")
            try sumOfSides("spend.all.students", rows[any])
        }
        guard spend.byType.count > 1 else { return }
        for (t, line) in spend.byType.enumerated() {
            guard let u = year.uptake.firstIndex(where: { $0.type?.rawValue == line.code }) else { continue }
            try sumOfSides("spend.type\(t).students", rows[u])
        }
    }

    /// Supported students of a kind = its LSEB + its other students, when they are.
    private mutating func sumOfSides(_ total: String, _ row: String) throws(DisclosureControlError) {
        guard let whole = tables[id(total)], let lseb = tables[id("\(row).lseb")], let others = tables[id("\(row).others")],
              whole.value == lseb.value + others.value else { return }
        try tables.partition(id(total), into: [id("\(row).lseb"), id("\(row).others")])
    }

    // MARK: - Protection

    /// Governors' and public shaping of `described`: primary suppression of every count under the
    /// threshold (zeros too, except `exemptZeros`), then complementary suppression across all the
    /// tables. Returns why each figure is withheld, keyed by cell; if the tables cannot be
    /// protected at all, every figure is withheld.
    static func withhold(_ tables: TableSet, threshold: Int, exemptZeros: Set<CellID> = []) -> [CellID: SuppressionReason] {
        var tables = tables
        var reasons: [CellID: SuppressionReason] = [:]
        for id in PrimarySuppression(threshold: threshold).apply(to: &tables, shownZeros: exemptZeros) {
            reasons[id] = .belowThreshold(threshold: threshold)
        }
        do {
            let protected = try ComplementarySuppression(auditor: DisclosureAuditor(threshold: threshold)).protect(tables)
            for cell in protected.tables.cells where cell.visibility == .suppressed && reasons[cell.id] == nil {
                reasons[cell.id] = .protectsSuppressedCell
            }
        } catch {
            for cell in tables.cells where cell.visibility == .published { reasons[cell.id] = .protectsSuppressedCell }
        }
        return reasons
    }
}
