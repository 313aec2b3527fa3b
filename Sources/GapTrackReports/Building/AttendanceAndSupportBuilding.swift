import GapStatistics
import GapTrackDomain
import GapTrackStore

extension TermlyGapReportBuilder {
    // MARK: - Attendance

    func attendanceSection(_ data: TermlyReportData) -> AttendanceSection {
        let groups = data.attendance
        var rows = [AttendanceRow]()
        var estimates = [String: (rate: Double, error: Double?)]()
        for group in groups {
            let key = group.group.id
            let attendance = AggregateStatistics.attendance(group, level: level)
            if let attendance { estimates[key] = (attendance.estimate.value, attendance.standardError) }
            // No sessions or no pupils: there is no rate to give.
            let none = ReportedFigure<Estimate>.suppressed(.groupBelowThreshold(group: relabelled(group.group).label, threshold: 1))
            rows.append(AttendanceRow(
                group: group.group, students: .value(group.students), possibleSessions: .value(group.possible),
                attendance: attendance.map { .value($0.estimate) } ?? none,
                persistentAbsence: AggregateStatistics.percentage(group.persistentlyAbsent, of: group.students, level: level).map { .value($0) } ?? none,
                severeAbsence: AggregateStatistics.percentage(group.severelyAbsent, of: group.students, level: level).map { .value($0) } ?? none))
        }
        let d = groups.first { $0.group == .disadvantaged }
        let o = groups.first { $0.group == .others }
        var attendanceGap = gapFigure((), disadvantagedCount: d?.students ?? 0, othersCount: o?.students ?? 0).map { _ in Estimate(0, unit: .percentagePoints) }
        var persistentGap = attendanceGap
        if case .value = attendanceGap, let d, let o {
            if let rateD = estimates[ReportGroup.disadvantaged.id], let rateO = estimates[ReportGroup.others.id] {
                attendanceGap = .value(AggregateStatistics.difference(
                    rateO.rate, rateO.error, minus: rateD.rate, rateD.error, unit: .percentagePoints,
                    method: "normal, independent ratio estimates", level: level))
            }
            persistentGap = .value(Self.proportionDifference(
                d.persistentlyAbsent, of: d.students, minus: o.persistentlyAbsent, of: o.students, level: level))
        }
        return AttendanceSection(rows: rows, attendanceGap: attendanceGap, persistentAbsenceGap: persistentGap)
    }

    /// p₁ − p₂ in percentage points with Newcombe's hybrid score interval
    /// (`GapStatistics.ProportionDifference`, docs/methodology.md §11.7); no groups to compare
    /// gives a bare 0 the shaping withholds.
    static func proportionDifference(_ count1: Int, of total1: Int, minus count2: Int, of total2: Int, level: Double) -> Estimate {
        guard let first = try? Proportion(count: count1, outOf: total1, level: level),
              let second = try? Proportion(count: count2, outOf: total2, level: level) else {
            return Estimate(0, unit: .percentagePoints)
        }
        let difference = ProportionDifference(first, minus: second)
        return Estimate(
            100 * difference.value, unit: .percentagePoints,
            lower: 100 * difference.confidenceInterval.lower, upper: 100 * difference.confidenceInterval.upper,
            method: "Newcombe hybrid score (Wilson)")
    }

    // MARK: - Support

    func supportSection(_ data: TermlyReportData) -> SupportSection {
        SupportSection(
            byType: data.supportByType.map(supportRow),
            byFundingSource: data.funding.map { FundingRow(source: $0.source, label: $0.label, students: .value($0.students), spend: .value($0.spend)) },
            total: supportRow(data.supportTotal))
    }

    /// One support row, every figure true; spend per pupil where there is a pupil.
    func supportRow(_ row: SupportAggregates) -> SupportRow {
        let perStudent = row.students > 0 ? (try? PoundsAndPence(pence: (row.spend.pence + row.students / 2) / row.students)) : nil
        return SupportRow(
            type: row.type, label: row.label, students: .value(row.students),
            disadvantagedStudents: .value(row.disadvantagedStudents),
            sessions: .value(row.sessions), hours: .value(Estimate(row.hours, unit: .hours)), spend: .value(row.spend),
            spendPerStudent: perStudent.map { .value($0) } ?? .suppressed(.groupBelowThreshold(group: row.label, threshold: 1)))
    }
}
