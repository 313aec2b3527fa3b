import GapStatistics
import TestSupport
import Testing

@Suite("Proportion (Wilson interval)")
struct ProportionTests {
    @Test("81 of 263: Newcombe's (1998) worked example, 0.2553 to 0.3662")
    func newcombe() throws {
        // p = 0.307985, z² = 3.841459, z²/n = 0.014606. Centre = (0.307985 + 0.007303)/1.014606
        // = 0.310749. Half-width = 1.959964 × √(0.00081039 + 0.00001388)/1.014606 = 0.055461.
        let proportion = try Proportion(count: 81, outOf: 263)
        expectClose(proportion.value, 81.0 / 263, tolerance: 1e-12)
        expectClose(proportion.confidenceInterval.lower, 0.2553, tolerance: 5e-5)
        expectClose(proportion.confidenceInterval.upper, 0.3662, tolerance: 5e-5)
    }

    @Test("none of 20: the interval starts at 0 and reaches z²/(n + z²) = 0.1611")
    func zeroCount() throws {
        // With k = 0: centre = half-width, upper = z²/(n + z²) = 3.841459/23.841459 = 0.161125.
        let proportion = try Proportion(count: 0, outOf: 20)
        #expect(proportion.confidenceInterval.lower == 0)
        expectClose(proportion.confidenceInterval.upper, 0.161_125, tolerance: 1e-5)
        let all = try Proportion(count: 20, outOf: 20)
        #expect(all.confidenceInterval.upper == 1)
        expectClose(all.confidenceInterval.lower, 1 - 0.161_125, tolerance: 1e-5)
    }

    @Test("refuses impossible counts")
    func errors() {
        #expect(throws: StatisticsError.self) { try Proportion(count: 3, outOf: 0) }
        #expect(throws: StatisticsError.self) { try Proportion(count: 5, outOf: 4) }
        #expect(throws: StatisticsError.self) { try Proportion(count: -1, outOf: 4) }
    }
}
