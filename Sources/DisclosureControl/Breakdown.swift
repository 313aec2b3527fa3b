/// Views that can be subtracted from one another (docs/disclosure-control.md §7.7): the girls'
/// and the boys' views of one cohort add up to the whole but for the pupils of neither, and the
/// FSM view is part of the FSM Ever 6 view. Each view tied to the whole alone leaves those
/// differences unprotected; shaped together as one table set they are cells like any other.
///
/// A breakdown is every view of one dimension (every gender, every form group, the markers nested
/// with one another), each under its own prefix, with the whole cohort's true figures as known
/// constants. Its partitions say which views are disjoint parts of what: of the whole cohort
/// (`parent` nil) or of another view (FSM ⊂ FSM Ever 6). A partition that does not cover its
/// parent gets a cell for the pupils left over, unpublished and protected like a suppressed cell
/// when it is under the threshold [Duke-Williams and Rees 1998; Hundepool et al. 2012, ch. 4].
public struct BreakdownPartition: Sendable, Equatable {
    /// The view the parts are parts of, by index; nil for the whole cohort.
    public let parent: Int?
    /// Views that share no pupil, each within the parent.
    public let parts: [Int]
    /// Whether the parts hold every pupil of the parent: then nothing is left over, and the
    /// parts' figures add up to the parent's exactly.
    public let covers: Bool

    public init(parent: Int?, parts: [Int], covers: Bool) {
        self.parent = parent
        self.parts = parts
        self.covers = covers
    }
}

extension TableSet {
    /// The prefix of a view's cells in a breakdown.
    public static func viewPrefix(_ name: String) -> String { "in view \(name): " }

    /// The table set of a whole breakdown, shaped as one: every view's cells under
    /// `viewPrefix(name)` with their own relations, and for each partition and each figure (by
    /// `key`) parent = Σ parts + left over. Against the whole cohort (`parent` nil) a figure is tied
    /// as `tie(to:matching:threshold:)` ties it, and for the same reasons: a count of the whole
    /// under `threshold` and a sum the whole prints as 0 are left untied. A view without a figure
    /// the parent has counts as 0 for it (a reader sees no row). A figure whose parts add up to
    /// more than the parent's is no partition and is left untied.
    public static func breakdown(
        whole: TableSet, views: [(name: String, tables: TableSet)], partitions: [BreakdownPartition], matching key: (Cell) -> String,
        threshold: Int
    ) throws(DisclosureControlError) -> TableSet {
        var joint = TableSet()
        var index: [[String: CellID]] = []
        for view in views {
            let byKey = try joint.merge(view.tables, prefix: viewPrefix(view.name), name: view.name, matching: key)
            index.append(byKey)
        }
        var wholeByKey: [String: Cell] = [:]
        for cell in whole.cells where !cell.isRate { wholeByKey[key(cell)] = wholeByKey[key(cell)] ?? cell }
        for (p, partition) in partitions.enumerated() {
            let parentName = partition.parent.map { views[$0].name } ?? "the whole cohort"
            let name = "\(parentName) less \(partition.parts.map { views[$0].name }.joined(separator: ", "))"
            // The parent's figures, in its order, counts first so that a sum can name its group's left-over count.
            let parentCells: [(key: String, value: Int, cell: CellID?, isCount: Bool)] = {
                let source = partition.parent.map { views[$0].tables.cells } ?? whole.cells
                let ordered = source.filter(\.isCount) + source.filter { !$0.isCount && !$0.isRate }
                return ordered.map { cell in
                    (key(cell), cell.value, partition.parent.flatMap { index[$0][key(cell)] }, cell.isCount)
                }
            }()
            var leftOver: [String: CellID] = [:]
            var seen: Set<String> = []
            for figure in parentCells where seen.insert(figure.key).inserted {
                let parts = partition.parts.compactMap { index[$0][figure.key] }
                guard !parts.isEmpty, parts.allSatisfy({ joint[$0]?.isCount == figure.isCount }) else { continue }
                let partsTotal = parts.reduce(0) { $0 + (joint[$1]?.value ?? 0) }
                guard partsTotal <= figure.value else { continue }
                if partition.parent == nil {
                    if figure.isCount, figure.value < threshold { continue }
                    if !figure.isCount, figure.value == 0 { continue }
                    for part in parts { joint.contain(part, in: figure.value) }
                }
                // What the reader sets the parts against: the whole's known figure, or the parent view's cell.
                var terms = parts.map { Term($0, 1) }
                var constant = 0
                if let parentCell = figure.cell { terms.append(Term(parentCell, -1)) } else { constant = figure.value }
                let label = figure.cell.flatMap { joint[$0]?.label } ?? wholeByKey[figure.key]?.label ?? figure.key
                let onWhole = partition.parent == nil
                if partition.covers {
                    guard partsTotal == figure.value else { continue }
                    try joint.relate(LinearRelation("\(label) = the sum of its views", terms: terms, constant: constant, restsOnAnotherReport: onWhole))
                    continue
                }
                let group: CellID?
                if figure.isCount {
                    group = nil
                } else {
                    guard let partGroup = joint[parts[0]]?.group, let groupKey = joint[partGroup].map({ stripped($0, views: views) }),
                          let left = leftOver[key(groupKey)] else { continue }
                    group = left
                }
                let id = CellID(differencePrefix + "\(p) " + (figure.cell?.rawValue ?? parts[0].rawValue))
                try joint.add(Cell(id: id, label: "\(label), \(name)", value: figure.value - partsTotal,
                                   measure: figure.isCount ? .pupils : .sum(unit: unit(of: joint[parts[0]]), group: group),
                                   visibility: .unpublished))
                if partition.parent == nil { joint.contain(id, in: figure.value) }
                try joint.relate(LinearRelation(
                    "\(label): \(name) = the rest", terms: terms + [Term(id, 1)], constant: constant, restsOnAnotherReport: onWhole))
                leftOver[figure.key] = id
            }
        }
        return joint
    }

    private static func unit(of cell: Cell?) -> String {
        if case let .sum(unit, _)? = cell?.measure { unit } else { "" }
    }

    /// A view's cell as the view itself names it, so that `key` reads it as it reads the whole's.
    private static func stripped(_ cell: Cell, views: [(name: String, tables: TableSet)]) -> Cell {
        for view in views {
            let prefix = viewPrefix(view.name)
            if cell.id.rawValue.hasPrefix(prefix), let own = view.tables[CellID(String(cell.id.rawValue.dropFirst(prefix.count)))] { return own }
        }
        return cell
    }
}
