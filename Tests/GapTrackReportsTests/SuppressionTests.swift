import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import Testing

/// Small groups show `c`, and no total lets a withheld figure be worked out by subtraction.
@Suite struct SuppressionTests {
    let report = SampleReport.report()

    @Test func aSmallSubgroupIsSuppressedInGroupSizesAndAttendance() throws {
        // Four looked-after students: below the threshold of 10.
        let lookedAfter = try #require(report.groupSize(.lookedAfter))
        #expect(lookedAfter.students == .suppressed(.belowThreshold(threshold: 10)))
        #expect(lookedAfter.percentOfCohort.isSuppressed)
        #expect(lookedAfter.students.text == "c")
        let attendance = try #require(report.attendance.row(.lookedAfter))
        #expect(attendance.attendance.isSuppressed && attendance.persistentAbsence.isSuppressed && attendance.students.isSuppressed)
        #expect(report.suppressionNotes.contains("Group sizes, Looked after or previously looked after (LAC/PLAC): fewer than 10 students."))
        // The rendered formats print the mark, never the number.
        let table = TerminalReportRenderer.render(report)
        let line = try #require(table.split(separator: "\n").first { $0.contains("Looked after or previously looked after (LAC/PLAC)") })
        #expect(line.hasSuffix("c  c") || line.split(separator: " ").suffix(2) == ["c", "c"])
    }

    @Test func aSuppressedPartOfATotalTakesTheSmallestOtherPartWithIt() throws {
        // SEN = EHC plan (5) + SEN support (22); showing 22 and 27 would reveal the 5.
        #expect(report.groupSize(.senEHCPlan)?.students == .suppressed(.belowThreshold(threshold: 10)))
        #expect(report.groupSize(.senSupport)?.students == .suppressed(.protectsSuppressedCell))
        #expect(report.groupSize(.sen)?.students == .value(27))
        // Zero counts are withheld too: "none of this group" is itself disclosive.
        #expect(report.groupSize(.refugee)?.students == .suppressed(.belowThreshold(threshold: 10)))
    }

    @Test func fewDisadvantagedStudentsHideTheOthersAndEveryGap() throws {
        var data = SampleReport.data()
        data.groupCounts[.disadvantaged] = 7
        data.groupCounts[.others] = 173
        data.attendance = [
            SampleReport.attendance(.cohort, students: 180, meanAbsence: 0.06, seed: 1),
            SampleReport.attendance(.disadvantaged, students: 7, meanAbsence: 0.09, seed: 2),
            SampleReport.attendance(.others, students: 173, meanAbsence: 0.05, seed: 3),
        ]
        let report = TermlyGapReportBuilder().build(data)
        #expect(report.groupSize(.disadvantaged)?.students == .suppressed(.belowThreshold(threshold: 10)))
        #expect(report.groupSize(.others)?.students == .suppressed(.protectsSuppressedCell))
        #expect(report.groupSize(.cohort)?.students == .value(180))
        #expect(report.attendance.row(.others)?.students == .suppressed(.protectsSuppressedCell))
        #expect(report.attendance.attendanceGap == .suppressed(.groupBelowThreshold(group: "disadvantaged", threshold: 10)))
        #expect(report.attendance.persistentAbsenceGap.isSuppressed)
    }

    @Test func oneSuppressedSupportTypeTakesTheSmallestOtherTypeWithIt() throws {
        let rows = report.support.byType
        let bursary = try #require(rows.first { $0.type == "bursary" })
        let food = try #require(rows.first { $0.type == "food_support" })
        let mentoring = try #require(rows.first { $0.type == "mentoring" })
        #expect(bursary.spend == .suppressed(.belowThreshold(threshold: 10)))
        // Spend adds up to the total shown, so the next smallest type (food support, 12 students)
        // is withheld as well; mentoring (14) is shown.
        #expect(food.spend == .suppressed(.protectsSuppressedCell))
        #expect(mentoring.spend == .value(try PoundsAndPence(pounds: 1_400)))
        #expect(mentoring.disadvantagedStudents == .suppressed(.belowThreshold(threshold: 10)))
        #expect(report.support.total.spend == .value(try PoundsAndPence(pounds: 11_480, pence: 50)))
        // £11,480.50 over 46 students = £249.576… → £249.58.
        #expect(report.support.total.spendPerStudent == .value(try PoundsAndPence(pence: 24_958)))
    }

    @Test func aSubjectWithFewDisadvantagedStudentsIsSuppressedWholly() throws {
        let science = try #require(report.attainment(subject: "science"))
        #expect(science.gapIndex.isSuppressed && science.others.isSuppressed && science.months == .suppressed(.groupBelowThreshold(group: "disadvantaged", threshold: 10)))
        #expect(report.suppressionNotes.contains("Attainment, science (Autumn mock): the disadvantaged group has fewer than 10 students."))
        let csv = CSVReportRenderer.rows(report).filter { $0.subject == "science" }
        #expect(!csv.isEmpty && csv.allSatisfy { $0.value == "c" || $0.value.isEmpty })
    }

    @Test func cellSuppressionKeepsGoingUntilNoPartitionHasOneWithheldCell() {
        // SMC: professional 30, intermediate 4, lower 20 → declared 54; declared 54 + not declared 6 = 60.
        var suppression = CellSuppression(rule: .standard)
        let counts = ["p": 30, "i": 4, "l": 20, "declared": 54, "not": 6, "cohort": 60]
        suppression.apply(
            counts: counts, order: ["cohort", "p", "i", "l", "declared", "not"],
            partitions: [.init(cells: ["p", "i", "l"], total: "declared"), .init(cells: ["declared", "not"], total: "cohort")])
        #expect(suppression.reason("i") == .belowThreshold(threshold: 10))
        #expect(suppression.reason("l") == .protectsSuppressedCell)
        #expect(suppression.reason("not") == .belowThreshold(threshold: 10))
        #expect(suppression.reason("declared") == .protectsSuppressedCell)
        #expect(suppression.reason("p") == nil && suppression.reason("cohort") == nil)
    }
}
