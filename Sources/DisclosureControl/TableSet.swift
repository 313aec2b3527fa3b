/// Everything a report publishes, as figures and the relations a reader knows between them.
///
/// A report describes its tables here in a few lines (a partition, a union, a two-way table), then
/// hands the set to `PrimarySuppression`, `ComplementarySuppression` and `DisclosureAuditor`
/// (docs/disclosure-control.md §7.2). Cells keep the order they were added in; every choice the
/// suppression makes follows that order, so the same tables give the same output.
public struct TableSet: Sendable, Equatable {
    public private(set) var cells: [Cell] = []
    public private(set) var relations: [LinearRelation] = []
    private var positions: [CellID: Int] = [:]

    public init() {}

    /// Whether some relations rest on another report's figures (a view tied to its whole cohort's,
    /// a whole school to its year groups', a breakdown to the whole cohort's): what that report
    /// discloses alone is not this one's to protect (`DisclosureAuditor.LinkedBaseline`).
    public var restsOnAnotherReport: Bool { relations.contains(where: \.restsOnAnotherReport) }

    public subscript(id: CellID) -> Cell? {
        positions[id].map { cells[$0] }
    }

    /// The figures shown as `c`.
    public var suppressed: [CellID] { cells.filter { $0.visibility == .suppressed }.map(\.id) }

    func position(of id: CellID) -> Int? { positions[id] }

    // MARK: Figures

    /// Adds a figure; its name must be new and its value at least 0.
    public mutating func add(_ cell: Cell) throws(DisclosureControlError) {
        guard positions[cell.id] == nil else { throw .duplicateCell(cell.id) }
        guard cell.value >= 0 else { throw .negativeValue(label: cell.label, value: cell.value) }
        if let maximum = cell.knownMaximum, cell.value > maximum {
            throw .aboveKnownMaximum(label: cell.label, value: cell.value, maximum: maximum)
        }
        if let group = cell.group, positions[group] == nil {
            throw .unknownCell(group, usedIn: "the sum \(cell.label)")
        }
        positions[cell.id] = cells.count
        cells.append(cell)
    }

    /// Adds a published count of pupils.
    public mutating func count(
        _ id: CellID, _ label: String, _ value: Int, isTotal: Bool = false, knownMaximum: Int? = nil
    ) throws(DisclosureControlError) {
        try add(Cell(id: id, label: label, value: value, isTotal: isTotal, knownMaximum: knownMaximum))
    }

    /// Adds a published sum (sessions, pounds) over the pupils counted by `group`.
    public mutating func sum(
        _ id: CellID, _ label: String, _ value: Int, unit: String, over group: CellID?, isTotal: Bool = false
    ) throws(DisclosureControlError) {
        try add(Cell(id: id, label: label, value: value, measure: .sum(unit: unit, group: group), isTotal: isTotal))
    }

    /// Records that a figure is part of a figure of `value` printed elsewhere (`Cell.containedIn`).
    mutating func contain(_ id: CellID, in value: Int) {
        guard let position = positions[id], cells[position].value <= value else { return }
        cells[position].containedIn = min(cells[position].containedIn ?? value, value)
    }

    /// Records that every reader knows a figure is at most `value`, whatever is printed: a group
    /// empty by a view's definition is at most 0 even where the figure itself is withheld (as the
    /// auditor withholds every figure of a report to see what a linked report discloses alone).
    public mutating func bound(_ id: CellID, atMost value: Int) {
        guard let position = positions[id], cells[position].value <= value else { return }
        cells[position].knownMaximum = min(cells[position].knownMaximum ?? value, value)
    }

    /// Sets how a figure is shown; returns false if there is no such figure.
    @discardableResult
    public mutating func setVisibility(_ visibility: Visibility, of id: CellID) -> Bool {
        guard let position = positions[id] else { return false }
        cells[position].visibility = visibility
        return true
    }

    // MARK: Relations

    /// Adds a relation; every figure it names must already be in the set, and the true values
    /// must satisfy it.
    public mutating func relate(_ relation: LinearRelation) throws(DisclosureControlError) {
        for term in relation.terms where positions[term.cell] == nil {
            throw .unknownCell(term.cell, usedIn: relation.name)
        }
        var values: [CellID: Int] = [:]
        for term in relation.terms { values[term.cell] = self[term.cell]?.value }
        guard relation.holds(for: values) else { throw .relationDoesNotHold(relation.name) }
        relations.append(relation)
    }

    /// total = Σ parts: a group split into groups that do not overlap (Whole = Disadvantaged +
    /// Others), or a total split by type (spend = Σ support types).
    public mutating func partition(_ total: CellID, into parts: [CellID]) throws(DisclosureControlError) {
        try relate(.sum("\(label(total)) = \(parts.map(label).joined(separator: " + "))", total: total, parts: parts))
    }

    /// union = a + b − overlap: a group made of two that can overlap (Disadvantaged = FSM Ever 6
    /// ∪ looked after). The overlap is a figure of its own, usually unpublished; add it first.
    public mutating func union(_ union: CellID, of first: CellID, _ second: CellID, overlap: CellID) throws(DisclosureControlError) {
        try relate(LinearRelation(
            "\(label(union)) = \(label(first)) ∪ \(label(second))",
            terms: [Term(union, 1), Term(first, -1), Term(second, -1), Term(overlap, 1)]
        ))
        // The overlap is in both groups, so it is no larger than either.
        try relate(LinearRelation("\(label(overlap)) ≤ \(label(first))", terms: [Term(overlap, 1), Term(first, -1)], kind: .atMost))
        try relate(LinearRelation("\(label(overlap)) ≤ \(label(second))", terms: [Term(overlap, 1), Term(second, -1)], kind: .atMost))
    }

    /// A two-way table: `inner[r][c]`, with `rowTotals[r] = Σ_c inner[r][c]`,
    /// `columnTotals[c] = Σ_r inner[r][c]` and `grandTotal` the sum of either margin.
    /// A combination known to be empty (a fund that never pays for a type) is left out by giving
    /// `nil`: the reader knows it is zero.
    public mutating func twoWayTable(
        inner: [[CellID?]], rowTotals: [CellID], columnTotals: [CellID], grandTotal: CellID?
    ) throws(DisclosureControlError) {
        for (row, total) in zip(inner, rowTotals) {
            try partition(total, into: row.compactMap { $0 })
        }
        for (column, total) in columnTotals.enumerated() {
            try partition(total, into: inner.compactMap { column < $0.count ? $0[column] : nil })
        }
        if let grandTotal {
            try partition(grandTotal, into: rowTotals)
            try partition(grandTotal, into: columnTotals)
        }
    }

    /// part ≤ whole: a group is no larger than its cohort, a group's sessions no more than its
    /// possible sessions.
    public mutating func atMost(_ part: CellID, _ whole: CellID) throws(DisclosureControlError) {
        try relate(LinearRelation("\(label(part)) ≤ \(label(whole))", terms: [Term(part, 1), Term(whole, -1)], kind: .atMost))
    }

    /// A percentage `numerator / denominator × 100`, printed to `decimals` places (an absence
    /// rate behind which are absent and possible sessions). While it is printed the reader knows
    /// the ratio to within half a unit of the last place, which pins the numerator when the
    /// denominator is known. Written with whole-number coefficients: with k = percent × 10^d and
    /// S = 200 × 10^d, (2k − 1) × denominator ≤ S × numerator ≤ (2k + 1) × denominator.
    /// Suppression hides the rate whenever it hides the numerator, or the numerator is an unprinted
    /// small group (docs/disclosure-control.md §7.2).
    public mutating func rate(
        _ id: CellID, _ label: String, numerator: CellID, denominator: CellID, percent: Double, decimals: Int
    ) throws(DisclosureControlError) {
        guard decimals >= 0, decimals <= 4, percent >= 0, percent.isFinite else {
            throw .invalidRate("\(label) is \(percent)% to \(decimals) decimal places")
        }
        for part in [numerator, denominator] where positions[part] == nil {
            throw .unknownCell(part, usedIn: label)
        }
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let k = Int((percent * Double(scale)).rounded())
        let s = 200 * scale
        try add(Cell(id: id, label: label, value: k, measure: .rate(numerator: numerator, denominator: denominator, decimals: decimals)))
        let name = "\(label) printed as \(percent)%"
        try relate(LinearRelation(
            name + " (at most)", terms: [Term(numerator, s), Term(denominator, -(2 * k + 1))], kind: .atMost, knownWhilePublished: id
        ))
        try relate(LinearRelation(
            name + " (at least)", terms: [Term(numerator, -s), Term(denominator, 2 * k - 1)], kind: .atMost, knownWhilePublished: id
        ))
    }

    /// Hides every printed rate whose numerator is protected: a rate and its denominator would
    /// give the numerator back. A numerator is protected when it is shown as `c`, or when it is
    /// printed nowhere but is itself a small group (or a sum over one) that the rate would reveal.
    /// A numerator that is simply a column the table does not print (students who continued,
    /// beside a printed continuation rate) leaves its rate printed: the rate's relation tells the
    /// auditor what the reader learns of it (docs/disclosure-control.md §7.2).
    mutating func hideRatesOfHiddenNumerators(threshold: Int) {
        let primary = PrimarySuppression(threshold: threshold)
        for cell in cells where cell.visibility == .published {
            guard case let .rate(numerator, _, _) = cell.measure, let hidden = self[numerator] else { continue }
            switch hidden.visibility {
            case .published: continue
            case .suppressed: setVisibility(.suppressed, of: cell.id)
            case .unpublished: if primary.isSmall(hidden, in: self) { setVisibility(.suppressed, of: cell.id) }
            }
        }
    }

    func label(_ id: CellID) -> String { self[id]?.label ?? id.rawValue }
}
