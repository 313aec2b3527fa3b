import CSVFormat
@testable import DemoData
import Foundation
import GapTrackDomain
import Testing

/// The demo school's targeted interventions can each be judged within the year, and have reviews
/// (docs/methodology.md §6.6), drawn from streams of their own.
@Suite struct SchoolSupportReviewsTests {
    @Test func targetedMentoringRunsInTheSpringAndLanguageSupportEndsBeforeTheSummerAssessments() throws {
        let files = try DefaultDemo.get()
        var mentoring = 0, language = 0
        for record in try files.records(.academy, .support) {
            guard let target = record.optionalValue("target") else { continue }
            let start = try record.date("start_date")
            switch try record.value("type") {
            case "mentoring":
                mentoring += 1
                #expect(target == "attendance")
                // From the school's first spring day (7 January 2025): the autumn term is its "before".
                #expect(start >= CalendarDate(year: 2025, month: 1, day: 7)!, "\(record.lineNumber)")
            case "language_support":
                language += 1
                // After the November assessments, to the end of the spring term as reports count it.
                #expect(start >= CalendarDate(year: 2024, month: 12, day: 2)! && start <= CalendarDate(year: 2025, month: 1, day: 10)!)
                #expect(try record.optionalDate("end_date") == CalendarDate(year: 2025, month: 3, day: 31)!, "\(record.lineNumber)")
            default:
                break
            }
        }
        #expect(mentoring > 20 && language > 5, "mentoring \(mentoring), language support \(language)")
    }

    @Test func reviewsAreTheSameForTheSameSeedAndEachNamesADeliveredRecord() throws {
        let files = try DefaultDemo.get()
        let folder = files.folder.appendingPathComponent(DemoProvider.academy.code)
        let text = try String(contentsOf: folder.appendingPathComponent(SchoolSupportReviews.fileName), encoding: .utf8)
        let again = FileManager.default.temporaryDirectory.appendingPathComponent("reviews-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: again, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: again) }
        let url = try SchoolSupportReviews(options: DemoOptions()).write(into: again)
        #expect(try String(contentsOf: url, encoding: .utf8) == text)

        var starts = [String: (type: String, start: CalendarDate, status: String)]()
        for record in try files.records(.academy, .support) {
            starts[try record.value("reference")] = (try record.value("type"), try record.date("start_date"), try record.value("status"))
        }
        let reviews = try CSVReader(string: text).readAll()
        #expect(reviews.first?.fields == SchoolSupportReviews.header)
        #expect(reviews.count > 100)
        var withExit = 0
        for review in reviews.dropFirst() {
            let record = try #require(starts[review.fields[0]], "line \(review.lineNumber)")
            #expect(["tutoring", "mentoring", "language_support"].contains(record.type) && ["active", "ended"].contains(record.status))
            #expect(try CalendarDate(parsing: review.fields[1]) >= record.start, "line \(review.lineNumber)")
            #expect(!review.fields[2].isEmpty && !review.fields[3].isEmpty)
            if !review.fields[5].isEmpty { withExit += 1 }
        }
        #expect(withExit > 10, "follow-ups carry the exit result")
        // The reviews are not one of the import files the determinism tests pin.
        #expect(!files.dataSet.providers.flatMap(\.files).contains { $0.url.lastPathComponent == SchoolSupportReviews.fileName })
    }
}
