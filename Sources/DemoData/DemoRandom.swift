import Foundation
import GapStatistics
import GapTrackDomain

/// Independent, reproducible random streams for the demo data.
///
/// Every student draws from streams of their own, seeded from (run seed, purpose, cohort,
/// student index). So a student is the same whatever else is generated: asking for fewer
/// attendance days, or fewer year groups, does not change anyone's name, markers or results,
/// and no table of students is ever held in memory. The streams are `SeededGenerator`
/// (xoshiro256**) seeded through SplitMix64, whose algorithms GapStatistics fixes.
enum RandomStream: UInt64 {
    case schoolProfile = 1
    case schoolAttendance = 2
    case schoolAttainment = 3
    case schoolSupport = 4
    case schoolCohort = 5
    case schoolSupportTargets = 6
    /// When a targeted intervention runs, so that its entry and exit fall in the academic year
    /// (`SchoolSupportTiming`).
    case schoolSupportTiming = 7
    /// Reviews of the school's interventions (`SchoolSupportReviews`).
    case schoolSupportReviews = 8
    /// Form groups of the school's pupils (`SchoolFormGroups`).
    case schoolFormGroups = 9
    /// The school's own group of pupils (`SchoolPupilGroups`).
    case schoolPupilGroups = 10
    case universityProfile = 11
    case universityMarks = 12
    case universitySupport = 13
    /// The earlier intakes of `UniversityHistory` and their support.
    case universityHistory = 14
    /// Entry details (tariff, TUNDRA, ABCS, ...) of the students of `UniversityStudents`.
    case universityEntry = 15
    /// Applications for cost-of-living support (`UniversitySupportApplications`).
    case universityApplications = 16

    /// The generator for one student (or, with `index` 0 and `.schoolCohort`, one cohort).
    func generator(seed: UInt64, cohort: Int, index: Int) -> SeededGenerator {
        var key = Self.mix(seed ^ (rawValue &* 0x9E37_79B9_7F4A_7C15))
        key = Self.mix(key ^ (UInt64(bitPattern: Int64(cohort)) &* 0xC2B2_AE3D_27D4_EB4F))
        key = Self.mix(key ^ UInt64(bitPattern: Int64(index)))
        return SeededGenerator(seed: key)
    }

    /// One SplitMix64 step used as a hash (Steele, Lea and Flood, OOPSLA 2014).
    private static func mix(_ value: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: value)
        return generator.next()
    }
}

extension SeededGenerator {
    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        unitInterval() < probability
    }

    /// A uniform whole number in `range`.
    mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + index(below: range.count)
    }

    /// A uniform `Double` in `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unitInterval()
    }

    mutating func normal(mean: Double = 0, standardDeviation: Double = 1) -> Double {
        Normal.sample(mean: mean, standardDeviation: standardDeviation, using: &self)
    }

    /// One element of a non-empty array, uniformly.
    mutating func element<T>(of array: [T]) -> T {
        array[index(below: array.count)]
    }

    /// A uniform day from `start` to `end`, both included.
    mutating func day(from start: CalendarDate, to end: CalendarDate) -> CalendarDate {
        precondition(start <= end, "day(from:to:) needs start <= end")
        return start.adding(days: index(below: start.days(to: end) + 1))
    }

    /// A gamma(shape, 1) draw, by G. Marsaglia and W. W. Tsang, "A simple method for generating
    /// gamma variables", ACM Transactions on Mathematical Software 26(3), 2000, 363-372; for
    /// shape < 1 the paper's boost: gamma(shape + 1) x U^(1/shape).
    mutating func gamma(shape: Double) -> Double {
        precondition(shape > 0, "a gamma shape is positive")
        if shape < 1 {
            let boosted = gamma(shape: shape + 1)
            return boosted * pow(1 - unitInterval(), 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = 1 - unitInterval()  // (0, 1]
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// A beta(a, b) draw as X / (X + Y) with X ~ gamma(a), Y ~ gamma(b) (L. Devroye,
    /// Non-Uniform Random Variate Generation, 1986, ch. IX.4).
    mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a)
        let y = gamma(shape: b)
        return x / (x + y)
    }

    /// A beta draw given by its mean and concentration (a + b).
    mutating func beta(mean: Double, concentration: Double) -> Double {
        beta(mean * concentration, (1 - mean) * concentration)
    }

    mutating func pick<T>(_ choice: WeightedChoice<T>) -> T {
        choice.draw(using: &self)
    }
}

/// A fixed list of outcomes with relative weights, drawn with one uniform number.
struct WeightedChoice<T: Sendable>: Sendable {
    let outcomes: [T]
    /// Cumulative weights scaled to end at 1.
    let cumulative: [Double]

    init(_ weighted: [(T, Double)]) {
        precondition(!weighted.isEmpty, "a weighted choice needs at least one outcome")
        let total = weighted.reduce(0) { $0 + $1.1 }
        precondition(total > 0, "a weighted choice needs a positive total weight")
        outcomes = weighted.map(\.0)
        var running = 0.0
        cumulative = weighted.map { running += $0.1; return running / total }
    }

    func draw(using generator: inout SeededGenerator) -> T {
        let u = generator.unitInterval()
        for (index, bound) in cumulative.enumerated() where u < bound {
            return outcomes[index]
        }
        return outcomes[outcomes.count - 1]
    }
}

/// Exactly `count` in every `period` consecutive pupils of a cohort, scattered by a
/// multiplier prime to the period: so a rare group always exists, at its intended share, in
/// any cohort of at least `period` pupils, and the deliberately small groups (refugees,
/// looked-after children) are never absent by bad luck.
struct StratifiedShare: Sendable {
    let count: Int
    let period: Int
    let multiplier: Int

    func contains(index: Int, offset: Int, cohortSize: Int) -> Bool {
        let block = min(period, max(cohortSize, 1))
        let wanted = max(1, count * block / period)
        return (index * multiplier + offset) % block < wanted
    }
}
