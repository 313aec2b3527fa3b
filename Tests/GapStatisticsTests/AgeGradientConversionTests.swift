import GapStatistics
import TestSupport
import Testing

@Suite("Months of learning: age gradient")
struct AgeGradientConversionTests {
    @Test("OLS slope, its SE and the months interval, by hand")
    func handWorked() throws {
        // Ages 1, 2, 3, 4; scores 2, 4, 5, 8. Mean age 2.5, mean score 4.75.
        // Sxx = 2.25 + 0.25 + 0.25 + 2.25 = 5. Sxy = 4.125 + 0.375 + 0.125 + 4.875 = 9.5.
        // Slope 9.5/5 = 1.9, intercept 4.75 − 1.9 × 2.5 = 0. Residuals 0.1, 0.2, −0.7, 0.4:
        // SSR 0.7, s² = 0.7/2 = 0.35, SE = √(0.35/5) = 0.2645751.
        let conversion = try AgeGradientConversion(ages: [1, 2, 3, 4], scores: [2, 4, 5, 8], scoreUnits: "marks", minimumStudents: 4)
        expectClose(conversion.slope, 1.9, tolerance: 1e-12)
        expectClose(conversion.intercept, 0, tolerance: 1e-12)
        expectClose(conversion.slopeStandardError, 0.07.squareRoot(), tolerance: 1e-12)
        expectClose(conversion.age(atScore: 5.7), 3, tolerance: 1e-12)
        // Gap 3.8 marks with SE 0.5: months 3.8/1.9 = 2.
        // SE(months)² = (0.5/1.9)² + (3.8 × 0.2645751/1.9²)² = 0.0692521 + 0.0775623 = 0.1468144,
        // SE 0.3831637; 95% CI 2 ± 1.959964 × 0.3831637 = [1.249013, 2.750987].
        let months = try conversion.months(forGap: 3.8, standardError: 0.5)
        expectClose(months.months, 2, tolerance: 1e-12)
        let ci = try #require(months.confidenceInterval)
        expectClose(ci.lower, 1.249_013, tolerance: 1e-6)
        expectClose(ci.upper, 2.750_987, tolerance: 1e-6)
        #expect(months.method == .ageGradient)
        #expect(months.ratePerMonth == 1.9)
        #expect(months.rateUnits == "marks per month of age")
        #expect(months.gapUnits == "marks")
        #expect(months.studentCount == 4)
        #expect(months.note == nil)
    }

    @Test("recovers a planted slope and the months of a planted gap")
    func plantedSlope() throws {
        // A Year 6 cohort of 3,000: ages 120–131 months, score = 100 + 0.5 × (age − 125.5)
        // + N(0, 5²), disadvantaged students 3 points lower. So 0.5 points a month and the gap
        // is 3/0.5 = 6 months. SE(slope) ≈ 5/√(3000 × 11.9) ≈ 0.026.
        var generator = SeededGenerator(seed: 606)
        var ages = [Double]()
        var scores = [Double]()
        var disadvantaged = [Double]()
        var others = [Double]()
        for student in 0..<3_000 {
            let age = 120 + Double(generator.index(below: 12))
            let isDisadvantaged = student % 3 == 0
            let score = 100 + 0.5 * (age - 125.5) - (isDisadvantaged ? 3 : 0)
                + Normal.sample(standardDeviation: 5, using: &generator)
            ages.append(age)
            scores.append(score)
            if isDisadvantaged { disadvantaged.append(score) } else { others.append(score) }
        }
        let conversion = try AgeGradientConversion(ages: ages, scores: scores, scoreUnits: "scaled-score points")
        expectClose(conversion.slope, 0.5, tolerance: 0.1, "slope")
        let gap = try MeanScoreGap(disadvantaged: disadvantaged, others: others)
        let months = try conversion.months(forGap: gap.value, standardError: gap.standardError)
        expectClose(months.months, 6, tolerance: 1.5, "months")
        #expect(try #require(months.confidenceInterval).contains(6))
    }

    @Test("refuses a slope that is not positive, ages that do not vary, and a small cohort")
    func refusals() {
        let ages = (0..<40).map { Double(120 + $0 % 12) }
        #expect(throws: MonthsOfLearningError.self) {
            try AgeGradientConversion(ages: ages, scores: ages.map { 200 - $0 })
        }
        do {
            _ = try AgeGradientConversion(ages: ages, scores: ages.map { 200 - $0 }, scoreUnits: "marks")
            Issue.record("a falling slope was accepted")
        } catch {
            guard case let .slopeNotPositive(slope, units) = error else { Issue.record("wrong error \(error)"); return }
            expectClose(slope, -1, tolerance: 1e-12)
            #expect(units == "marks per month of age")
            #expect(error.description.contains("does not rise with age"))
        }
        #expect(throws: MonthsOfLearningError.agesDoNotVary) {
            try AgeGradientConversion(ages: [Double](repeating: 125, count: 40), scores: ages)
        }
        #expect(throws: MonthsOfLearningError.tooFewStudents(found: 12, needed: 30)) {
            try AgeGradientConversion(ages: Array(ages.prefix(12)), scores: Array(ages.prefix(12)))
        }
        #expect(throws: MonthsOfLearningError.self) { try AgeGradientConversion(ages: [1, 2], scores: [1]) }
    }

    @Test("no months interval when the slope's own interval reaches zero")
    func unboundedInterval() throws {
        // Ages 1…6, scores 1, 3, 0, 4, 1, 3: Sxx 17.5, Sxy 4, slope 0.2285714, but SE 0.398, so
        // the slope's interval includes zero and months could be any size. Gap 1 → 4.375 months.
        let conversion = try AgeGradientConversion(ages: [1, 2, 3, 4, 5, 6], scores: [1, 3, 0, 4, 1, 3], minimumStudents: 6)
        expectClose(conversion.slope, 4 / 17.5, tolerance: 1e-12)
        let months = try conversion.months(forGap: 1)
        expectClose(months.months, 4.375, tolerance: 1e-12)
        #expect(months.confidenceInterval == nil)
        #expect(months.note?.contains("includes zero") == true)
    }
}
