/// Differencing between two publications of the same data (docs/disclosure-control.md §7.7).
///
/// A view of part of a cohort (a `--filter` view: the girls, one form group) is published beside
/// the report of the whole cohort. Each figure of the view, subtracted from the same figure of the
/// whole, gives the same figure for the pupils the view leaves out; when they are few, the two
/// reports together disclose them even though each passes the audit alone. Statistical agencies
/// treat this as disclosure by differencing and protect the difference as if it were published
/// as a cell of its own [Hundepool et al. 2012, ch. 4 and 5; ONS disclosure control policy].
extension TableSet {
    /// The prefix of the cells `tie(to:matching:threshold:)` adds.
    public static let differencePrefix = "outside view: "

    /// Ties every count and sum of this view to the same figure of `reference` (the report of the
    /// whole data, whose true values the reader is assumed to know — the strongest reader, whatever
    /// the reference itself withholds): for each pair an unpublished cell for the pupils outside
    /// the view, with view + outside = reference. An outside count under the threshold, and a sum
    /// over one, is then protected like a suppressed cell, so complementary suppression in the view
    /// withholds what would give it away. `key` names a figure the same way in both sets (a
    /// label). A figure of the view larger than the reference's is not a part of it and is left
    /// untied; so is a count of the whole under `threshold` (and a sum over one): the whole report
    /// withholds it itself, and a reader who knew it could never be kept from a range narrower
    /// than it; and a sum the whole prints as 0. Both figures of a pair are known to be at most
    /// the whole's, which caps the protection a sum can be asked for (`ProtectionLevel`).
    /// Returns the cells added.
    @discardableResult
    public mutating func tie(to reference: TableSet, matching key: (Cell) -> String, threshold: Int) throws(DisclosureControlError) -> [CellID] {
        var referenceByKey: [String: Cell] = [:]
        for cell in reference.cells where !cell.isRate { referenceByKey[key(cell)] = referenceByKey[key(cell)] ?? cell }
        var outside: [CellID: CellID] = [:]
        var added: [CellID] = []
        // Counts first, so that a sum can name its group's outside count.
        let ordered = cells.filter(\.isCount) + cells.filter { !$0.isCount && !$0.isRate }
        for cell in ordered {
            guard let whole = referenceByKey[key(cell)], whole.isCount == cell.isCount, whole.value >= cell.value else { continue }
            if cell.isCount, whole.value < threshold { continue }
            // A sum the whole prints as 0 tells the reader the view's is 0 too, whatever the view prints.
            if !cell.isCount, whole.value == 0 { continue }
            if let group = cell.group, outside[group] == nil { continue }
            let id = CellID(Self.differencePrefix + cell.id.rawValue)
            let measure: Measure = switch cell.measure {
            case .sum(let unit, let group): .sum(unit: unit, group: group.flatMap { outside[$0] })
            default: cell.measure
            }
            try add(Cell(id: id, label: "\(cell.label), outside the view", value: whole.value - cell.value, measure: measure,
                         visibility: .unpublished))
            contain(id, in: whole.value)
            contain(cell.id, in: whole.value)
            try relate(LinearRelation(
                "\(cell.label) + outside the view = the whole report's \(whole.value)", terms: [Term(cell.id, 1), Term(id, 1)],
                constant: whole.value, restsOnAnotherReport: true))
            outside[cell.id] = id
            added.append(id)
        }
        return added
    }
}

extension TableSet {
    /// The prefix of a part's cells merged by `tie(toParts:matching:)`.
    public static func partPrefix(_ name: String) -> String { "in part \(name): " }

    /// Whether a cell was merged from a part (`tie(toParts:matching:)`), not this report's own.
    public static func isFromPart(_ id: CellID) -> Bool { id.rawValue.hasPrefix("in part ") }

    /// Whether a cell was added to describe another report (`tie(to:…)`, `tie(toParts:…)`).
    static func isLinked(_ id: CellID) -> Bool {
        id.rawValue.hasPrefix(differencePrefix) || isFromPart(id)
    }

    /// Ties this report (a whole school, a key stage) to its parts' own reports (each year
    /// group's), as their readers see them: every cell and relation of each part is merged under
    /// `partPrefix(name)`, printed where the part prints it and withheld where it withholds it,
    /// and each figure of this report that is exactly the sum of the same figure (by `key`) of
    /// every part is tied to them. Returns the parts' printed cells: complementary suppression here
    /// must not choose them (`ComplementarySuppression.keeping`), since the parts print them
    /// whatever this report does, so the whole report takes the suppression (docs/disclosure-control.md §7.7).
    public mutating func tie(
        toParts parts: [(name: String, tables: TableSet)], matching key: (Cell) -> String
    ) throws(DisclosureControlError) -> Set<CellID> {
        guard !parts.isEmpty else { return [] }
        var keeping: Set<CellID> = []
        var byKey: [[String: CellID]] = []
        for part in parts {
            let index = try merge(part.tables, prefix: Self.partPrefix(part.name), name: part.name, matching: key)
            for cell in part.tables.cells where cell.visibility == .published { keeping.insert(CellID(Self.partPrefix(part.name) + cell.id.rawValue)) }
            byKey.append(index)
        }
        for cell in cells where !cell.isRate && !Self.isLinked(cell.id) {
            let matches = byKey.compactMap { $0[key(cell)] }
            guard matches.count == parts.count,
                  matches.allSatisfy({ self[$0]?.isCount == cell.isCount }),
                  matches.reduce(0, { $0 + (self[$1]?.value ?? 0) }) == cell.value else { continue }
            try relate(LinearRelation(
                "\(cell.label) = the sum over the parts", terms: [Term(cell.id, 1)] + matches.map { Term($0, -1) }, restsOnAnotherReport: true))
        }
        return keeping
    }
}

extension TableSet {
    /// Adds every cell and relation of `other` under `prefix` (labels under `name`), as printed
    /// there; returns its cells other than rates by `key`, first of each.
    mutating func merge(_ other: TableSet, prefix: String, name: String, matching key: (Cell) -> String) throws(DisclosureControlError) -> [String: CellID] {
        func renamed(_ id: CellID) -> CellID { CellID(prefix + id.rawValue) }
        var index: [String: CellID] = [:]
        for cell in other.cells {
            let measure: Measure = switch cell.measure {
            case .pupils: .pupils
            case let .sum(unit, group): .sum(unit: unit, group: group.map(renamed))
            case let .rate(numerator, denominator, decimals): .rate(numerator: renamed(numerator), denominator: renamed(denominator), decimals: decimals)
            }
            try add(Cell(id: renamed(cell.id), label: "\(name): \(cell.label)", value: cell.value, measure: measure,
                         visibility: cell.visibility, isTotal: cell.isTotal, knownMaximum: cell.knownMaximum))
            // A part of a figure printed elsewhere stays one when its report is merged into another.
            if let containedIn = cell.containedIn { contain(renamed(cell.id), in: containedIn) }
            if !cell.isRate { index[key(cell)] = index[key(cell)] ?? renamed(cell.id) }
        }
        for relation in other.relations {
            try relate(LinearRelation(
                "\(name): \(relation.name)", terms: relation.terms.map { Term(renamed($0.cell), $0.coefficient) }, kind: relation.kind,
                constant: relation.constant, knownWhilePublished: relation.knownWhilePublished.map(renamed),
                restsOnAnotherReport: relation.restsOnAnotherReport))
        }
        return index
    }
}
