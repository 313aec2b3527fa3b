import DemoData
import Foundation
import GapStatistics
import GapTrackDomain
import Testing

/// Demo University's student-record extract and earlier intakes' support, read back from the files.
@Suite("Demo University's intakes, outcomes and planted support effect")
struct UniversityHistoryTests {
    /// One instance as student-records.csv gives it: entry fields from its first row, leaving
    /// fields from its last (docs/import-formats.md "Student records").
    struct Instance {
        var hesaID: String
        var entryYear: String
        var commenced: CalendarDate
        var course: String
        var partTime: Bool
        var tariff: Double
        var imd: String
        var left: CalendarDate?
        var reason: String?
        var classification: String?
        var rows = 0

        /// The OfS continuation rule (docs/methodology.md §11.3), nil when due after the data cut.
        var continued: Bool? {
            let due = commenced.adding(years: partTime ? 2 : 1).adding(days: 15)
            guard due <= UniversityOutcomeModel.dataCut else { return nil }
            guard let left, left < due else { return true }
            return reason == "01" || reason == "03"
        }
    }

    static func instances(_ files: GeneratedFiles) throws -> [String: Instance] {
        var instances: [String: Instance] = [:]
        for record in try files.records(.university, .studentRecords) {
            func value(_ column: String) -> String { record[column] ?? "" }
            let id = value("hesa_id")
            if instances[id] == nil {
                instances[id] = Instance(
                    hesaID: id, entryYear: value("academic_year"), commenced: try CalendarDate(parsing: value("commencement_date")),
                    course: value("course"), partTime: value("mode") == "31", tariff: try #require(Double(value("tariff_points"))),
                    imd: value("imd_quintile"))
            }
            instances[id]!.rows += 1
            if !value("leaving_date").isEmpty {
                instances[id]!.left = try CalendarDate(parsing: value("leaving_date"))
                instances[id]!.reason = value("rsnend")
                instances[id]!.classification = value("classification").isEmpty ? nil : value("classification")
            }
        }
        return instances
    }

    @Test("five intakes of 1,500; students.csv's entrants are the same people, leaving when students.csv says")
    func intakes() throws {
        let files = try DefaultDemo.get()
        let instances = try Self.instances(files)
        let byYear = Dictionary(grouping: instances.values, by: \.entryYear).mapValues(\.count)
        #expect(byYear == ["2020/21": 1_500, "2021/22": 1_500, "2022/23": 1_500, "2023/24": 1_500, "2024/25": 1_500])
        // students.csv: one row per enrolment year; the last one holds the leaving date.
        var lastLeave: [String: String] = [:]
        for record in try files.records(.university, .students) {
            lastLeave[record["hesa_id"] ?? ""] = record["leave_date"] ?? ""
        }
        #expect(lastLeave.count == 3_000)
        for (id, leave) in lastLeave {
            let instance = try #require(instances[id], "\(id) of students.csv has no student record")
            #expect((instance.left?.isoString ?? "") == leave, "\(id)")
        }
        // The earlier intakes have finished: 2020/21's full-time qualifiers graduated in 2023 with a class.
        let graduates = instances.values.filter { $0.entryYear == "2020/21" && $0.reason == "01" }
        #expect(graduates.count > 900)
        #expect(graduates.allSatisfy { $0.classification != nil && $0.left?.isoString == "2023-06-30" })
        #expect(instances.values.contains { $0.partTime })
    }

    /// The planted model (`UniversityOutcomeModel`): a bursary and a hardship award each add 6
    /// points of continuation given tariff, IMD, course, mode and year; food and housing add none.
    /// Regression adjustment on the files of the three earlier intakes (4,500 students) must put
    /// 6 points inside the intervals of the first two, and 0 inside those of the other two.
    @Test("the regression-adjusted evaluation recovers the planted 6-point effect and claims no effect of food or housing")
    func plantedEffect() throws {
        let files = try DefaultDemo.get()
        let instances = try Self.instances(files)
        var support: [String: Set<String>] = [:]
        for record in try files.records(.university, .supportHistory) {
            support[record["student"] ?? "", default: []].insert(record["type"] ?? "")
        }
        let kinds = ["bursary", "hardship_award", "food_support", "housing_support"]
        let units = try instances.values.filter { ["2020/21", "2021/22", "2022/23"].contains($0.entryYear) }
            .sorted { $0.hesaID < $1.hesaID }
            .map { instance in
                let received = support[instance.hesaID] ?? []
                return RegressionAdjustedEffect.Unit(
                    treatments: kinds.map(received.contains),
                    categorical: [instance.imd, instance.course, instance.partTime ? "PT" : "FT", instance.entryYear],
                    continuous: [instance.tariff], outcome: try #require(instance.continued) ? 1 : 0)
            }
        #expect(units.count == 4_500)
        let result = try RegressionAdjustedEffect.estimate(units)
        let intervals = try result.effects.map { try #require($0.interval) }
        #expect(intervals[0].contains(0.06), "bursary: \(intervals[0])")
        #expect(intervals[1].contains(0.06), "hardship award: \(intervals[1])")
        #expect(intervals[2].contains(0), "food: \(intervals[2])")
        #expect(intervals[3].contains(0), "housing: \(intervals[3])")
        // A real effect is told apart from none: the bursary's interval excludes 0.
        #expect(intervals[0].lower > 0)
        #expect(result.effects[0].treated > 700)
    }
}
