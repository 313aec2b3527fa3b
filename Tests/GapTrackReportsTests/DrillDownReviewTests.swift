import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// Reviews of an intervention in the staff drill-down (docs/methodology.md §6.6, §7.7): listed
/// under the record they review in every format, gone with a restricted record, and never in a
/// governors' or public report.
@Suite struct DrillDownReviewTests {
    /// Two reviews of Able's tutoring (the second with a two-line note), one of Brook's restricted
    /// tutoring (DrillDownFixture).
    static func addReviews(on connection: PostgresConnection) throws {
        func review(_ surname: String, restricted: Bool, _ date: String, _ reviewer: String, _ note: String, entry: String?, exit: String?) throws {
            try connection.query(
                """
                INSERT INTO support_reviews (provider_id, support_id, reviewed_on, reviewer, progress_note, entry_result, exit_result)
                SELECT r.provider_id, r.support_id, $3::date, $4, $5, $6, $7
                FROM support_records r JOIN students s ON s.student_id = r.student_id
                WHERE s.legal_surname = $1 AND r.type = 'tutoring' AND r.restricted = $2
                """, [surname, restricted, date, reviewer, note, entry, exit])
        }
        try review("Able", restricted: false, "2025-05-12", "Ms Khan", "Fractions secure; next: ratio.", entry: "3", exit: nil)
        try review("Able", restricted: false, "2025-06-20", "Mr Osei", "Ratio secure.\nReady for the GCSE.", entry: "3", exit: "5")
        try review("Brook", restricted: true, "2025-05-14", "Ms Khan", "Settling in well after the move.", entry: nil, exit: nil)
    }

    @Test func eachPupilsReviewsAreListedInEveryFormatAndGoWithARestrictedRecord() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try DrillDownFixture.load(on: connection)
            try Self.addReviews(on: connection)
            let queries = StudentDrillDownQueries(connection: connection)
            let tutoring = try queries.drillDown(DrillDownFixture.request(type: "tutoring"), access: DrillDownFixture.dataLead)
            let able = try #require(tutoring.pupils.first { $0.surname == "Able" })
            #expect(able.support.map { $0.reviews.map(\.reviewer) } == [["Ms Khan", "Mr Osei"]], "oldest first, under their record")
            #expect(able.support[0].reviews[1] == DrillDownReview(
                date: CalendarDate(year: 2025, month: 6, day: 20)!, reviewer: "Mr Osei", progressNote: "Ratio secure.\nReady for the GCSE.",
                entryResult: "3", exitResult: "5"))
            #expect(able.support[0].reviews[1].text == "2025-06-20 Mr Osei (entry 3, exit 5): Ratio secure. Ready for the GCSE.")
            #expect(able.support[0].reviews[0].text == "2025-05-12 Ms Khan (entry 3): Fractions secure; next: ratio.")
            let brook = try #require(tutoring.pupils.first { $0.surname == "Brook" })
            #expect(brook.support.flatMap(\.reviews).map(\.progressNote) == ["Settling in well after the move."])

            for format in ReportFormat.allCases {
                let text = try format.render(tutoring)
                for expected in ["Ms Khan", "Mr Osei", "Fractions secure", "Ready for the GCSE", "2025-06-20", "Settling in well"] {
                    #expect(text.contains(expected), "\(format): \(expected)")
                }
                #expect(text.contains(format == .json ? #""exitResult" : "5""# : "(entry 3, exit 5)"), "\(format)")
            }
            // A staff token's list leaves out the restricted record, and its review with it.
            let staff = try queries.drillDown(
                DrillDownFixture.request(type: "tutoring"), access: DrillDownAccess(audience: .staff, restrictedRecords: .omitted))
            #expect(staff.pupils.map(\.surname) == ["Able"])
            for format in ReportFormat.allCases {
                let text = try format.render(staff)
                #expect(text.contains("Mr Osei") && !text.contains("Settling in well"), "\(format)")
            }
            let csv = try ReportFormat.csv.render(staff)
            #expect(csv.hasPrefix(DrillDownRenderers.csvHeader.joined(separator: ",")) && DrillDownRenderers.csvHeader.last == "reviews")
        }
    }

    @Test func aStaffTermlyReportListsReviewsAndNoGovernorsOrPublicReportHasThem() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try DrillDownFixture.load(on: connection)
            try Self.addReviews(on: connection)
            let queries = StudentDrillDownQueries(connection: connection)
            var report = try TermlyReportQueries(connection: connection)
                .report(provider: DrillDownFixture.provider, cohort: "year-11", term: DrillDownFixture.summer)
            report.drillDown = try queries.sections(for: report, access: .staffReport)
            for format in ReportFormat.allCases {
                let text = try format.render(report)
                #expect(text.contains("Mr Osei") && text.contains("Fractions secure"), "\(format): the staff report lists the reviews")
            }
            // A governors' report gets no drill-down even when asked with a staff report's access.
            var governorsReport = try TermlyReportQueries(connection: connection)
                .report(provider: DrillDownFixture.provider, cohort: "year-11", term: DrillDownFixture.summer, audience: .governors)
            #expect(try queries.sections(for: governorsReport, access: .staffReport) == nil)
            governorsReport.drillDown = try queries.sections(for: governorsReport, access: .staffReport)
            #expect(!(try ReportFormat.csv.render(governorsReport)).contains("Mr Osei"))
            for audience in [ReportAudience.governors, .public] {
                var shaped = report
                shaped.drillDown = try queries.sections(for: report, access: DrillDownAccess(audience: audience, restrictedRecords: .included))
                for format in ReportFormat.allCases {
                    let text = try format.render(shaped)
                    for note in ["Ms Khan", "Mr Osei", "Fractions secure", "Ready for the GCSE", "Settling in well"] {
                        #expect(!text.contains(note), "\(audience) \(format): \(note)")
                    }
                }
            }
        }
    }
}
