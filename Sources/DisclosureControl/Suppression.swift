/// Primary suppression: every count of pupils under the threshold is shown as `c`, zeros
/// included, and so is every sum over such a group (its sessions, its spend) and every rate of
/// such a sum
/// (docs/disclosure-control.md §7.1).
public struct PrimarySuppression: Sendable {
    /// 10: the anonymity threshold of the Social Mobility Commission's guidance and DfE's `c`.
    public let threshold: Int

    public init(threshold: Int = 10) { self.threshold = threshold }

    /// Suppresses the published figures that fall under the rule; returns them in table order.
    /// A zero in `shownZeros` stays shown: a count that is no group of pupils ("not yet known: 0").
    @discardableResult
    public func apply(to tables: inout TableSet, shownZeros: Set<CellID> = []) -> [CellID] {
        var suppressed: [CellID] = []
        for cell in tables.cells where cell.visibility == .published && isSmall(cell, in: tables) {
            if cell.value == 0, shownZeros.contains(cell.id) { continue }
            tables.setVisibility(.suppressed, of: cell.id)
            suppressed.append(cell.id)
        }
        tables.hideRatesOfHiddenNumerators(threshold: threshold)
        return suppressed
    }

    func isSmall(_ cell: Cell, in tables: TableSet) -> Bool {
        if cell.isCount { return cell.value < threshold }
        if cell.isRate { return false }
        guard let group = cell.group, let count = tables[group] else { return false }
        return count.value < threshold
    }
}

/// Tables made safe to publish: which figures complementary suppression hid, and the audit
/// that shows nothing hidden can be worked out.
public struct ProtectedTables: Sendable, Equatable {
    public let tables: TableSet
    /// The figures hidden in addition to the primary suppressions, in the order they were chosen.
    public let complementary: [CellID]
    /// The final audit; it always passes.
    public let audit: DisclosureAudit
}

/// Complementary (secondary) suppression: hides further published figures until the auditor
/// finds no suppressed figure that can be narrowed below its protection level
/// (docs/disclosure-control.md §7.5).
///
/// A greedy heuristic, not an optimum: while some suppressed figure is under-protected, take the
/// first such figure in table order and hide one published figure linked to it: the candidates are
/// those sharing a relation with it, then those linked to it through other hidden figures, nearest
/// first, and within each distance a detail before a total, a figure of the same kind (pupils, or
/// a sum) before another kind, the smallest value, the earliest in the table. It hides the first
/// candidate that widens the under-protected figure's interval; if none does on its own, the first
/// pair of near candidates that does (a support type and the one fund that pays for it must go
/// together); failing both, the nearest cheapest. Candidates are tried in sets (hiding more only
/// widens, so a set that does not widen holds no single figure that does), which finds the same
/// figure as trying them one by one in a fraction of the trials. A trial solves only the part of
/// the attacker's linear program that holds the figure, and a figure once found protected is not
/// audited again (hiding more only widens intervals). Each step hides one more figure, so it ends
/// after at most as many steps as there are figures; when nothing linked is left to hide it gives
/// up with `DisclosureControlError.cannotProtect`.
public struct ComplementarySuppression: Sendable {
    public let auditor: DisclosureAuditor
    /// Figures another report of the same audience already prints (a school's own governors'
    /// report beside its row in the trust's): hiding them here would protect nothing, so they are
    /// never chosen (docs/disclosure-control.md §7.7).
    public let keeping: Set<CellID>

    /// Candidates tried one at a time, and every pair: the plain search, kept so that a test can
    /// check that searching by sets chooses exactly the same figures.
    var triesOneByOne = false

    public init(auditor: DisclosureAuditor = DisclosureAuditor(), keeping: Set<CellID> = []) {
        self.auditor = auditor
        self.keeping = keeping
    }

    public func protect(_ tables: TableSet) throws(DisclosureControlError) -> ProtectedTables {
        var tables = tables
        var complementary: [CellID] = []
        var cleared: Set<CellID> = []
        let index = AttackerSystem.RelationIndex(tables)
        while true {
            guard let finding = try auditor.firstFinding(tables, cleared: &cleared) else {
                return ProtectedTables(tables: tables, complementary: complementary, audit: try auditor.audit(tables))
            }
            let layers = candidateLayers(for: finding.cell, in: tables)
            guard let cheapest = layers.first?.first else {
                throw .cannotProtect(label: finding.label, value: finding.value, interval: finding.interval.description)
            }
            let chosen = try firstWidening(layers, for: finding, in: tables, index: index) ?? [cheapest]
            for id in chosen { tables.setVisibility(.suppressed, of: id) }
            tables.hideRatesOfHiddenNumerators(threshold: auditor.threshold)
            complementary.append(contentsOf: chosen)
        }
    }

    /// The first candidate, in order, whose hiding widens the finding's interval; failing that,
    /// the first pair among the nearest candidates that does (a type and the single fund that pays
    /// for it can only be protected together).
    private func firstWidening(
        _ layers: [[CellID]], for finding: DisclosureFinding, in tables: TableSet, index: AttackerSystem.RelationIndex
    ) throws(DisclosureControlError) -> [CellID]? {
        func widens(_ ids: [CellID]) throws(DisclosureControlError) -> Bool {
            var trial = tables
            for id in ids { trial.setVisibility(.suppressed, of: id) }
            trial.hideRatesOfHiddenNumerators(threshold: auditor.threshold)
            let system = try AttackerSystem(trial, partOf: finding.cell, index: index, ownRelationsOnly: finding.againstOwnRelations)
            return isWider(try system.interval(of: finding.cell), than: finding.interval)
        }
        // The first candidate that widens on its own, found by testing sets: hiding more only
        // widens an interval, so when hiding a whole set does not widen it, no one figure of the
        // set does. The same candidate as trying them one by one, in far fewer trials.
        func firstAlone(_ candidates: ArraySlice<CellID>) throws(DisclosureControlError) -> CellID? {
            guard let first = candidates.first else { return nil }
            if candidates.count == 1 { return try widens([first]) ? first : nil }
            guard try widens(Array(candidates)) else { return nil }
            let middle = candidates.startIndex + candidates.count / 2
            if let found = try firstAlone(candidates[..<middle]) { return found }
            return try firstAlone(candidates[middle...])
        }
        if triesOneByOne {
            for candidate in layers.joined() where try widens([candidate]) { return [candidate] }
        } else if let candidate = try firstAlone(ArraySlice(layers.joined())) {
            return [candidate]
        }
        let nearest = Array(layers.prefix(2).joined().prefix(Self.pairSearchLimit))
        // No pair can widen where hiding all of them does not.
        guard nearest.count >= 2 else { return nil }
        if !triesOneByOne, !(try widens(nearest)) { return nil }
        for (i, first) in nearest.enumerated() {
            for second in nearest[(i + 1)...] {
                if try widens([first, second]) { return [first, second] }
            }
        }
        return nil
    }

    /// How many of the nearest candidates the pair search combines (at most 66 pairs a step).
    static let pairSearchLimit = 12

    private func isWider(_ new: FeasibleInterval, than old: FeasibleInterval) -> Bool {
        guard let newWidth = new.width else { return old.width != nil }
        guard let oldWidth = old.width else { return false }
        return newWidth > oldWidth
    }

    /// Published figures that could protect `target`, in layers: those sharing a relation with
    /// it, then those sharing a relation with a hidden figure linked to it, and so on outwards;
    /// each layer cheapest first.
    func candidateLayers(for target: CellID, in tables: TableSet) -> [[CellID]] {
        guard let targetCell = tables[target] else { return [] }
        var reached: Set<CellID> = [target]
        var offered: Set<CellID> = []
        var frontier: [CellID] = [target]
        var usedRelations = Set<Int>()
        var layers: [[CellID]] = []
        while !frontier.isEmpty {
            var published: Set<CellID> = []
            var nextFrontier: [CellID] = []
            let frontierSet = Set(frontier)
            for (index, relation) in tables.relations.enumerated() where !usedRelations.contains(index) {
                guard relation.terms.contains(where: { frontierSet.contains($0.cell) }) else { continue }
                usedRelations.insert(index)
                for term in relation.terms {
                    guard let cell = tables[term.cell] else { continue }
                    if cell.visibility == .published {
                        if !offered.contains(term.cell), !keeping.contains(term.cell) { published.insert(term.cell) }
                    } else if !reached.contains(term.cell) {
                        reached.insert(term.cell)
                        nextFrontier.append(term.cell)
                    }
                }
            }
            if !published.isEmpty {
                offered.formUnion(published)
                layers.append(published.sorted { cost(of: $0, for: targetCell, in: tables) < cost(of: $1, for: targetCell, in: tables) })
            }
            frontier = nextFrontier
        }
        return layers
    }

    private struct Cost: Comparable {
        let isTotal: Int
        let otherKind: Int
        let value: Int
        let position: Int

        static func < (lhs: Cost, rhs: Cost) -> Bool {
            (lhs.isTotal, lhs.otherKind, lhs.value, lhs.position) < (rhs.isTotal, rhs.otherKind, rhs.value, rhs.position)
        }
    }

    private func cost(of id: CellID, for target: Cell, in tables: TableSet) -> Cost {
        let cell = tables[id]!
        return Cost(
            isTotal: cell.isTotal ? 1 : 0,
            otherKind: cell.isCount == target.isCount ? 0 : 1,
            value: cell.value,
            position: tables.position(of: id) ?? Int.max
        )
    }
}
