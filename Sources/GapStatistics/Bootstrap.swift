/// Shared pieces of the seeded, stratified bootstraps (gap index, intervention effect).
///
/// "Stratified" means each group is resampled with replacement on its own, keeping its size:
/// B. Efron and R. J. Tibshirani, An Introduction to the Bootstrap, 1993, ch. 8 (two-sample
/// problems) and ch. 13 (percentile intervals).

/// Bootstrap settings, with the seed a report must print so the interval can be made again.
public struct BootstrapSettings: Sendable, Equatable {
    public var replicates: Int
    public var seed: UInt64
    public var level: Double

    /// Percentile intervals need many more replicates than standard errors do (Efron and
    /// Tibshirani advise at least 1,000); 2,000 is the default here.
    public init(replicates: Int = 2_000, seed: UInt64, level: Double = 0.95) {
        self.replicates = replicates
        self.seed = seed
        self.level = level
    }

    func validate() throws(StatisticsError) {
        try requireLevel(level)
        guard replicates >= 100 else {
            throw .invalidSetting("a bootstrap needs at least 100 replicates (2,000 is usual); \(replicates) were asked for")
        }
    }
}

/// Fills `weights` with the number of times each of `weights.count` members is drawn when
/// drawing `weights.count` times with replacement.
func drawResampleWeights(_ weights: inout [Int32], using generator: inout SeededGenerator) {
    let n = weights.count
    for index in 0..<n { weights[index] = 0 }
    for _ in 0..<n { weights[generator.index(below: n)] += 1 }
}

/// The percentile interval of bootstrap replicates: the (1 − level)/2 and (1 + level)/2
/// sample quantiles, interpolated linearly between order statistics (R's default "type 7",
/// R. J. Hyndman and Y. Fan, "Sample quantiles in statistical packages", American
/// Statistician 50(4), 1996).
func percentileInterval(of replicates: [Double], settings: BootstrapSettings) -> ConfidenceInterval {
    let sorted = replicates.sorted()
    let alpha = 1 - settings.level
    return ConfidenceInterval(
        lower: sampleQuantile(sorted, alpha / 2),
        upper: sampleQuantile(sorted, 1 - alpha / 2),
        level: settings.level,
        method: .percentileBootstrap(replicates: settings.replicates, seed: settings.seed)
    )
}

func sampleQuantile(_ sorted: [Double], _ p: Double) -> Double {
    let h = Double(sorted.count - 1) * p
    let below = Int(h.rounded(.down))
    let above = min(below + 1, sorted.count - 1)
    return sorted[below] + (h - Double(below)) * (sorted[above] - sorted[below])
}
