import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import TestSupport
import GapTrackStore
import Testing

/// The builder's figures, made from aggregates, against the GapStatistics reference types run on
/// the students' scores themselves.
@Suite struct BuilderStatisticsTests {
    static func subjectData(_ d: [Double], _ o: [Double], ages: [Double]? = nil) -> SubjectAggregates {
        let scores = ReferenceAggregates.scores(disadvantaged: d, others: o)
        return SubjectAggregates(
            subject: "maths", assessment: "Test", scale: "standardised", disadvantaged: scores.disadvantaged, others: scores.others,
            ageGradient: ages.map { ReferenceAggregates.ageGradient(ages: $0, scores: d + o) })
    }

    @Test func domainWorkedExampleGivesIndexFive() throws {
        // docs/methodology.md §5: D = 95, 98, 104, 106 and O = 100, 101, 103, 108, 110, 112 give mean ranks
        // 0.40 and 0.65 and index 5.0. The groups are tiny, so the threshold is lowered to 1.
        let row = TermlyGapReportBuilder(rule: SuppressionRule(threshold: 1))
            .subjectGap(Self.subjectData([95, 98, 104, 106], [100, 101, 103, 108, 110, 112]))
        let index = try #require(row.gapIndex.value)
        expectClose(index.value, 5.0, tolerance: 1e-12, "index")
        expectClose(row.disadvantaged.value?.meanPercentileRank.value, 0.40, tolerance: 1e-12, "mean rank D")
        expectClose(row.others.value?.meanPercentileRank.value, 0.65, tolerance: 1e-12, "mean rank O")
        #expect(index.text == "5.00")
    }

    @Test func smallGroupsGetTheirTrueGapFromTheBuilderTheAudienceDecidesWhetherItIsPrinted() {
        // 4 and 6 students: the builder computes the gap (the staff report prints it, marked);
        // the governors' shaping withholds it (SuppressionTests, AudienceTests).
        let row = TermlyGapReportBuilder().subjectGap(Self.subjectData([95, 98, 104, 106], [100, 101, 103, 108, 110, 112]))
        #expect(row.disadvantaged.value?.students == 4 && row.others.value?.students == 6)
        #expect(!row.gapIndex.isSuppressed)
        var governors = row
        TermlyReportFields.withholdGap(&governors, reason: .belowThreshold(threshold: 10))
        #expect(governors.gapIndex.text == "c")
    }

    @Test(arguments: [(UInt64(1), 40, 160, 0.5), (2, 15, 300, 0.25), (3, 120, 80, 1.0)])
    func figuresMatchGapStatistics(seed: UInt64, nD: Int, nO: Int, shift: Double) throws {
        var generator = SeededGenerator(seed: seed)
        // Half-point scores so that ties occur, as on real scales.
        let d = normalSample(count: nD, mean: 100 - 15 * shift, standardDeviation: 15, using: &generator).map { ($0 * 2).rounded() / 2 }
        let o = normalSample(count: nO, mean: 100, standardDeviation: 15, using: &generator).map { ($0 * 2).rounded() / 2 }
        // Older students score a little higher, so rank rises with age.
        var ages = [Double]()
        var scores = d + o
        for index in scores.indices {
            let age = 120 + Double(generator.index(below: 12))
            ages.append(age)
            scores[index] += (age - 126) * 2
        }
        let dScores = Array(scores[0..<nD])
        let oScores = Array(scores[nD...])
        let row = TermlyGapReportBuilder().subjectGap(Self.subjectData(dScores, oScores, ages: ages))

        let reference = try GapIndex(disadvantaged: dScores, others: oScores)
        let index = try #require(row.gapIndex.value)
        expectClose(index.value, reference.value, "gap index")
        expectClose(index.lower, reference.confidenceInterval?.lower, "gap index lower")
        expectClose(index.upper, reference.confidenceInterval?.upper, "gap index upper")

        let welch = try MeanScoreGap(disadvantaged: dScores, others: oScores)
        let gap = try #require(row.meanScoreGap?.value)
        expectClose(gap.value, welch.value, "score gap")
        expectClose(gap.lower, welch.confidenceInterval?.lower, tolerance: 1e-8, "score gap lower")
        expectClose(gap.upper, welch.confidenceInterval?.upper, tolerance: 1e-8, "score gap upper")

        let hedges = try StandardisedGap(disadvantaged: dScores, others: oScores)
        let g = try #require(row.hedgesG?.value)
        expectClose(g.value, hedges.hedgesG, "g")
        expectClose(g.lower, hedges.confidenceInterval.lower, "g lower")

        let students = zip(zip(scores, ages), (0..<scores.count).map { $0 < nD }).map { (score: $0.0, ageInMonths: $0.1, isDisadvantaged: $1) }
        let educationalAge = try EducationalAgeGap(students: students)
        // GapStatistics gives months without an interval when the slope's interval reaches zero;
        // the report then gives none (see `AggregateStatistics.educationalAgeMonths`).
        #expect(educationalAge.monthsOfLearning.confidenceInterval != nil, "this data has a clear age gradient")
        let months = try #require(row.months?.value)
        expectClose(months.months.value, educationalAge.monthsOfLearning.months, tolerance: 1e-7, "months")
        expectClose(months.months.lower, educationalAge.monthsOfLearning.confidenceInterval?.lower, tolerance: 1e-7, "months lower")
        expectClose(months.months.upper, educationalAge.monthsOfLearning.confidenceInterval?.upper, tolerance: 1e-7, "months upper")
        expectClose(months.ratePerMonth?.value, educationalAge.gradient.slope, "slope")
        #expect(months.method == MonthsOfLearningMethod.educationalAge.rawValue)
        #expect(months.note == educationalAge.monthsOfLearning.note)
    }

    @Test func monthsAreRefusedWhenTheAgeGradientIsTooWeakToConvert() throws {
        // Ages unrelated to scores: any slope is noise. The first seed whose slope is positive but
        // whose 95% interval includes zero is used (a fixed search, so the test is the same every run).
        let z = 1.959963984540054
        for seed in UInt64(1)...200 {
            var generator = SeededGenerator(seed: seed)
            let d = normalSample(count: 60, mean: 95, standardDeviation: 15, using: &generator)
            let o = normalSample(count: 140, mean: 100, standardDeviation: 15, using: &generator)
            let ages = (0..<200).map { _ in 120 + Double(generator.index(below: 12)) }
            guard let reference = try? EducationalAgeGap(
                students: zip(d + o, ages).enumerated().map { (score: $1.0, ageInMonths: $1.1, isDisadvantaged: $0 < 60) }),
                reference.gradient.slope - z * reference.gradient.slopeStandardError <= 0 else { continue }
            // GapStatistics still gives a figure, without an interval; the report gives none.
            #expect(reference.monthsOfLearning.confidenceInterval == nil)
            let row = TermlyGapReportBuilder().subjectGap(Self.subjectData(d, o, ages: ages))
            #expect(row.months == nil)
            #expect(row.monthsConversions.first { $0.method == "educationalAge" }?.refusal?.contains("the age gradient's 95% interval includes zero") == true)
            #expect(row.monthsConversions.first { $0.method == "progressRate" }?.refusal?.contains("no earlier assessment") == true)
            #expect(row.gapIndex.value != nil)
            return
        }
        Issue.record("no seed from 1 to 200 gave a weak positive gradient")
    }

    @Test func monthsAreRefusedWhenRankDoesNotRiseWithAge() throws {
        var generator = SeededGenerator(seed: 9)
        let d = normalSample(count: 30, mean: 95, standardDeviation: 10, using: &generator)
        let o = normalSample(count: 30, mean: 100, standardDeviation: 10, using: &generator)
        let scores = d + o
        // Younger students score higher: a negative gradient.
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var ages = [Double](repeating: 0, count: scores.count)
        for (position, index) in order.enumerated() { ages[index] = 131 - Double(position % 12) - Double(position) / 10 }
        let row = TermlyGapReportBuilder().subjectGap(Self.subjectData(d, o, ages: ages))
        #expect(row.months == nil)
        #expect(row.monthsConversions.first { $0.method == "educationalAge" }?.refusal?.contains("does not rise with age") == true)
        #expect(throws: MonthsOfLearningError.self) {
            try EducationalAgeGap(students: zip(scores, ages).enumerated().map { (score: $1.0, ageInMonths: $1.1, isDisadvantaged: $0 < 30) })
        }
    }

    @Test func attendanceRatioEstimatorMatchesADirectComputation() throws {
        var generator = SeededGenerator(seed: 5)
        var possible = [Int]()
        var attended = [Int]()
        for _ in 0..<60 {
            let p = 100 + generator.index(below: 40)
            possible.append(p)
            attended.append(p - generator.index(below: p / 4))
        }
        let aggregates = AttendanceAggregates(
            group: .disadvantaged, students: 60, possible: possible.reduce(0, +), attended: attended.reduce(0, +),
            sumAttendedSquared: attended.map { Double($0 * $0) }.reduce(0, +), sumPossibleSquared: possible.map { Double($0 * $0) }.reduce(0, +),
            sumAttendedTimesPossible: zip(attended, possible).map { Double($0 * $1) }.reduce(0, +),
            persistentlyAbsent: zip(attended, possible).filter { ($1 - $0) * 10 >= $1 }.count, severelyAbsent: 0)
        let result = try #require(AggregateStatistics.attendance(aggregates, level: 0.95))
        // Direct: R = Σa/Σp; residuals eᵢ = aᵢ − R·pᵢ; SE = √(Σe²/(n(n−1))) / p̄.
        let r = Double(attended.reduce(0, +)) / Double(possible.reduce(0, +))
        let residuals = zip(attended, possible).map { Double($0) - r * Double($1) }
        let meanPossible = Double(possible.reduce(0, +)) / 60
        let se = (residuals.map { $0 * $0 }.reduce(0, +) / (60 * 59)).squareRoot() / meanPossible
        expectClose(result.estimate.value, 100 * r, "attendance")
        expectClose(result.standardError, 100 * se, tolerance: 1e-9, "standard error")
        expectClose(result.estimate.lower, 100 * (r - 1.959963984540054 * se), tolerance: 1e-7, "lower")

        let persistent = try #require(AggregateStatistics.percentage(aggregates.persistentlyAbsent, of: 60, level: 0.95))
        let wilson = try Proportion(count: aggregates.persistentlyAbsent, outOf: 60)
        expectClose(persistent.value, 100 * wilson.value, "persistent")
        expectClose(persistent.lower, 100 * wilson.confidenceInterval.lower, "persistent lower")
    }

    @Test func persistentAbsenceGapUsesNewcombesHybridScoreInterval() throws {
        // Wilson limits written out: (2np̂ + z² ± z√(4np̂(1 − p̂) + z²)) / (2(n + z²)); Newcombe's
        // method 10: d − √((p̂₁ − L₁)² + (U₂ − p̂₂)²) to d + √((U₁ − p̂₁)² + (p̂₂ − L₂)²).
        let z = 1.959963984540054
        func wilson(_ k: Double, _ n: Double) -> (Double, Double) {
            let p = k / n
            let root = z * (4 * n * p * (1 - p) + z * z).squareRoot()
            return ((2 * n * p + z * z - root) / (2 * (n + z * z)), (2 * n * p + z * z + root) / (2 * (n + z * z)))
        }
        let (l1, u1) = wilson(18, 60)
        let (l2, u2) = wilson(15, 140)
        let p1 = 18.0 / 60
        let p2 = 15.0 / 140
        let estimate = TermlyGapReportBuilder.proportionDifference(18, of: 60, minus: 15, of: 140, level: 0.95)
        expectClose(estimate.value, 100 * (p1 - p2), "difference")
        expectClose(estimate.lower, 100 * (p1 - p2 - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()), tolerance: 1e-9, "lower")
        expectClose(estimate.upper, 100 * (p1 - p2 + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()), tolerance: 1e-9, "upper")
        #expect(try #require(estimate.lower) > 0, "18/60 against 15/140 is a clear difference")
    }
}
