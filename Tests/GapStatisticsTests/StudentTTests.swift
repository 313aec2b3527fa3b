import GapStatistics
import TestSupport
import Testing

@Suite("Student's t distribution")
struct StudentTTests {
    // Two-sided 95% critical values t(0.975, ν) from standard t tables (checked against SciPy).
    @Test("t quantiles match tables", arguments: [
        (1.0, 12.706_204_736_174_694),
        (2.0, 4.302_652_729_749_462),
        (4.0, 2.776_445_105_197_793),
        (5.0, 2.570_581_835_636_315),
        (10.0, 2.228_138_851_986_274),
        (30.0, 2.042_272_456_301_238),
    ])
    func criticalValues(degrees: Double, expected: Double) {
        expectClose(StudentT.criticalValue(level: 0.95, degreesOfFreedom: degrees), expected, tolerance: 1e-8, "t(0.975, \(degrees))")
    }

    @Test("fractional degrees of freedom, the lower tail, and the normal limit")
    func otherValues() {
        // SciPy: t.ppf(0.995, 2.5) = 7.163728138948783; t.cdf(-1.3, 3.7) = 0.13433336208631375.
        expectClose(StudentT.quantile(0.995, degreesOfFreedom: 2.5), 7.163_728_138_948_783, tolerance: 1e-7)
        expectClose(StudentT.cdf(-1.3, degreesOfFreedom: 3.7), 0.134_333_362_086_313_75, tolerance: 1e-10)
        expectClose(StudentT.quantile(0.025, degreesOfFreedom: 10), -2.228_138_851_986_274, tolerance: 1e-8)
        expectClose(StudentT.criticalValue(level: 0.95, degreesOfFreedom: 1e7), 1.959_963_984_540_054, tolerance: 1e-5)
        #expect(StudentT.cdf(0, degreesOfFreedom: 3) == 0.5)
    }
}
