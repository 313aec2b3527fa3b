/// Seeded pseudo-random number generators, so that every demonstration data set and every
/// synthetic test sample can be made again, bit for bit, on any platform.
///
/// Swift's `SystemRandomNumberGenerator` cannot be seeded, and the standard library's
/// `Int.random(in:using:)` may change its algorithm between Swift releases. The demo school
/// loaded with `--seed 2024` must be the same school next year, so the draws that matter go through `SeededGenerator.index(below:)` and
/// `SeededGenerator.unitInterval()`, whose algorithms are fixed here.

/// SplitMix64: a tiny generator used to expand one 64-bit seed into the state of
/// `SeededGenerator`.
///
/// Source: G. L. Steele, D. Lea and C. H. Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014; constants as in S. Vigna's reference `splitmix64.c`
/// (prng.di.unimi.it). Seed 0 gives 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, ...
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256**: the generator behind every seeded draw in GapStatistics.
///
/// Source: D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators",
/// ACM Transactions on Mathematical Software 47(4), 2021; reference `xoshiro256starstar.c`.
/// The state is filled from the seed by `SplitMix64`, as the authors recommend, so that
/// nearby seeds (1, 2, 3) give unrelated streams.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// The seed this generator was made from, so that a report can state it.
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        var expander = SplitMix64(seed: seed)
        s0 = expander.next()
        s1 = expander.next()
        s2 = expander.next()
        s3 = expander.next()
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// A uniform integer in `0..<bound`, without modulo bias.
    ///
    /// Lemire's multiply-and-reject method (D. Lemire, "Fast random integer generation in an
    /// interval", ACM TOMACS 29(1), 2019), written out here so that its output never depends
    /// on the standard library's version.
    /// - Precondition: `bound > 0`.
    public mutating func index(below bound: Int) -> Int {
        precondition(bound > 0, "index(below:) needs a positive bound")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform `Double` in [0, 1): the top 53 bits of one draw, times 2⁻⁵³.
    public mutating func unitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
