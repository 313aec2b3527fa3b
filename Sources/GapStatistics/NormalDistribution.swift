import Foundation

/// The standard normal distribution: its CDF Φ, its inverse Φ⁻¹ and a seeded sampler.
///
/// Φ gives the z multiplier of every analytic 95% interval here (Φ⁻¹(0.975) ≈ 1.96), and the
/// known answers the tests check against (for two normal groups whose means differ by d
/// standard deviations, P(O > D) = Φ(d/√2)).
public enum Normal {
    /// Φ(x) = P(Z ≤ x) for a standard normal Z.
    ///
    /// Computed as ½·erfc(−x/√2), which keeps full relative precision in the lower tail
    /// (M. Abramowitz and I. A. Stegun, Handbook of Mathematical Functions, 1964, ch. 7 and 26).
    public static func cdf(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// Φ⁻¹(p): the z such that Φ(z) = p, for 0 < p < 1 (−∞ at 0, +∞ at 1, NaN outside [0, 1]).
    ///
    /// Algorithm AS 241 (PPND16): M. J. Wichura, "The percentage points of the normal
    /// distribution", Applied Statistics 37(3), 1988, 477–484; accurate to about 1 part in
    /// 10¹⁶. Coefficients as printed there (also used by Python's `statistics.NormalDist`).
    public static func quantile(_ p: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        let q = p - 0.5
        if abs(q) <= 0.425 {
            let r = 0.180625 - q * q
            let num = (((((((2.509_080_928_730_122_672_7e+3 * r
                + 3.343_057_558_358_812_810_5e+4) * r
                + 6.726_577_092_700_870_085_3e+4) * r
                + 4.592_195_393_154_987_145_7e+4) * r
                + 1.373_169_376_550_946_112_5e+4) * r
                + 1.971_590_950_306_551_442_7e+3) * r
                + 1.331_416_678_917_843_774_5e+2) * r
                + 3.387_132_872_796_366_608_0e+0) * q
            let den = (((((((5.226_495_278_852_854_561_0e+3 * r
                + 2.872_908_573_572_194_267_4e+4) * r
                + 3.930_789_580_009_271_061_0e+4) * r
                + 2.121_379_430_158_659_586_7e+4) * r
                + 5.394_196_021_424_751_107_7e+3) * r
                + 6.871_870_074_920_579_083_0e+2) * r
                + 4.231_333_070_160_091_125_2e+1) * r
                + 1.0)
            return num / den
        }
        var r = q < 0 ? p : 1 - p
        r = (-log(r)).squareRoot()
        let x: Double
        if r <= 5 {
            r -= 1.6
            let num = (((((((7.745_450_142_783_414_076_40e-4 * r
                + 2.272_384_498_926_918_458_33e-2) * r
                + 2.417_807_251_774_506_117_70e-1) * r
                + 1.270_458_252_452_368_382_58e+0) * r
                + 3.647_848_324_763_204_605_04e+0) * r
                + 5.769_497_221_460_691_405_50e+0) * r
                + 4.630_337_846_156_545_295_90e+0) * r
                + 1.423_437_110_749_683_577_34e+0)
            let den = (((((((1.050_750_071_644_416_843_24e-9 * r
                + 5.475_938_084_995_344_946_00e-4) * r
                + 1.519_866_656_361_645_719_66e-2) * r
                + 1.481_039_764_274_800_745_90e-1) * r
                + 6.897_673_349_851_000_045_50e-1) * r
                + 1.676_384_830_183_803_849_40e+0) * r
                + 2.053_191_626_637_758_821_87e+0) * r
                + 1.0)
            x = num / den
        } else {
            r -= 5
            let num = (((((((2.010_334_399_292_288_132_65e-7 * r
                + 2.711_555_568_743_487_578_15e-5) * r
                + 1.242_660_947_388_078_438_60e-3) * r
                + 2.653_218_952_657_612_309_30e-2) * r
                + 2.965_605_718_285_048_912_30e-1) * r
                + 1.784_826_539_917_291_335_80e+0) * r
                + 5.463_784_911_164_114_369_90e+0) * r
                + 6.657_904_643_501_103_777_20e+0)
            let den = (((((((2.044_263_103_389_939_785_64e-15 * r
                + 1.421_511_758_316_445_888_70e-7) * r
                + 1.846_318_317_510_054_681_80e-5) * r
                + 7.868_691_311_456_132_591_00e-4) * r
                + 1.487_536_129_085_061_485_25e-2) * r
                + 1.369_298_809_227_358_053_10e-1) * r
                + 5.998_322_065_558_879_376_90e-1) * r
                + 1.0)
            x = num / den
        }
        return q < 0 ? -x : x
    }

    /// The two-sided critical value for a confidence level: 1.959964 for 0.95.
    /// - Precondition: 0 < level < 1.
    public static func criticalValue(level: Double) -> Double {
        precondition(level > 0 && level < 1, "a confidence level lies strictly between 0 and 1")
        return quantile(1 - (1 - level) / 2)
    }

    /// A normal draw with the given mean and standard deviation, by the Box–Muller transform
    /// (G. E. P. Box and M. E. Muller, "A note on the generation of random normal deviates",
    /// Annals of Mathematical Statistics 29(2), 1958, 610–611).
    ///
    /// Uses two uniforms per draw and keeps the cosine branch only: a little wasteful, but it
    /// keeps the sampler free of hidden state, so the same seed always gives the same sequence.
    public static func sample(mean: Double = 0, standardDeviation: Double = 1, using generator: inout SeededGenerator) -> Double {
        let u1 = 1 - generator.unitInterval()  // in (0, 1], so log(u1) is finite
        let u2 = generator.unitInterval()
        let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return mean + standardDeviation * z
    }
}
