import Foundation

/// Student's t distribution, for the Welch interval of a mean score gap.
///
/// A gap between two small groups (a class of 12 disadvantaged pupils) is noisier than the
/// normal approximation admits; Welch's interval uses t with fractional degrees of freedom,
/// so the t quantile is computed here from the regularised incomplete beta function.
public enum StudentT {
    /// P(T ≤ t) for Student's t with `degreesOfFreedom` > 0 (fractional allowed).
    ///
    /// Uses P(|T| > t) = I_x(ν/2, 1/2) with x = ν/(ν + t²) (M. Abramowitz and I. A. Stegun,
    /// Handbook of Mathematical Functions, 1964, §26.5 and §26.7).
    public static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        precondition(nu > 0, "degrees of freedom must be positive")
        if t.isNaN { return .nan }
        if t.isInfinite { return t > 0 ? 1 : 0 }
        let x = nu / (nu + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: nu / 2, b: 0.5)
        return t > 0 ? 1 - tail : tail
    }

    /// The t such that P(T ≤ t) = p. Found by bisection on `cdf`, bracketed from the normal
    /// quantile outward; accurate to about 1e-12, which is far below any reported decimal.
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        precondition(nu > 0, "degrees of freedom must be positive")
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        if p < 0.5 { return -quantile(1 - p, degreesOfFreedom: nu) }
        var low = 0.0
        var high = max(1.0, Normal.quantile(p))
        while cdf(high, degreesOfFreedom: nu) < p {
            low = high
            high *= 2
            if high > 1e300 { return .infinity }
        }
        for _ in 0..<200 {
            let mid = 0.5 * (low + high)
            if cdf(mid, degreesOfFreedom: nu) < p { low = mid } else { high = mid }
            if high - low <= 1e-13 * max(1, high) { break }
        }
        return 0.5 * (low + high)
    }

    /// The two-sided critical value for a confidence level: 2.228 for 0.95 with 10 df.
    public static func criticalValue(level: Double, degreesOfFreedom nu: Double) -> Double {
        precondition(level > 0 && level < 1, "a confidence level lies strictly between 0 and 1")
        return quantile(1 - (1 - level) / 2, degreesOfFreedom: nu)
    }
}

/// I_x(a, b), the regularised incomplete beta function, by its continued fraction
/// (Abramowitz and Stegun §26.5) evaluated with the modified Lentz method (W. H. Press et al.,
/// Numerical Recipes, 3rd ed., 2007, §6.4 `betacf` and §5.2).
func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
    let logPowers: Double = a * log(x) + b * log(1 - x)
    let logFront = logPowers - logBeta
    let front = exp(logFront)
    // The fraction converges fast for x < (a + 1)/(a + b + 2); use the symmetry
    // I_x(a, b) = 1 − I_{1−x}(b, a) on the other side.
    if x < (a + 1) / (a + b + 2) {
        return front * betaContinuedFraction(x, a: a, b: b) / a
    }
    return 1 - front * betaContinuedFraction(1 - x, a: b, b: a) / b
}

private func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    let epsilon = 1e-15
    let qab = a + b
    let qap = a + 1
    let qam = a - 1
    var c = 1.0
    var d = 1 - qab * x / qap
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...10_000 {
        let m = Double(m)
        let m2 = 2 * m
        var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        if abs(d) < tiny { d = tiny }
        c = 1 + aa / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        if abs(d) < tiny { d = tiny }
        c = 1 + aa / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < epsilon { break }
    }
    return h
}
