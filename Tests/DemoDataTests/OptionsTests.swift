import DemoData
import Testing

@Suite("Demo options")
struct OptionsTests {
    @Test("year groups are read as the command line writes them")
    func yearGroupLists() throws {
        #expect(try DemoOptions.yearGroups(parsing: "7-11") == [7, 8, 9, 10, 11])
        #expect(try DemoOptions.yearGroups(parsing: "11") == [11])
        #expect(try DemoOptions.yearGroups(parsing: "7,9-11") == [7, 9, 10, 11])
        #expect(throws: DemoDataError.self) { try DemoOptions.yearGroups(parsing: "seven") }
        #expect(throws: DemoDataError.self) { try DemoOptions.yearGroups(parsing: "11-7") }
    }

    @Test("--only is school or university, in any case")
    func providerChoice() throws {
        #expect(try DemoOptions.ProviderChoice(parsing: "School") == .school)
        #expect(try DemoOptions.ProviderChoice(parsing: " university ") == .university)
        #expect(throws: DemoDataError.invalidOption(name: "--only", value: "college", expected: "school or university")) {
            try DemoOptions.ProviderChoice(parsing: "college")
        }
    }

    @Test("options the generator cannot make are refused with the option's name")
    func invalidOptions() {
        let cases: [(DemoOptions, String)] = [
            (DemoOptions(scale: 0), "--scale"),
            (DemoOptions(scale: 1_000), "--scale"),
            (DemoOptions(cohortSize: 0), "--cohort-size"),
            (DemoOptions(cohortSize: 1_000_000), "--cohort-size"),
            (DemoOptions(yearGroups: [6, 7]), "--year-groups"),
            (DemoOptions(yearGroups: [7, 7]), "--year-groups"),
            (DemoOptions(attendanceDays: 191), "--attendance-days"),
            (DemoOptions(attendanceDays: -1), "--attendance-days"),
            (DemoOptions(providers: []), "--only"),
        ]
        for (options, name) in cases {
            do {
                _ = try DemoGenerator(options: options)
                Issue.record("\(name) should have been refused")
            } catch {
                #expect(error.description.hasPrefix(name), "\(error.description)")
            }
        }
    }

    @Test("scale multiplies the cohorts and cohort size overrides it")
    func sizes() {
        #expect(DemoOptions().schoolCohortSize == 200)
        #expect(DemoOptions().universityIntakeSize == 1_500)
        #expect(DemoOptions(scale: 3).schoolCohortSize == 600)
        #expect(DemoOptions(scale: 3).universityIntakeSize == 4_500)
        #expect(DemoOptions(scale: 3, cohortSize: 600_000).schoolCohortSize == 600_000)
        #expect(DemoOptions(cohortSize: 600_000).universityIntakeSize == 600_000)
    }

    @Test("the school calendar has 190 days of Monday-to-Friday term time")
    func calendar() {
        let days = SchoolCalendar.year2024.schoolDays
        #expect(days.count == 190)
        #expect(days.allSatisfy { $0.isoWeekday <= 5 })
        #expect(days.first?.isoString == "2024-09-04")
        #expect(days.last?.isoString == "2025-07-18")
        #expect(Set(days).count == days.count)
        #expect(!days.contains { $0.isoString == "2025-05-05" })  // early May bank holiday
        #expect(!days.contains { $0.isoString == "2025-04-18" || $0.isoString == "2025-04-21" })  // Easter
    }
}
