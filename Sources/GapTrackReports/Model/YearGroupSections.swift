import GapTrackDomain
import GapTrackStore

/// One year group of a report that spans several (a key stage, the whole school): its group
/// sizes, attainment gap per subject and attendance by group, computed over the year group alone
/// (docs/methodology.md §7.2). Ranks, and so the gap index, are within the year group: pupils of
/// different years never sit the same assessment point.
public struct YearGroupSection: Sendable, Equatable, Codable {
    public var cohort: ReportCohort
    /// The whole year group, the disadvantaged and the others.
    public var groupSizes: [GroupSize]
    public var attainment: [SubjectGap]
    public var attendance: AttendanceSection

    /// The groups a year group's section shows: the breakdown is of the gap, not of every subgroup.
    public static let groups: [ReportGroup] = [.cohort, .disadvantaged, .others]

    public init(cohort: ReportCohort, groupSizes: [GroupSize], attainment: [SubjectGap], attendance: AttendanceSection) {
        self.cohort = cohort
        self.groupSizes = groupSizes
        self.attainment = attainment
        self.attendance = attendance
    }
}

/// What one year group's section is built from: the same aggregates a one-year report reads, for
/// the year group's students (after any filter).
public struct YearGroupAggregates: Sendable, Equatable, Codable {
    public var cohort: ReportCohort
    public var cohortSize: Int
    public var groupCounts: [ReportGroup: Int]
    public var subjects: [SubjectAggregates]
    public var attendance: [AttendanceAggregates]

    public init(cohort: ReportCohort, cohortSize: Int, groupCounts: [ReportGroup: Int], subjects: [SubjectAggregates], attendance: [AttendanceAggregates]) {
        self.cohort = cohort
        self.cohortSize = cohortSize
        self.groupCounts = groupCounts
        self.subjects = subjects
        self.attendance = attendance
    }
}

extension TermlyGapReport {
    /// The report as one year group's section would read on its own, so each renderer prints the
    /// section with the tables it prints for the whole report.
    public func view(of section: YearGroupSection) -> TermlyGapReport {
        var view = self
        view.cohort = section.cohort
        view.groupSizes = section.groupSizes
        view.attainment = section.attainment
        view.attendance = section.attendance
        view.yearGroups = nil
        return view
    }
}
