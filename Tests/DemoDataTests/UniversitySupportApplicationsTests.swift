import DemoData
import Foundation
import GapTrackDomain
import Testing

/// Demo University's support-applications.csv: every award has its eligible application, linked to
/// it; some applied and received nothing; the file comes from a stream of its own.
@Suite("Demo University's applications for support")
struct UniversitySupportApplicationsTests {
    @Test("every first-year award of the cost-of-living kinds has an eligible application naming it; refusals and withdrawals are there too")
    func awardsHaveApplications() throws {
        let files = try DefaultDemo.get()
        var references: [String: (student: String, type: String)] = [:]
        for file in [DemoFile.support, .supportHistory] {
            for record in try files.records(.university, file) {
                references[record["reference"] ?? ""] = (record["student"] ?? "", record["type"] ?? "")
            }
        }
        let applications = try files.records(.university, .supportApplications)
        var decisions: [String: Int] = [:]
        var linked = 0
        for application in applications {
            decisions[application["decision"] ?? "", default: 0] += 1
            guard let award = application["award_reference"], !award.isEmpty else { continue }
            linked += 1
            let target = try #require(references[award], "\(award) is not a support record")
            #expect(target.student == application["student"])
            #expect(["bursary", "hardship_award", "food_support", "housing_support"].contains(target.type))
            #expect(application["decision"] == "eligible")
        }
        #expect(linked > 500)
        #expect((decisions["ineligible"] ?? 0) > 50 && (decisions["withdrawn"] ?? 0) > 20 && (decisions[""] ?? 0) > 20)
        // Unique on (student, fund, date applied), as the import's key.
        let keys = applications.map { "\($0["student"] ?? "")|\($0["fund"] ?? "")|\($0["applied_on"] ?? "")" }
        #expect(Set(keys).count == keys.count)
    }
}
