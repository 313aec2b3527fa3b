/// A small dense linear program: minimise or maximise one variable at a time over
/// { x ≥ 0 : rows }, solved by the two-phase simplex method.
///
/// The auditor asks for the smallest and largest value of each suppressed figure consistent with
/// everything published (docs/disclosure-control.md §7.4). Phase 1 finds a feasible basis once;
/// each objective then runs phase 2 from a copy of it. Dantzig's rule picks the entering column
/// (the most negative reduced cost) until 50 steps in a row fail to move; then Bland's rule
/// (entering: the lowest column with a negative reduced cost; leaving: the lowest basic variable
/// among tied ratios) until one does. Bland's rule cannot cycle, so every run of steps that do not
/// move ends, and every step that moves improves the objective, so every solve ends. Rows are scaled to a largest coefficient of 1 so that one
/// tolerance serves counts and pounds alike.
struct LinearProgram {
    enum RowKind { case equal, atMost }

    struct Row {
        var coefficients: [Double]
        var kind: RowKind
        var rightHandSide: Double
    }

    let variableCount: Int
    var rows: [Row] = []

    init(variableCount: Int) { self.variableCount = variableCount }

    mutating func add(_ coefficients: [Double], _ kind: RowKind, _ rightHandSide: Double) {
        rows.append(Row(coefficients: coefficients, kind: kind, rightHandSide: rightHandSide))
    }
}

/// The feasible region of a `LinearProgram` after phase 1, ready to optimise over.
struct FeasibleRegion {
    static let tolerance = 1e-9
    private static let iterationLimit = 200_000
    /// Consecutive degenerate steps after which a solve switches to Bland's rule, until a step moves.
    private static let blandAfter = 50

    private var tableau: [Double]
    private var basis: [Int]
    private let rowCount: Int
    private let columnCount: Int // without the right-hand side
    private let variableCount: Int
    private var stride: Int { columnCount + 1 }

    /// Phase 1; nil when no point satisfies the rows.
    init?(_ program: LinearProgram) throws(DisclosureControlError) {
        let tolerance = Self.tolerance
        variableCount = program.variableCount
        // Normalise: scale each row, make its right-hand side ≥ 0 (an ≤ row may become ≥).
        enum Kind { case equal, atMost, atLeast }
        var rows: [(a: [Double], kind: Kind, b: Double)] = []
        for row in program.rows {
            let scale = row.coefficients.reduce(0) { max($0, abs($1)) }
            if scale == 0 {
                switch row.kind {
                case .equal where abs(row.rightHandSide) > tolerance: return nil
                case .atMost where row.rightHandSide < -tolerance: return nil
                default: continue
                }
            }
            var a = row.coefficients.map { $0 / scale }
            var b = row.rightHandSide / scale
            var kind: Kind = row.kind == .equal ? .equal : .atMost
            if b < 0 {
                a = a.map { -$0 }
                b = -b
                if kind == .atMost { kind = .atLeast }
            }
            rows.append((a, kind, b))
        }
        let m = rows.count
        let slackCount = rows.filter { $0.kind != .equal }.count
        let artificialCount = rows.filter { $0.kind != .atMost }.count
        let firstSlack = variableCount
        let firstArtificial = variableCount + slackCount
        let columns = firstArtificial + artificialCount
        var table = [Double](repeating: 0, count: m * (columns + 1))
        var basis = [Int](repeating: 0, count: m)
        var nextSlack = firstSlack
        var nextArtificial = firstArtificial
        for (i, row) in rows.enumerated() {
            let base = i * (columns + 1)
            for j in 0..<variableCount { table[base + j] = row.a[j] }
            table[base + columns] = row.b
            switch row.kind {
            case .atMost:
                table[base + nextSlack] = 1
                basis[i] = nextSlack
                nextSlack += 1
            case .atLeast:
                table[base + nextSlack] = -1
                nextSlack += 1
                fallthrough
            case .equal:
                table[base + nextArtificial] = 1
                basis[i] = nextArtificial
                nextArtificial += 1
            }
        }
        // Phase 1: minimise the sum of the artificial variables.
        var cost = [Double](repeating: 0, count: columns + 1)
        for j in firstArtificial..<columns { cost[j] = 1 }
        for i in 0..<m where basis[i] >= firstArtificial {
            let base = i * (columns + 1)
            for j in 0...columns { cost[j] -= table[base + j] }
        }
        let phase1 = try Self.run(&table, &basis, &cost, rows: m, columns: columns, allowedColumns: columns)
        guard phase1 == .optimal else {
            throw .auditDidNotFinish("phase 1 was unbounded, which cannot happen for a feasibility problem")
        }
        let largest = rows.reduce(1) { max($0, $1.b) }
        guard -cost[columns] <= 1e-7 * largest else { return nil }
        // Drive the artificial variables out of the basis; a row where none can leave is redundant.
        var keep = [Bool](repeating: true, count: m)
        for i in 0..<m where basis[i] >= firstArtificial {
            let base = i * (columns + 1)
            if let j = (0..<firstArtificial).first(where: { abs(table[base + $0]) > tolerance }) {
                Self.pivot(&table, &basis, &cost, rows: m, columns: columns, row: i, column: j)
            } else {
                keep[i] = false
            }
        }
        // Drop the artificial columns and the redundant rows.
        let kept = (0..<m).filter { keep[$0] }
        var reduced = [Double](repeating: 0, count: kept.count * (firstArtificial + 1))
        for (newRow, oldRow) in kept.enumerated() {
            let oldBase = oldRow * (columns + 1)
            let newBase = newRow * (firstArtificial + 1)
            for j in 0..<firstArtificial { reduced[newBase + j] = table[oldBase + j] }
            reduced[newBase + firstArtificial] = table[oldBase + columns]
        }
        tableau = reduced
        self.basis = kept.map { basis[$0] }
        rowCount = kept.count
        columnCount = firstArtificial
    }

    /// The smallest value of Σ objective[j] × x[j] over the region; nil when it has no lower bound.
    func minimum(of objective: [Double]) throws(DisclosureControlError) -> Double? {
        var table = tableau
        var basis = basis
        var cost = [Double](repeating: 0, count: stride)
        for j in 0..<variableCount { cost[j] = objective[j] }
        for i in 0..<rowCount {
            let c = basis[i] < variableCount ? objective[basis[i]] : 0
            guard c != 0 else { continue }
            let base = i * stride
            for j in 0...columnCount { cost[j] -= c * table[base + j] }
        }
        let outcome = try Self.run(&table, &basis, &cost, rows: rowCount, columns: columnCount, allowedColumns: columnCount)
        return outcome == .optimal ? -cost[columnCount] : nil
    }

    /// The range of variable `j` over the region: (min, max), max nil when unbounded.
    func range(of j: Int) throws(DisclosureControlError) -> (lower: Double, upper: Double?) {
        var objective = [Double](repeating: 0, count: variableCount)
        objective[j] = 1
        let lower = try minimum(of: objective) ?? 0 // x ≥ 0, so never unbounded below
        objective[j] = -1
        let upper = try minimum(of: objective).map { -$0 }
        return (lower, upper)
    }

    private enum Outcome { case optimal, unbounded }

    private static func run(
        _ table: inout [Double], _ basis: inout [Int], _ cost: inout [Double], rows: Int, columns: Int, allowedColumns: Int
    ) throws(DisclosureControlError) -> Outcome {
        let stride = columns + 1
        var degenerateRun = 0
        for _ in 0..<iterationLimit {
            // Dantzig's rule (the most negative reduced cost) takes far fewer steps than Bland's;
            // after a long run of steps that do not move, Bland's rule, which cannot cycle, takes over.
            let entering: Int
            if degenerateRun < blandAfter {
                var best = -tolerance
                var column: Int?
                for j in 0..<allowedColumns where cost[j] < best {
                    best = cost[j]
                    column = j
                }
                guard let column else { return .optimal }
                entering = column
            } else {
                guard let column = (0..<allowedColumns).first(where: { cost[$0] < -tolerance }) else { return .optimal }
                entering = column
            }
            var leaving: Int?
            var bestRatio = Double.infinity
            for i in 0..<rows {
                let a = table[i * stride + entering]
                guard a > tolerance else { continue }
                let ratio = max(0, table[i * stride + columns]) / a
                if let current = leaving {
                    if ratio < bestRatio - tolerance || (abs(ratio - bestRatio) <= tolerance && basis[i] < basis[current]) {
                        leaving = i
                        bestRatio = min(ratio, bestRatio)
                    }
                } else {
                    leaving = i
                    bestRatio = ratio
                }
            }
            guard let leaving else { return .unbounded }
            degenerateRun = bestRatio <= tolerance ? degenerateRun + 1 : 0
            pivot(&table, &basis, &cost, rows: rows, columns: columns, row: leaving, column: entering)
        }
        throw .auditDidNotFinish("the simplex method took more than \(iterationLimit) steps")
    }

    /// One pivot. The rows of a relation system are sparse (a relation names a few figures), and
    /// stay mostly so, so only the pivot row's non-zero columns are updated in each other row: the
    /// same arithmetic as the dense update, since the skipped terms are `factor × 0`.
    private static func pivot(
        _ table: inout [Double], _ basis: inout [Int], _ cost: inout [Double], rows: Int, columns: Int, row: Int, column: Int
    ) {
        let stride = columns + 1
        let pivotBase = row * stride
        table.withUnsafeMutableBufferPointer { table in
            let pivotValue = table[pivotBase + column]
            var nonZero: [Int] = []
            nonZero.reserveCapacity(stride)
            for j in 0...columns where table[pivotBase + j] != 0 {
                table[pivotBase + j] /= pivotValue
                nonZero.append(j)
            }
            table[pivotBase + column] = 1
            for i in 0..<rows where i != row {
                let base = i * stride
                let factor = table[base + column]
                guard factor != 0 else { continue }
                for j in nonZero { table[base + j] -= factor * table[pivotBase + j] }
                table[base + column] = 0
            }
            let factor = cost[column]
            if factor != 0 {
                for j in nonZero { cost[j] -= factor * table[pivotBase + j] }
                cost[column] = 0
            }
        }
        basis[row] = column
    }
}
