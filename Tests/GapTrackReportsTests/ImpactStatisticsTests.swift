import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import TestSupport
import Testing

/// The stratified (coarsened exact matching) estimator, the count suppression and the request
/// parsing, without a database.
@Suite struct ImpactStatisticsTests {
    /// Random outcomes in a few strata, some without comparison students.
    static func strata(seed: UInt64) -> [(key: String, participants: [Double], comparison: [Double])] {
        var g = SeededGenerator(seed: seed)
        return (0..<7).map { index in
            let p = (0..<(index == 3 ? 1 : 2 + g.index(below: 12))).map { _ in 0.4 + Double(index) * 0.1 + Normal.sample(using: &g) }
            let c = index == 5 ? [] : (0..<(1 + g.index(below: 20))).map { _ in Double(index) * 0.1 + 1.3 * Normal.sample(using: &g) }
            return ("s\(index)", p, c)
        }
    }

    static func matched(_ data: [(key: String, participants: [Double], comparison: [Double])]) -> [MatchedStratum] {
        data.map { MatchedStratum(key: $0.key, participants: OutcomeMoments($0.participants), comparison: OutcomeMoments($0.comparison)) }
    }

    /// The estimate against CEM's own definition: each comparison student weighted
    /// (m_P,s / m_C,s)·(m_C / m_P) (Iacus, King and Porro 2012), participants weighted 1, and the
    /// variance against the stratum-by-stratum formula on the students' values.
    @Test(arguments: [UInt64(1), 2, 3])
    func estimateIsTheCEMWeightedDifference(seed: UInt64) throws {
        let data = Self.strata(seed: seed)
        let effect = try StratifiedEffect.estimate(strata: Self.matched(data)).get()
        let matched = data.filter { !$0.participants.isEmpty && !$0.comparison.isEmpty }
        let mP = Double(matched.reduce(0) { $0 + $1.participants.count })
        let mC = Double(matched.reduce(0) { $0 + $1.comparison.count })
        var weightedSum = 0.0, weightTotal = 0.0, participantSum = 0.0
        for stratum in matched {
            let weight = Double(stratum.participants.count) / Double(stratum.comparison.count) * mC / mP
            for y in stratum.comparison { weightedSum += weight * y; weightTotal += weight }
            participantSum += stratum.participants.reduce(0, +)
        }
        expectClose(weightTotal, mC, tolerance: 1e-9, "CEM weights add up to the matched comparison students")
        expectClose(effect.estimate, participantSum / mP - weightedSum / weightTotal, tolerance: 1e-12, "estimate")
        expectClose(effect.participantMean, participantSum / mP, tolerance: 1e-12, "participants' mean")
        expectClose(effect.comparisonMean, weightedSum / weightTotal, tolerance: 1e-12, "weighted comparison mean")

        func pooled(_ groups: [[Double]]) -> Double {
            let residuals = groups.flatMap { group in group.map { $0 - group.reduce(0, +) / Double(group.count) } }
            return residuals.reduce(0) { $0 + $1 * $1 } / Double(residuals.count - groups.count)
        }
        let varianceP = pooled(matched.map(\.participants)), varianceC = pooled(matched.map(\.comparison))
        let variance = matched.reduce(0.0) { total, stratum in
            let w = Double(stratum.participants.count) / mP
            return total + w * w * (varianceP / Double(stratum.participants.count) + varianceC / Double(stratum.comparison.count))
        }
        expectClose(effect.standardError, variance.squareRoot(), tolerance: 1e-12, "standard error")
        #expect(effect.matchedParticipants == Int(mP) && effect.matchedComparison == Int(mC))
        #expect(effect.unmatchedParticipants == data[5].participants.count, "the stratum without comparison students is unmatched")
        #expect(effect.matchedStrata == 6)
        let t = StudentT.criticalValue(level: 0.95, degreesOfFreedom: effect.degreesOfFreedom)
        expectClose(effect.confidenceInterval.upper - effect.estimate, t * effect.standardError, tolerance: 1e-12, "half-width")
    }

    @Test func withoutMatchesOrVariationThereIsNoEstimate() {
        let unmatched = [MatchedStratum(key: "a", participants: OutcomeMoments([1, 2, 3]), comparison: nil),
                         MatchedStratum(key: "b", participants: nil, comparison: OutcomeMoments([1, 2]))]
        #expect(StratifiedEffect.estimate(strata: unmatched) == .failure(.noMatchedStrata))
        let single = [MatchedStratum(key: "a", participants: OutcomeMoments([1]), comparison: OutcomeMoments([1, 2, 3]))]
        #expect(StratifiedEffect.estimate(strata: single) == .failure(.noVariance(group: "participants")))
        let flat = [MatchedStratum(key: "a", participants: OutcomeMoments([2, 2, 2]), comparison: OutcomeMoments([2, 2]))]
        #expect(StratifiedEffect.estimate(strata: flat) == .failure(.noVariance(group: "participants and comparison students")))
    }

    @Test func oneStudentStrataFallBackToTheGroupsOverallVariance() throws {
        // Every participant alone in a stratum: no within-stratum variation to pool.
        let strata = [(1.0, [0.0, 0.5]), (3.0, [1.0, 1.4]), (2.0, [0.2, 0.9])].enumerated().map { index, item in
            MatchedStratum(key: "s\(index)", participants: OutcomeMoments([item.0]), comparison: OutcomeMoments(item.1))
        }
        let effect = try StratifiedEffect.estimate(strata: strata).get()
        let participantVariance = 1.0  // variance of 1, 3, 2
        let comparisonVariance = [0.0, 0.5, 1.0, 1.4, 0.2, 0.9].enumerated().reduce(0.0) { total, item in
            let means = [0.25, 1.2, 0.55]
            let deviation = item.element - means[item.offset / 2]
            return total + deviation * deviation
        } / 3
        let expected = participantVariance / 3 + comparisonVariance * 3 * (1.0 / 9) / 2
        expectClose(effect.standardError, expected.squareRoot(), tolerance: 1e-12, "standard error")
    }

    /// 400 seeded fixture year groups, no database: the matched estimator is unbiased for the
    /// planted effect and its 95% interval covers it about 95% of the time, for a null and for
    /// a 0.3 SD effect, while selection makes the naive comparison's job harder.
    @Test(arguments: [0.0, 0.3])
    func estimatorIsUnbiasedAndCoversAtTheNominalRate(effect: Double) throws {
        let runs = 400
        var estimates = [Double]()
        var covered = 0
        for run in 0..<runs {
            let estimate = try ImpactSchoolTests.referenceEffect(ImpactFixture.school(count: 150, seed: UInt64(50_000 + run), effect: effect)).get()
            estimates.append(estimate.estimate)
            if estimate.confidenceInterval.contains(effect) { covered += 1 }
        }
        let mean = estimates.reduce(0, +) / Double(runs)
        let sd = (estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(runs - 1)).squareRoot()
        // The mean of 400 estimates has a standard error of sd/20 (about 0.007).
        #expect(abs(mean - effect) < 4 * sd / 20, "mean estimate \(mean) for a planted \(effect) (sd \(sd))")
        // Binomial(400, 0.95): 95% of runs give 371 to 389 covered; allow a little more either side.
        #expect((366...394).contains(covered), "covered \(covered) of \(runs)")
    }

    // MARK: - Requests

    @Test func assessmentPointsAreReadAsUsersWriteThem() throws {
        let plain = try AssessmentPointSelector(parsing: "maths@2024/25-autumn")
        let autumn = try AcademicTerm(parsing: "2024/25-autumn")
        #expect(plain.subject == "maths" && plain.name == nil && plain.term == autumn)
        let named = try AssessmentPointSelector(parsing: " English : Autumn mock @ 2024/25-Summer ")
        #expect(named.subject == "English" && named.name == "Autumn mock" && named.term.term == .summer)
        #expect(named.description == "English (Autumn mock), 2024/25 summer")
        for bad in ["maths", "maths@2024-autumn", "@2024/25-autumn", "maths@2024/25-winter"] {
            #expect(throws: ImpactError.badAssessmentPoint(bad)) { try AssessmentPointSelector(parsing: bad) }
        }
        #expect(ImpactError.badAssessmentPoint("maths").description.contains("maths@2024/25-autumn"))
    }


    @Test func termlyImpactSectionsAreReadAsTypeBeforeAfter() throws {
        let request = try ImpactRequest(
            termlySection: "Tuition, maths:Autumn mock@2024/25-autumn, maths@2024/25-summer", providerCode: "demo-academy", cohort: "year-11")
        #expect(request.intervention == .type(.tutoring))
        #expect(request.before?.name == "Autumn mock" && request.after?.term.term == .summer)
        #expect(request.cohort?.code == "year-11" && request.providerCode.value == "demo-academy")
        for bad in ["tutoring,maths@2024/25-autumn", "juggling,maths@2024/25-autumn,maths@2024/25-summer"] {
            #expect(throws: ImpactError.badTermlySection(bad)) { try ImpactRequest(termlySection: bad, providerCode: "demo-academy", cohort: "year-11") }
        }
    }
}
