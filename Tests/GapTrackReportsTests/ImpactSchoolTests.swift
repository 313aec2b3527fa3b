import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import GapTrackStore
import TestSupport
import Testing
import TestDatabase

/// `gaptrack report impact` for a school against real PostgreSQL, on synthetic year groups whose
/// true effect is known (`ImpactFixture`).
@Suite struct ImpactSchoolTests {
    @Test func plantedTutoringEffectIsRecoveredWithinItsInterval() throws {
        let pupils = ImpactFixture.school(count: 400, seed: 2024, effect: 0.3, attendanceEffect: 3, sessionsPerTerm: 60)
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.load(pupils, code: "planted", urn: 100_001, on: connection)
            let report = try ImpactFixture.report(try ImpactFixture.tutoringRequest(code: "planted"), on: connection)
            let attainment = try #require(report.outcome("attainment"))
            let effect = try #require(attainment.effect, "\(attainment.refusal ?? "")")
            let lower = try #require(effect.lower), upper = try #require(effect.upper)
            #expect(lower <= 0.3 && 0.3 <= upper, "planted 0.3 SD, estimated \(effect.value) (\(lower) to \(upper))")
            print("Planted 0.3 SD: estimated \(effect.value) (\(lower) to \(upper))")
            #expect(lower > 0, "a 0.3 SD effect on 400 pupils must be distinguishable from none")
            #expect(attainment.isPositiveAndClear)
            // EEF months of the estimate and of its interval's ends.
            let months = try #require(attainment.months)
            #expect(months.value == Double(try EEFMonths(effectSize: effect.value).months))
            #expect(months.lower == Double(try EEFMonths(effectSize: lower).months))
            #expect(months.upper == Double(try EEFMonths(effectSize: upper).months))

            let attendance = try #require(report.outcome("attendance")?.effect)
            let attendanceLower = try #require(attendance.lower), attendanceUpper = try #require(attendance.upper)
            #expect(attendanceLower <= 3 && 3 <= attendanceUpper, "planted +3 pp, estimated \(attendance.value) (\(attendanceLower) to \(attendanceUpper))")

            // A positive, clear effect has a price per month: spend per participant ÷ months.
            let participants = pupils.filter { $0.support == "ended" }
            let pence = participants.compactMap(\.pence).reduce(0, +)
            let divisor = participants.count * Int(months.value)
            #expect(report.costEffectiveness.poundsPerMonth == (try PoundsAndPence(pence: (pence + divisor / 2) / divisor)))
            #expect(report.count("participants")?.students == .value(participants.count))
        }
    }

    /// Pupils chosen on what teachers know (ability, not the before test): automatic banding
    /// finds their KS2 results and uses KS2 bands, which recover the planted effect; thirds of the
    /// before test would tie the strata to that test's noise and pull the estimate towards zero.
    @Test func pupilsChosenOnAbilityAreMatchedOnKS2Bands() throws {
        let pupils = ImpactFixture.school(count: 1_200, seed: 31, effect: 0.3, selection: .onAbility)
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.load(pupils, code: "ability", urn: 100_006, on: connection)
            let automatic = try ImpactFixture.report(try ImpactFixture.tutoringRequest(code: "ability", priorBand: .automatic), on: connection)
            #expect(automatic.method.contains { $0.topic == "Matching" && $0.text.contains("KS2 scaled score bands (below 100, 100–109, 110 or more) (Year 8)") })
            let effect = try #require(automatic.outcome("attainment")?.effect)
            let lower = try #require(effect.lower), upper = try #require(effect.upper)
            #expect(lower <= 0.3 && 0.3 <= upper, "planted 0.3 SD, KS2 bands estimated \(effect.value) (\(lower) to \(upper))")
            let thirds = try #require(try ImpactFixture.report(try ImpactFixture.tutoringRequest(code: "ability"), on: connection).outcome("attainment")?.effect)
            print("chosen on ability: KS2 bands \(effect.value) (\(lower) to \(upper)); thirds \(thirds.value) (\(thirds.lower ?? 0) to \(thirds.upper ?? 0))")
            #expect(thirds.value < effect.value, "bands of the before test (\(thirds.value)) pull the estimate below the KS2 bands' (\(effect.value))")
        }
    }

    /// The SQL strata, means and variances against the same computation done here on the pupils
    /// themselves: terciles by linear interpolation (percentile_cont), change over the before SD.
    @Test func sqlAggregatesMatchAReferenceComputedFromThePupils() throws {
        let pupils = ImpactFixture.school(count: 250, seed: 77, effect: 0.2)
        let expected = try Self.referenceEffect(pupils).get()
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.load(pupils, code: "reference", urn: 100_002, on: connection)
            // Another year group at the same school, which must not enter this cohort's figures.
            var others = ImpactFixture.school(count: 120, seed: 78, effect: 1, yearGroup: "9")
            for index in others.indices { others[index].reference = "Q\(index)" }
            try ImpactFixture.loadMore(others, code: "reference", on: connection)
            // The staff report: the true counts, whatever the governors' shaping withholds.
            let report = try ImpactFixture.report(try ImpactFixture.tutoringRequest(code: "reference", cohort: "year-8"), on: connection, audience: .staff)
            #expect(report.cohort == ReportCohort(code: "year-8", label: "Year 8"))
            let effect = try #require(report.outcome("attainment")?.effect)
            expectClose(effect.value, expected.estimate, "effect")
            expectClose(effect.lower, expected.confidenceInterval.lower, "lower")
            expectClose(effect.upper, expected.confidenceInterval.upper, "upper")
            #expect(report.outcome("attainment")?.participants == .value(expected.matchedParticipants))
            #expect(report.outcome("attainment")?.comparison == .value(expected.matchedComparison))
        }
    }

    /// With no effect planted, the 95% interval must cover zero in the large majority of seeded
    /// runs (34 of 40 or more; the expected number is 38).
    @Test func nullEffectIntervalCoversZeroInMostSeededRuns() throws {
        let runs = 40
        var covered = 0
        var estimates = [Double]()
        try TestDatabase.withMigratedDatabase { connection in
            for run in 0..<runs {
                let code = "null-\(run)"
                try ImpactFixture.load(ImpactFixture.school(count: 150, seed: UInt64(9_000 + run), effect: 0), code: code, urn: 200_000 + run, on: connection)
                let report = try ImpactFixture.report(try ImpactFixture.tutoringRequest(code: ProviderCode(parsing: code)), on: connection)
                let effect = try #require(report.outcome("attainment")?.effect, "run \(run): \(report.outcome("attainment")?.refusal ?? "")")
                estimates.append(effect.value)
                if let lower = effect.lower, let upper = effect.upper, lower <= 0, 0 <= upper { covered += 1 }
            }
        }
        #expect(covered >= 34, "the 95% interval covered 0 in \(covered) of \(runs) runs")
        print("Null effect: the 95% interval covered 0 in \(covered) of \(runs) seeded runs; mean estimate \(estimates.reduce(0, +) / Double(runs))")
        let mean = estimates.reduce(0, +) / Double(estimates.count)
        #expect(abs(mean) < 0.1, "mean estimate \(mean) over \(runs) null runs should be near 0")
    }

    @Test func tooFewParticipantsGiveARefusalNeverANumber() throws {
        let pupils = ImpactFixture.school(count: 90, seed: 5, effect: 0.3, participation: (0.06, 0.02))
        let participants = pupils.filter { $0.support == "ended" }.count
        try #require(participants > 0 && participants < 10, "the fixture should give a handful of participants, gave \(participants)")
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.load(pupils, code: "tiny", urn: 100_003, on: connection)
            let report = try ImpactFixture.report(try ImpactFixture.tutoringRequest(code: "tiny"), on: connection)
            let attainment = try #require(report.outcome("attainment"))
            #expect(attainment.effect == nil && attainment.months == nil && attainment.participantMean == nil)
            #expect(attainment.refusal?.contains("fewer than 10 participants could be matched") == true)
            #expect(attainment.participants.isSuppressed)
            #expect(report.count("participants")?.students.isSuppressed == true)
            #expect(report.costEffectiveness.poundsPerMonth == nil)
            #expect(report.spend.total.spend.isSuppressed && report.spend.total.perStudent.isSuppressed)
            let table = try ReportFormat.table.render(report)
            #expect(table.contains("no estimate"))
            let participantsLine = try #require(table.split(separator: "\n").first { $0.contains("Participants (support delivered in the period)") })
            #expect(participantsLine.hasSuffix(" c"), "the participant count must be withheld: \(participantsLine)")
            let json = try ReportFormat.json.render(report)
            #expect(!json.contains("\"effect\""), "a refused outcome has no effect in JSON")
        }
    }

    @Test func ks2BandingWithoutKS2ResultsLeavesEveryoneUnmatched() throws {
        let pupils = ImpactFixture.school(count: 200, seed: 8, effect: 0.3)
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.load(pupils, code: "no-ks2", urn: 100_004, on: connection)
            let report = try ImpactFixture.report(try ImpactFixture.tutoringRequest(code: "no-ks2", priorBand: .keyStage2), on: connection)
            let attainment = try #require(report.outcome("attainment"))
            #expect(attainment.effect == nil)
            #expect(attainment.refusal?.contains("no participant could be matched") == true)
            // Nobody matched (a count of 0, so withheld); every participant is counted as unmatched.
            #expect(report.count("attainment.matched")?.students.isSuppressed == true)
            let staff = try ImpactFixture.report(try ImpactFixture.tutoringRequest(code: "no-ks2", priorBand: .keyStage2), on: connection, audience: .staff)
            #expect(staff.count("attainment.matched")?.students == .value(0))
            #expect(staff.count("attainment.unmatched")?.students == staff.count("participants")?.students)
            // Staff: every count is shown; one of 1 to 9 pupils carries the mark, no other does.
            for row in staff.counts {
                let count = try #require(row.students.value, "\(row.id)")
                #expect(row.label.hasPrefix("† ") == (1..<10).contains(count), "\(row.id) \(count)")
            }
            // For governors, unmatched = participants beside two withheld counts would give both
            // away as zeros: one of the two shown counts is withheld with them.
            #expect(report.count("attainment.unmatched")?.students.isSuppressed == true || report.count("participants")?.students.isSuppressed == true)
        }
    }

    @Test func requestsThatCannotBeAnsweredSayWhy() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.load(ImpactFixture.school(count: 30, seed: 1, effect: 0), code: "errors", urn: 100_005, on: connection)
            #expect(throws: TermlyReportError.unknownProvider(code: "nowhere", known: ["errors"])) {
                try ImpactQueries.load(try ImpactFixture.tutoringRequest(code: "nowhere"), on: connection)
            }
            #expect(throws: ImpactError.unknownCohort("year-11", term: try AcademicTerm(parsing: "2024/25-autumn"), valid: ["year-8 (30)"])) {
                try ImpactQueries.load(try ImpactFixture.tutoringRequest(code: "errors", cohort: "Year 11"), on: connection)
            }
            var request = try ImpactFixture.tutoringRequest(code: "errors")
            request.before = try AssessmentPointSelector(parsing: "science@2024/25-autumn")
            #expect(throws: ImpactError.noSuchAssessment(request.before!, provider: "School errors")) {
                try ImpactQueries.load(request, on: connection)
            }
            request = try ImpactFixture.tutoringRequest(code: "errors")
            swap(&request.before, &request.after)
            #expect(throws: ImpactError.afterNotLater(before: request.before!, after: request.after!)) {
                try ImpactQueries.load(request, on: connection)
            }
            request = try ImpactFixture.tutoringRequest(code: "errors")
            request.intervention = .programme("NO-SUCH-")
            #expect(throws: ImpactError.unknownProgramme("NO-SUCH-", provider: "School errors")) {
                try ImpactQueries.load(request, on: connection)
            }
        }
    }

    // MARK: - Reference

    /// The stratified estimate computed here from the pupils (one year group), with the
    /// standardiser's variance term of `ImpactReportBuilder`.
    static func referenceEffect(_ pupils: [ImpactFixturePupil]) -> Result<StratifiedEffect, StratifiedEffect.Failure> {
        let befores = pupils.compactMap(\.before).map(Double.init).sorted()
        let mean = befores.reduce(0, +) / Double(befores.count)
        let sd = (befores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(befores.count - 1)).squareRoot()
        func quantile(_ f: Double) -> Double {
            let position = f * Double(befores.count - 1)
            let low = Int(position.rounded(.down)), high = Int(position.rounded(.up))
            return befores[low] + (position - Double(low)) * (befores[high] - befores[low])
        }
        let cuts = (quantile(1.0 / 3), quantile(2.0 / 3))
        var groups = [String: (participants: [Double], comparison: [Double])]()
        for pupil in pupils {
            guard let before = pupil.before, let after = pupil.after, pupil.support != "planned" else { continue }
            let score = Double(before)
            let band = score < cuts.0 ? 0 : (score < cuts.1 ? 1 : 2)
            let key = "\(pupil.disadvantaged) \(band)"
            let change = Double(after - before) / sd
            if pupil.support == "ended" { groups[key, default: ([], [])].participants.append(change) } else { groups[key, default: ([], [])].comparison.append(change) }
        }
        let strata = groups.keys.sorted().map { key in
            MatchedStratum(key: key, participants: OutcomeMoments(groups[key]!.participants), comparison: OutcomeMoments(groups[key]!.comparison))
        }
        let degrees = Double(befores.count - 1)
        return StratifiedEffect.estimate(strata: strata) { $0 * $0 / (2 * degrees) }
    }
}
