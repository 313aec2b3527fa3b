import DisjointSets

/// The values a figure can take consistent with everything published: [lower, upper], in whole
/// numbers; `upper` nil when nothing published limits it from above.
public struct FeasibleInterval: Sendable, Equatable, CustomStringConvertible {
    public let lower: Int
    public let upper: Int?

    public init(lower: Int, upper: Int?) {
        self.lower = lower
        self.upper = upper
    }

    /// upper − lower; nil when unbounded.
    public var width: Int? { upper.map { $0 - lower } }

    public var description: String { "[\(lower), \(upper.map(String.init) ?? "no upper limit")]" }
}

/// What the auditor found wrong with one suppressed (or unpublished small) figure.
public struct DisclosureFinding: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The figure can be worked out exactly from what is published.
        case recoveredExactly
        /// The figure can be worked out to be zero: "no pupil in this group did X".
        case zeroInferable
        /// The figure is pinned to a range narrower than the protection level.
        case intervalTooNarrow
    }

    public let cell: CellID
    public let label: String
    public let value: Int
    public let interval: FeasibleInterval
    public let kind: Kind
    /// The protection level the interval fell short of, in words.
    public let required: String
    /// Whether the interval is the one this report's own figures and relations give, without the
    /// linked report's (`LinkedBaseline`): complementary suppression then widens that one.
    var againstOwnRelations = false

    public var description: String {
        switch kind {
        case .recoveredExactly:
            "\(label) (\(value)) can be worked out exactly from the published figures"
        case .zeroInferable:
            "\(label) can be worked out to be 0 from the published figures"
        case .intervalTooNarrow:
            "\(label) (\(value)) can be narrowed to \(interval) from the published figures; it must stay \(required)"
        }
    }
}

/// One hidden figure and the values a reader can narrow it to.
public struct ProtectedFigure: Sendable, Equatable {
    public let cell: CellID
    public let label: String
    public let value: Int
    public let interval: FeasibleInterval
}

/// The audit of one table set: the interval of every protected figure, and what failed.
public struct DisclosureAudit: Sendable, Equatable {
    /// Every suppressed figure, and every unpublished count under the threshold, in table order.
    /// Findings are raised only for the sensitive ones (docs/disclosure-control.md §7.3).
    public let figures: [ProtectedFigure]
    public let findings: [DisclosureFinding]

    public var passes: Bool { findings.isEmpty }

    public func interval(of cell: CellID) -> FeasibleInterval? {
        figures.first { $0.cell == cell }?.interval
    }
}

/// The attacker: for every suppressed figure, the smallest and largest value consistent with
/// everything published and every relation, by two linear programs (docs/disclosure-control.md §7.4).
///
/// The linear program is the relaxation of the integer problem, so its interval contains every
/// whole-number solution; it is rounded inward to whole numbers. Where the relations are those of
/// partitions and two-way tables the two coincide; elsewhere the audit may credit a figure with a
/// little more protection than an attacker who enumerates whole numbers would grant it (docs/disclosure-control.md §7.4).
public struct DisclosureAuditor: Sendable {
    public let protection: ProtectionLevel
    /// Unpublished counts below this are protected like suppressed ones: the overlap of two
    /// published groups is a group too.
    public let threshold: Int

    public init(protection: ProtectionLevel = .standard, threshold: Int = 10) {
        self.protection = protection
        self.threshold = threshold
    }

    /// The figures the audit reports an interval for: those shown as `c`, unpublished counts
    /// under the threshold, and the sums of the pupils a filtered view leaves out when they are
    /// under it (`TableSet.tie(to:matching:threshold:)`).
    func isAudited(_ cell: Cell, in tables: TableSet) -> Bool {
        if cell.isRate { return false }
        return switch cell.visibility {
        case .published: false
        case .suppressed: true
        case .unpublished:
            cell.isCount ? cell.value < threshold
                : TableSet.isLinked(cell.id) && PrimarySuppression(threshold: threshold).isSmall(cell, in: tables)
        }
    }

    /// The figures that must keep their protection level: the sensitive ones, which the primary
    /// rule hides (a count under the threshold, a sum over such a group). A figure hidden only to
    /// protect another needs no protection of its own; protection levels attach to sensitive cells
    /// (docs/disclosure-control.md §7.3).
    func isSensitive(_ cell: Cell, in tables: TableSet) -> Bool {
        PrimarySuppression(threshold: threshold).isSmall(cell, in: tables)
    }

    public func audit(_ tables: TableSet) throws(DisclosureControlError) -> DisclosureAudit {
        let system = try AttackerSystem(tables)
        var linked = LinkedBaseline(tables, auditor: self)
        var figures: [ProtectedFigure] = []
        var findings: [DisclosureFinding] = []
        for cell in tables.cells where isAudited(cell, in: tables) {
            let interval = try system.interval(of: cell.id)
            figures.append(ProtectedFigure(cell: cell.id, label: cell.label, value: cell.value, interval: interval))
            if isSensitive(cell, in: tables), let found = check(cell, interval), let finding = try linked.standing(found) { findings.append(finding) }
        }
        return DisclosureAudit(figures: figures, findings: findings)
    }

    /// The first finding in table order, without computing the rest: what complementary
    /// suppression needs at each step.
    ///
    /// Hiding a figure only takes from what a reader knows, so a figure that passed stays passed
    /// whatever is hidden after: those in `cleared` are not solved again, and those found to pass
    /// are added to it.
    func firstFinding(_ tables: TableSet, cleared: inout Set<CellID>) throws(DisclosureControlError) -> DisclosureFinding? {
        let system = try AttackerSystem(tables)
        var linked = LinkedBaseline(tables, auditor: self)
        for cell in tables.cells where !cleared.contains(cell.id) && isAudited(cell, in: tables) && isSensitive(cell, in: tables) {
            if let found = check(cell, try system.interval(of: cell.id)), let finding = try linked.standing(found) { return finding }
            cleared.insert(cell.id)
        }
        return nil
    }

    /// The hidden figures beside `known` (figures every reader has whatever this report prints:
    /// zeros by a view's definition, another report's printed figures) that those figures and the
    /// relations alone pin to one value, with every other figure of the report withheld. No
    /// pattern of `c` can protect them and showing them tells a reader nothing, so the shaping
    /// shows them (docs/disclosure-control.md §7.5). Only figures that share a relation with a
    /// known one are tried, each by its own part of the linear program: a figure the relations
    /// pin without any known figure is found when complementary suppression fails. Only this
    /// report's own relations count: a linked report's true figures are what the auditor grants
    /// its strongest reader, not what every reader has (that report may withhold them), so a
    /// figure pinned only through them is protected as usual (a view's 4 pupils with an EHC plan
    /// are the whole cohort's 4 less the 0 of `sen=none`, but the whole report withholds its 4).
    public func fixedByKnown(_ tables: TableSet, known: Set<CellID>) throws(DisclosureControlError) -> Set<CellID> {
        guard !known.isEmpty else { return [] }
        var candidates: Set<CellID> = []
        for relation in tables.relations where relation.terms.contains(where: { known.contains($0.cell) }) {
            for term in relation.terms where !known.contains(term.cell) {
                if let cell = tables[term.cell], isAudited(cell, in: tables), isSensitive(cell, in: tables) { candidates.insert(term.cell) }
            }
        }
        guard !candidates.isEmpty else { return [] }
        var withheld = tables
        for cell in tables.cells where cell.visibility == .published && !known.contains(cell.id) { withheld.setVisibility(.suppressed, of: cell.id) }
        let index = AttackerSystem.RelationIndex(withheld)
        var pinned: Set<CellID> = []
        for id in candidates {
            let interval = try AttackerSystem(withheld, partOf: id, index: index, ownRelationsOnly: true).interval(of: id)
            if interval.upper == interval.lower { pinned.insert(id) }
        }
        return pinned
    }

    /// What the linked reports (a filtered view's whole cohort, a whole school's year groups, the
    /// whole cohort under a breakdown of views) disclose of a figure on their own: its interval
    /// with every figure of this report withheld. A report is not blamed for that: a figure no
    /// narrower than it is excused (docs/disclosure-control.md §7.7). Tables that rest on no other
    /// report excuse nothing.
    ///
    /// The excuse covers only what the other report adds: the figure must still be protected
    /// against a reader of this report's own figures and relations alone. Otherwise a report could
    /// print a bound (a group of at most 6) that the other report's true figures happen to imply
    /// but its readers never see.
    struct LinkedBaseline {
        let tables: TableSet
        let auditor: DisclosureAuditor
        var system: AttackerSystem?
        var own: AttackerSystem?

        init(_ tables: TableSet, auditor: DisclosureAuditor) {
            self.tables = tables
            self.auditor = auditor
        }

        /// The finding that stands: nil when excused; the finding itself when the other report does
        /// not account for it; when it does, what this report's own figures still give away, if anything.
        mutating func standing(_ finding: DisclosureFinding) throws(DisclosureControlError) -> DisclosureFinding? {
            guard tables.restsOnAnotherReport, let cell = tables[finding.cell] else { return finding }
            if system == nil {
                var withheld = tables
                for cell in tables.cells where cell.visibility == .published && !TableSet.isLinked(cell.id) {
                    withheld.setVisibility(.suppressed, of: cell.id)
                }
                system = try AttackerSystem(withheld)
            }
            let alone = try system!.interval(of: finding.cell)
            let upperCovered = switch (finding.interval.upper, alone.upper) {
            case (nil, _): true
            case (_, nil): false
            case let (upper?, aloneUpper?): upper >= aloneUpper
            }
            guard finding.interval.lower <= alone.lower && upperCovered else { return finding }
            if own == nil { own = try AttackerSystem(tables, ownRelationsOnly: true) }
            guard var ownFinding = auditor.check(cell, try own!.interval(of: finding.cell)) else { return nil }
            ownFinding.againstOwnRelations = true
            return ownFinding
        }
    }

    func check(_ cell: Cell, _ interval: FeasibleInterval) -> DisclosureFinding? {
        let requirement = protection.requirement(for: cell)
        let kind: DisclosureFinding.Kind
        if interval.upper == interval.lower {
            kind = interval.lower == 0 ? .zeroInferable : .recoveredExactly
        } else if !requirement.isMet(by: interval) {
            kind = .intervalTooNarrow
        } else {
            return nil
        }
        return DisclosureFinding(
            cell: cell.id, label: cell.label, value: cell.value, interval: interval, kind: kind, required: requirement.description
        )
    }
}

/// The linear program an attacker can set up: one variable per figure not published, published
/// figures substituted as constants.
///
/// Relations that share no hidden figure do not constrain one another, so the program falls apart
/// into independent parts (a linked breakdown of several views is mostly such parts); each is
/// solved on its own, when a figure of it is first asked about. A figure's range in its part is
/// its range in the whole program, since the feasible region is the product of the parts'.
struct AttackerSystem {
    private struct Row {
        var coefficients: [Int: Double]
        var kind: LinearProgram.RowKind
        var constant: Double
    }

    /// Each hidden figure's part and its index there.
    private let place: [CellID: (part: Int, index: Int)]
    private let programs: [LinearProgram]
    private let regions: RegionCache

    /// Solved parts, kept between the figures of one audit.
    private final class RegionCache {
        var regions: [Int: FeasibleRegion] = [:]
    }

    /// The relations each figure appears in, by index into `TableSet.relations`: built once for a
    /// table set whose relations stay fixed while its figures are hidden one by one.
    struct RelationIndex {
        let relationsOf: [CellID: [Int]]

        init(_ tables: TableSet) {
            var relationsOf: [CellID: [Int]] = [:]
            for (index, relation) in tables.relations.enumerated() {
                for term in relation.terms where relationsOf[term.cell]?.last != index { relationsOf[term.cell, default: []].append(index) }
            }
            self.relationsOf = relationsOf
        }
    }

    /// The system of every figure not published; with `ownRelationsOnly`, without the relations
    /// that tie the report to another's figures (what a reader of this report alone can do).
    init(_ tables: TableSet, ownRelationsOnly: Bool = false) throws(DisclosureControlError) {
        try self.init(
            tables, hidden: tables.cells.filter { $0.visibility != .published && !$0.isRate },
            relations: tables.relations.indices.filter { !ownRelationsOnly || !tables.relations[$0].restsOnAnotherReport })
    }

    /// Only the part that holds `cell`: the hidden figures reached from it through relations that
    /// share a hidden figure. The other parts do not bear on its range, so a complementary
    /// suppression trying one candidate after another solves only this (docs/disclosure-control.md §7.5).
    init(_ tables: TableSet, partOf cell: CellID, index: RelationIndex, ownRelationsOnly: Bool = false) throws(DisclosureControlError) {
        func isHidden(_ id: CellID) -> Bool {
            guard let cell = tables[id] else { return false }
            return cell.visibility != .published && !cell.isRate
        }
        var reached: Set<CellID> = [cell]
        var frontier: [CellID] = [cell]
        var seen: Set<Int> = []
        var relations: Set<Int> = []
        while let next = frontier.popLast() {
            for r in index.relationsOf[next] ?? [] where seen.insert(r).inserted {
                let relation = tables.relations[r]
                if ownRelationsOnly, relation.restsOnAnotherReport { continue }
                if let figure = relation.knownWhilePublished, tables[figure]?.visibility != .published { continue }
                relations.insert(r)
                for term in relation.terms where isHidden(term.cell) && reached.insert(term.cell).inserted { frontier.append(term.cell) }
            }
        }
        try self.init(tables, hidden: tables.cells.filter { reached.contains($0.id) && isHidden($0.id) }, relations: relations.sorted())
    }

    private init(_ tables: TableSet, hidden order: [Cell], relations: some Sequence<Int>) throws(DisclosureControlError) {
        var variables: [CellID: Int] = [:]
        for (j, cell) in order.enumerated() { variables[cell.id] = j }
        var rows: [Row] = []
        for relationIndex in relations {
            let relation = tables.relations[relationIndex]
            if let figure = relation.knownWhilePublished, tables[figure]?.visibility != .published { continue }
            var coefficients: [Int: Double] = [:]
            var constant = Double(relation.constant)
            for term in relation.terms {
                if let j = variables[term.cell] {
                    coefficients[j, default: 0] += Double(term.coefficient)
                } else if let cell = tables[term.cell] {
                    constant -= Double(term.coefficient * cell.value)
                }
            }
            guard !coefficients.isEmpty else { continue }
            rows.append(Row(coefficients: coefficients, kind: relation.kind == .equal ? .equal : .atMost, constant: constant))
        }
        for (j, cell) in order.enumerated() {
            guard let maximum = cell.knownMaximum else { continue }
            rows.append(Row(coefficients: [j: 1], kind: .atMost, constant: Double(maximum)))
        }
        // Parts: hidden figures joined by a relation they share.
        var sets = DisjointSets(count: order.count)
        func root(_ j: Int) -> Int { sets.root(of: j) }
        for row in rows {
            let members = row.coefficients.keys.sorted()
            for other in members.dropFirst() { sets.join(other, into: members[0]) }
        }
        var partOfRoot: [Int: Int] = [:]
        var members: [[Int]] = []
        var place: [CellID: (part: Int, index: Int)] = [:]
        for (j, cell) in order.enumerated() {
            let r = root(j)
            let part = partOfRoot[r] ?? {
                partOfRoot[r] = members.count
                members.append([])
                return members.count - 1
            }()
            place[cell.id] = (part, members[part].count)
            members[part].append(j)
        }
        var programs = members.map { LinearProgram(variableCount: $0.count) }
        for row in rows {
            guard let first = row.coefficients.keys.first else { continue }
            let part = partOfRoot[root(first)]!
            var coefficients = [Double](repeating: 0, count: members[part].count)
            for (j, value) in row.coefficients { coefficients[place[order[j].id]!.index] += value }
            programs[part].add(coefficients, row.kind, row.constant)
        }
        self.place = place
        self.programs = programs
        self.regions = RegionCache()
    }

    func interval(of cell: CellID) throws(DisclosureControlError) -> FeasibleInterval {
        guard let (part, j) = place[cell] else { preconditionFailure("\(cell) is published") }
        let region: FeasibleRegion
        if let solved = regions.regions[part] {
            region = solved
        } else {
            guard let solved = try FeasibleRegion(programs[part]) else {
                throw .relationDoesNotHold("the published figures and relations have no solution")
            }
            regions.regions[part] = solved
            region = solved
        }
        let (lower, upper) = try region.range(of: j)
        // Inward to whole numbers, allowing for rounding error in the solve.
        let slack = 1e-6 * max(1, abs(lower), abs(upper ?? 0))
        let low = Int((lower - slack).rounded(.up))
        let high = upper.map { Int(($0 + slack).rounded(.down)) }
        return FeasibleInterval(lower: max(0, low), upper: high.map { max(max(0, low), $0) })
    }
}
