/// One cell times a whole-number coefficient, a term of a linear relation.
public struct Term: Sendable, Equatable {
    public let cell: CellID
    public let coefficient: Int

    public init(_ cell: CellID, _ coefficient: Int = 1) {
        self.cell = cell
        self.coefficient = coefficient
    }
}

/// Something an attacker knows to hold between the figures: Σ coefficient × cell = constant, or ≤.
///
/// Every way a reader can combine figures (a total is the sum of its parts; a group is no larger
/// than its cohort; a published rate pins its numerator within rounding) is written as one of
/// these, so the auditor sees everything the reader can (docs/disclosure-control.md §7.2).
public struct LinearRelation: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Σ terms = constant.
        case equal
        /// Σ terms ≤ constant.
        case atMost
    }

    /// Says what the relation is, for messages ("Disadvantaged = FSM Ever 6 + looked after").
    public let name: String
    public let terms: [Term]
    public let kind: Kind
    public let constant: Int
    /// The figure whose printing tells the reader this relation (a rate), if any: while that
    /// figure is hidden the reader does not know the relation.
    public let knownWhilePublished: CellID?
    /// Whether the relation ties this report to another's figures (a view to its whole cohort's,
    /// a whole school to its year groups'), rather than being one of the report's own.
    public let restsOnAnotherReport: Bool

    public init(
        _ name: String, terms: [Term], kind: Kind = .equal, constant: Int = 0, knownWhilePublished: CellID? = nil, restsOnAnotherReport: Bool = false
    ) {
        self.name = name
        self.terms = terms
        self.kind = kind
        self.constant = constant
        self.knownWhilePublished = knownWhilePublished
        self.restsOnAnotherReport = restsOnAnotherReport
    }

    /// total = Σ parts.
    public static func sum(_ name: String, total: CellID, parts: [CellID]) -> LinearRelation {
        LinearRelation(name, terms: [Term(total, 1)] + parts.map { Term($0, -1) })
    }

    /// Whether the true values satisfy the relation.
    func holds(for values: [CellID: Int]) -> Bool {
        let left = terms.reduce(0) { $0 + $1.coefficient * (values[$1.cell] ?? 0) }
        switch kind {
        case .equal: return left == constant
        case .atMost: return left <= constant
        }
    }
}
