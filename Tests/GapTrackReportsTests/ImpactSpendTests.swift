import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestSupport
import Testing
import TestDatabase

/// Spend to the penny, programmes named by a reference prefix, and suppression of small funding
/// sources, against real PostgreSQL.
@Suite struct ImpactSpendTests {
    /// 27 pupils in programme NTP-25 (13 Pupil Premium, one of them with no amount recorded; 11
    /// recovery at £333.33; 3 other at £19.99), 5 tutored by the school itself (SCH-), 4 with
    /// NTP-25 tutoring planned but never delivered, and 70 without tutoring.
    static func pupils() -> [ImpactFixturePupil] {
        var pupils = [ImpactFixturePupil]()
        func add(_ support: String?, reference: String?, pence: Int?, funding: String?) {
            let index = pupils.count
            let before = 88 + (index * 7) % 25
            pupils.append(ImpactFixturePupil(
                reference: "S\(index + 1)", yearGroup: "9", disadvantaged: index % 3 == 0, support: support, before: before,
                after: before + (index * 5) % 9 - 2, pence: pence, fundingSource: funding, supportReference: reference))
        }
        for i in 0..<12 { add("ended", reference: "NTP-25-\(100 + i)", pence: 25_000, funding: "pupil_premium") }
        add("ended", reference: "NTP-25-112", pence: nil, funding: "pupil_premium")
        for i in 0..<11 { add("ended", reference: "ntp-25-\(200 + i)", pence: 33_333, funding: "recovery") }
        for i in 0..<3 { add("ended", reference: "NTP-25-\(300 + i)", pence: 1_999, funding: "other") }
        for i in 0..<5 { add("ended", reference: "SCH-\(i)", pence: 10_000, funding: "other") }
        for i in 0..<4 { add("planned", reference: "NTP-25-\(400 + i)", pence: 25_000, funding: "pupil_premium") }
        for _ in 0..<70 { add(nil, reference: nil, pence: nil, funding: nil) }
        return pupils
    }

    static func rounded(_ pence: Int, per students: Int) -> PoundsAndPence {
        try! PoundsAndPence(pence: (pence + students / 2) / students)
    }

    @Test func programmeSpendIsExactToThePennyWithSmallSourcesWithheld() throws {
        let pupils = Self.pupils()
        let programme = pupils.filter { $0.support == "ended" && $0.supportReference?.uppercased().hasPrefix("NTP-25") == true }
        try TestDatabase.withMigratedDatabase { connection in
            try ImpactFixture.load(pupils, code: "spend", urn: 300_001, on: connection)
            var request = try ImpactFixture.tutoringRequest(code: "spend")
            request.intervention = .programme("NTP-25")
            let report = try ImpactFixture.report(request, on: connection)
            // Staff read every figure; the exact amounts are checked there.
            let staff = try ImpactFixture.report(request, on: connection, audience: .staff)

            #expect(report.intervention.label == "Programme NTP-25")
            #expect(staff.count("participants")?.students == .value(programme.count))
            // School tutoring and planned NTP-25 tutoring: in neither group (9 students, so withheld).
            #expect(report.count("excluded")?.students == .suppressed(.belowThreshold(threshold: 10)))

            let totalPence = programme.compactMap(\.pence).reduce(0, +)
            #expect(staff.spend.total.spend == .value(try PoundsAndPence(pence: totalPence)))
            #expect(staff.spend.total.perStudent == .value(Self.rounded(totalPence, per: programme.count)))
            #expect(report.spend.recordsWithoutAmount == .suppressed(.belowThreshold(threshold: 10)))

            let bySource = Dictionary(uniqueKeysWithValues: staff.spend.byFundingSource.map { ($0.id, $0) })
            let premium = programme.filter { $0.fundingSource == "pupil_premium" }
            let premiumPence = premium.compactMap(\.pence).reduce(0, +)
            #expect(bySource["pupil_premium"]?.students == .value(premium.count))
            #expect(bySource["pupil_premium"]?.spend == .value(try PoundsAndPence(pence: premiumPence)))
            #expect(bySource["pupil_premium"]?.perStudent == .value(Self.rounded(premiumPence, per: premium.count)))
            #expect(bySource["pupil_premium"]?.label == "Pupil premium")
            #expect(bySource["other"]?.spend == .value(try PoundsAndPence(pence: 3 * 1_999)))
            // Governors: 3 students withheld; then at least one other source, so that the total
            // does not give the other source's spend away (the auditor checks it in ImpactFixture.report).
            let governorsBySource = Dictionary(uniqueKeysWithValues: report.spend.byFundingSource.map { ($0.id, $0) })
            #expect(governorsBySource["other"]?.spend == .suppressed(.belowThreshold(threshold: 10)))
            #expect(governorsBySource["recovery"]?.spend == .suppressed(.protectsSuppressedCell)
                || governorsBySource["pupil_premium"]?.spend == .suppressed(.protectsSuppressedCell))

            let csv = try ReportFormat.csv.render(staff)
            let totalText = try PoundsAndPence(pence: totalPence).plainDecimal
            #expect(csv.contains(",spend,all,\(totalText),"), "the CSV states the total spend in plain pounds and pence")

            // The same records as a type: school tutoring now counts, planned tutoring still does not.
            let byType = try ImpactFixture.report(try ImpactFixture.tutoringRequest(code: "spend"), on: connection, audience: .staff)
            let tutored = pupils.filter { $0.support == "ended" }
            #expect(byType.count("participants")?.students == .value(tutored.count))
            #expect(byType.spend.total.spend == .value(try PoundsAndPence(pence: tutored.compactMap(\.pence).reduce(0, +))))
        }
    }
}
