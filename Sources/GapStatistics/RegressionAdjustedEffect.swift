/// The effect of one or more treatments (kinds of support received) on an outcome, adjusted by
/// linear regression for categorical and continuous covariates (docs/methodology.md §11.8).
///
/// Each categorical covariate enters as indicators of its levels against its most common level
/// (ties: the first in sorted order), so that the reference group is large and an aliased level
/// is rare; continuous covariates enter linearly. All treatments are in one model, so each
/// effect is adjusted for the others: a student with a bursary and a hardship award is not
/// counted twice. The coefficients are differences in the outcome's units (a proportion for a
/// 0/1 outcome), with `LinearRegression`'s robust intervals.
public enum RegressionAdjustedEffect {
    public struct Unit: Sendable, Equatable {
        public var treatments: [Bool]
        public var categorical: [String]
        public var continuous: [Double]
        public var outcome: Double

        public init(treatments: [Bool], categorical: [String], continuous: [Double], outcome: Double) {
            self.treatments = treatments
            self.categorical = categorical
            self.continuous = continuous
            self.outcome = outcome
        }
    }

    /// One treatment's adjusted effect: nil estimate when the treatment's column is aliased
    /// (nobody, or everybody, received it).
    public struct Effect: Sendable, Equatable {
        public var estimate: Double?
        public var interval: ConfidenceInterval?
        public var treated: Int
        public var untreated: Int
    }

    public struct Result: Sendable, Equatable {
        public var effects: [Effect]
        public var n: Int
        /// Design columns estimated (intercept, treatments, covariate indicators, continuous).
        public var parameters: Int
    }

    public static func estimate(_ units: [Unit], level: Double = 0.95) throws(StatisticsError) -> Result {
        try requireLevel(level)
        guard let first = units.first else { throw .emptyGroup("evaluation") }
        let treatments = first.treatments.count
        let factors = first.categorical.count
        let continuous = first.continuous.count
        guard units.allSatisfy({ $0.treatments.count == treatments && $0.categorical.count == factors && $0.continuous.count == continuous }) else {
            throw .invalidSetting("every student needs the same treatments and covariates")
        }
        // Levels of each factor, the most common first (the reference).
        let levels: [[String]] = (0..<factors).map { f in
            var counts: [String: Int] = [:]
            for unit in units { counts[unit.categorical[f], default: 0] += 1 }
            return counts.keys.sorted { (counts[$0]!, $1) > (counts[$1]!, $0) }
        }
        let index: [[String: Int]] = levels.map { Dictionary(uniqueKeysWithValues: $0.enumerated().map { ($1, $0) }) }
        let design = units.map { unit -> [Double] in
            var row = [1.0] + unit.treatments.map { $0 ? 1.0 : 0.0 }
            for f in 0..<factors {
                var indicators = [Double](repeating: 0, count: levels[f].count - 1)
                let level = index[f][unit.categorical[f]]!
                if level > 0 { indicators[level - 1] = 1 }
                row += indicators
            }
            return row + unit.continuous
        }
        let fit = try LinearRegression.fit(design: design, outcomes: units.map(\.outcome))
        let effects = (0..<treatments).map { t in
            let treated = units.filter { $0.treatments[t] }.count
            return Effect(estimate: fit.coefficients[1 + t], interval: fit.interval(1 + t, level: level),
                          treated: treated, untreated: units.count - treated)
        }
        return Result(effects: effects, n: fit.n, parameters: fit.rank)
    }
}
