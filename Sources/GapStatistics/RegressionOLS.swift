/// Ordinary least squares with heteroskedasticity-robust standard errors: the linear probability
/// model the cost-of-living evaluation adjusts with (docs/methodology.md §11.8).
///
/// Why a linear probability model and not a logistic one: its coefficient on "received support"
/// is directly the adjusted difference in percentage points that the report states, the same for
/// every student, with no choice of where to evaluate a marginal effect; with dummy covariates the
/// fitted values of continuation (80–99%) stay inside 0–1. Its errors are heteroskedastic by
/// construction (a binary outcome's variance is p(1 − p)), so the standard errors are White's
/// sandwich with the HC1 small-sample factor n / (n − k) (J. G. MacKinnon and H. White, "Some
/// heteroskedasticity-consistent covariance matrix estimators with improved finite sample
/// properties", Journal of Econometrics 29, 1985, 305–325), which Stata's `regress, robust` uses.
///
/// A column that is a linear combination of earlier ones (a course with no students of one mode,
/// say) is aliased: it gets no coefficient, as R's `lm` gives it NA, and the fit goes on without it.
public struct LinearRegression: Sendable, Equatable {
    /// One per column of the design; nil for an aliased column.
    public var coefficients: [Double?]
    /// Robust (HC1) standard errors, nil for an aliased column.
    public var standardErrors: [Double?]
    /// Rows fitted.
    public var n: Int
    /// Columns estimated (not aliased).
    public var rank: Int

    /// `design` has one row per student (include a column of 1s for the intercept); `outcomes`
    /// one value per row.
    public static func fit(design: [[Double]], outcomes: [Double]) throws(StatisticsError) -> LinearRegression {
        guard design.count == outcomes.count else {
            throw .mismatchedLengths(first: "design rows", firstCount: design.count, second: "outcomes", secondCount: outcomes.count)
        }
        let k = design.first?.count ?? 0
        guard k > 0, design.allSatisfy({ $0.count == k }) else { throw .invalidSetting("every design row needs the same, non-zero, number of columns") }
        try requireFinite(outcomes, group: "outcome")
        for (i, row) in design.enumerated() where row.contains(where: { !$0.isFinite }) {
            throw .nonFiniteValue(group: "design", position: i)
        }
        var xtx = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var xty = [Double](repeating: 0, count: k)
        for (row, y) in zip(design, outcomes) {
            for a in 0..<k where row[a] != 0 {
                xty[a] += row[a] * y
                for b in a..<k { xtx[a][b] += row[a] * row[b] }
            }
        }
        for a in 0..<k { for b in 0..<a { xtx[a][b] = xtx[b][a] } }
        let (inverse, kept) = SymmetricInverse.invert(xtx)
        let rank = kept.filter { $0 }.count
        guard design.count > rank else {
            throw .tooFewValues(group: "regression", found: design.count, needed: rank + 1)
        }
        var beta = [Double](repeating: 0, count: k)
        for a in 0..<k where kept[a] {
            beta[a] = (0..<k).reduce(0) { $0 + inverse[a][$1] * xty[$1] }
        }
        // Meat of the sandwich: sum of e² x xᵀ.
        var meat = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for (row, y) in zip(design, outcomes) {
            let fitted = (0..<k).reduce(0) { $0 + row[$1] * beta[$1] }
            let e2 = (y - fitted) * (y - fitted)
            for a in 0..<k where row[a] != 0 && kept[a] {
                for b in a..<k where kept[b] { meat[a][b] += e2 * row[a] * row[b] }
            }
        }
        for a in 0..<k { for b in 0..<a { meat[a][b] = meat[b][a] } }
        let factor = Double(design.count) / Double(design.count - rank)
        var errors = [Double?](repeating: nil, count: k)
        for a in 0..<k where kept[a] {
            // (A M A)[a][a] = Σ_bc A[a][b] M[b][c] A[c][a]
            var variance = 0.0
            for b in 0..<k where kept[b] {
                var inner = 0.0
                for c in 0..<k where kept[c] { inner += meat[b][c] * inverse[c][a] }
                variance += inverse[a][b] * inner
            }
            errors[a] = (max(0, variance) * factor).squareRoot()
        }
        return LinearRegression(coefficients: (0..<k).map { kept[$0] ? beta[$0] : nil }, standardErrors: errors,
                                n: design.count, rank: rank)
    }

    /// The normal interval of coefficient `index`, nil when it is aliased.
    public func interval(_ index: Int, level: Double = 0.95) -> ConfidenceInterval? {
        guard let b = coefficients[index], let se = standardErrors[index] else { return nil }
        let z = Normal.criticalValue(level: level)
        return ConfidenceInterval(lower: b - z * se, upper: b + z * se, level: level, method: .robustRegression)
    }
}

/// Inverse of a symmetric positive semi-definite matrix by Gauss–Jordan sweeps in column order,
/// skipping (aliasing) a column whose pivot has fallen below a relative tolerance.
enum SymmetricInverse {
    static func invert(_ matrix: [[Double]]) -> (inverse: [[Double]], kept: [Bool]) {
        let k = matrix.count
        var m = matrix
        var kept = [Bool](repeating: false, count: k)
        for p in 0..<k {
            let scale = max(abs(matrix[p][p]), 1e-300)
            guard m[p][p] > 1e-10 * scale else { continue }
            kept[p] = true
            let pivot = m[p][p]
            // Sweep on p (Goodnight 1979): the swept block ends as the inverse of the kept columns.
            for i in 0..<k where i != p {
                for j in 0..<k where j != p {
                    m[i][j] -= m[i][p] * m[p][j] / pivot
                }
            }
            for i in 0..<k where i != p {
                m[i][p] /= pivot
                m[p][i] /= pivot
            }
            m[p][p] = -1 / pivot
        }
        var inverse = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<k where kept[i] {
            for j in 0..<k where kept[j] { inverse[i][j] = -m[i][j] }
        }
        return (inverse, kept)
    }
}
