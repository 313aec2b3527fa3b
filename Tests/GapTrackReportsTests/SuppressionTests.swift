import DisclosureControl
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import Testing

/// The governors' shaping of the sample report: small groups show `c`, and nothing withheld can
/// be worked out from what is shown (docs/methodology.md §7.6).
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
        #expect(report.suppressionNotes.contains("Group sizes, Looked after or previously looked after (LAC/PLAC): fewer than 10 pupils (primary)."))
        // The rendered formats print the mark, never the number.
        let table = TerminalReportRenderer.render(report)
        let line = try #require(table.split(separator: "\n").first { $0.contains("Looked after or previously looked after (LAC/PLAC)") })
        #expect(line.split(separator: " ").suffix(2) == ["c", "c"])
    }

    @Test func aSuppressedPartOfATotalTakesAnotherFigureOfThePartitionWithIt() throws {
        // SEN = EHC plan (5) + SEN support (22); showing 22 and 27 would reveal the 5.
        #expect(report.groupSize(.senEHCPlan)?.students == .suppressed(.belowThreshold(threshold: 10)))
        let support = try #require(report.groupSize(.senSupport)).students
        let sen = try #require(report.groupSize(.sen)).students
        #expect(support == .suppressed(.protectsSuppressedCell) || sen == .suppressed(.protectsSuppressedCell))
        // Zero counts are withheld too: "none of this group" is itself disclosive.
        #expect(report.groupSize(.refugee)?.students == .suppressed(.belowThreshold(threshold: 10)))
    }

    @Test func fewDisadvantagedStudentsHideAFigureThatWouldGiveThemAwayAndEveryGap() throws {
        var data = SampleReport.data()
        data.groupCounts[.disadvantaged] = 7
        data.groupCounts[.others] = 173
        data.attendance = [
            SampleReport.attendance(.cohort, students: 180, meanAbsence: 0.06, seed: 1),
            SampleReport.attendance(.disadvantaged, students: 7, meanAbsence: 0.09, seed: 2),
            SampleReport.attendance(.others, students: 173, meanAbsence: 0.05, seed: 3),
        ]
        let report = try TermlyReportShaping().shape(TermlyGapReportBuilder().build(data), data: data, for: .governors)
        #expect(report.groupSize(.disadvantaged)?.students == .suppressed(.belowThreshold(threshold: 10)))
        let others = try #require(report.groupSize(.others)).students
        let cohort = try #require(report.groupSize(.cohort)).students
        #expect(others.isSuppressed || cohort.isSuppressed)
        #expect(report.attendance.attendanceGap.isSuppressed)
        #expect(report.attendance.persistentAbsenceGap.isSuppressed)
        #expect(try DisclosureAuditor().audit(try TermlyReportTables.published(report, data: data)).passes)
    }

    @Test func aSmallSupportTypeIsWithheldAndCannotBeWorkedOutFromTheTotal() throws {
        let rows = report.support.byType
        let bursary = try #require(rows.first { $0.type == "bursary" })
        #expect(bursary.spend == .suppressed(.belowThreshold(threshold: 10)))
        // Spend adds up to the total: some other figure of the sum is withheld with it.
        let others = rows.filter { $0.type != "bursary" }.map(\.spend) + [report.support.total.spend]
        #expect(others.contains(.suppressed(.protectsSuppressedCell)))
        let mentoring = try #require(rows.first { $0.type == "mentoring" })
        #expect(mentoring.disadvantagedStudents == .suppressed(.belowThreshold(threshold: 10)))
        #expect(try DisclosureAuditor().audit(try TermlyReportTables.published(report, data: SampleReport.data())).passes)
    }

    @Test func aSubjectWithFewDisadvantagedStudentsHasNoGap() throws {
        let science = try #require(report.attainment(subject: "science"))
        #expect(science.disadvantaged.isSuppressed && science.gapIndex.isSuppressed && science.months?.isSuppressed != false)
        #expect(report.suppressionNotes.contains { $0.hasPrefix("Attainment, science (Autumn mock), disadvantaged pupils: fewer than 10 pupils (primary)") })
        let csv = CSVReportRenderer.rows(report).filter { $0.subject == "science" && $0.measure != "students" }
        #expect(!csv.isEmpty)
    }

    @Test func theStaffReportOfTheSameDataWithholdsNothingAndMarksTheSmallGroups() throws {
        let staff = SampleReport.report(for: .staff)
        #expect(staff.groupSize(.lookedAfter)?.students == .value(4))
        #expect(staff.groupSize(.lookedAfter)?.treatWithCare == true)
        #expect(staff.groupSize(.refugee)?.students == .value(0))
        #expect(staff.support.byType.first { $0.type == "bursary" }?.spend.isSuppressed == false)
        #expect(staff.suppressionNotes.first == "† fewer than 10 pupils: treat with care.")
        let science = try #require(staff.attainment(subject: "science"))
        #expect(!science.gapIndex.isSuppressed && science.treatWithCare == true)
    }
}
