import GapStatistics
import GapTrackStore

/// Reading and withholding the figures of a termly report by `TermlyField`: the one place that
/// knows which printed numbers each cell of `TermlyReportTables` stands for, so that the shaping
/// and the auditor cannot disagree about what a report prints.
enum TermlyReportFields {
    /// Whether the report prints the cell's figure.
    static func isShown(_ field: TermlyField, in report: TermlyGapReport) -> Bool {
        switch field {
        case let .groupSize(id):
            guard let row = report.groupSizes.first(where: { $0.group.id == id }) else { return false }
            return !row.students.isSuppressed || !row.percentOfCohort.isSuppressed
        case let .attendance(id, column):
            guard let row = report.attendance.rows.first(where: { $0.group.id == id }) else { return false }
            switch column {
            case .students: return !row.students.isSuppressed
            case .possible: return !row.possibleSessions.isSuppressed
            case .attended: return !row.attendance.isSuppressed
            case .persistent: return !row.persistentAbsence.isSuppressed
            case .severe: return !row.severeAbsence.isSuppressed
            }
        case let .subject(index, side):
            guard report.attainment.indices.contains(index) else { return false }
            let row = report.attainment[index]
            // Any gap figure printed tells the reader the row's groups were counted.
            return !(side == .disadvantaged ? row.disadvantaged : row.others).isSuppressed
        case let .support(index, column):
            guard let row = supportRow(index, report) else { return false }
            switch column {
            case .students: return !row.students.isSuppressed || !row.spendPerStudent.isSuppressed
            case .disadvantaged: return !row.disadvantagedStudents.isSuppressed
            case .sessions: return !row.sessions.isSuppressed
            case .hours: return !row.hours.isSuppressed
            case .spend: return !row.spend.isSuppressed
            }
        case let .funding(index, column):
            guard report.support.byFundingSource.indices.contains(index) else { return false }
            let row = report.support.byFundingSource[index]
            return !(column == .students ? row.students.isSuppressed : row.spend.isSuppressed)
        case let .trend(series, point, side):
            guard report.trend.indices.contains(series), report.trend[series].points.indices.contains(point) else { return false }
            let figure = report.trend[series].points[point]
            return !(side == .disadvantaged ? figure.disadvantagedStudents : figure.otherStudents).isSuppressed
        case let .keyStage4(section, field):
            return KeyStage4Tables.isShown(field, in: report.keyStage4, section: section)
        }
    }

    /// Withholds the cell's figure, and every figure computed from it (a mean, a rate, a gap,
    /// an interval: docs/methodology.md §7.6).
    static func suppress(_ field: TermlyField, in report: inout TermlyGapReport, reason: SuppressionReason) {
        switch field {
        case let .groupSize(id):
            guard let i = report.groupSizes.firstIndex(where: { $0.group.id == id }) else { return }
            report.groupSizes[i].students = .suppressed(reason)
            report.groupSizes[i].percentOfCohort = .suppressed(reason)
        case let .attendance(id, column):
            guard let i = report.attendance.rows.firstIndex(where: { $0.group.id == id }) else { return }
            switch column {
            case .students:
                // The absence rates are shares of the pupils.
                report.attendance.rows[i].students = .suppressed(reason)
                report.attendance.rows[i].persistentAbsence = .suppressed(reason)
                report.attendance.rows[i].severeAbsence = .suppressed(reason)
            case .possible:
                report.attendance.rows[i].possibleSessions = .suppressed(reason)
                report.attendance.rows[i].attendance = .suppressed(reason)
            case .attended: report.attendance.rows[i].attendance = .suppressed(reason)
            case .persistent: report.attendance.rows[i].persistentAbsence = .suppressed(reason)
            case .severe: report.attendance.rows[i].severeAbsence = .suppressed(reason)
            }
            if id == ReportGroup.disadvantaged.id || id == ReportGroup.others.id {
                if column != .severe { report.attendance.persistentAbsenceGap = .suppressed(reason) }
                if column == .possible || column == .attended || column == .students { report.attendance.attendanceGap = .suppressed(reason) }
            }
        case let .subject(index, side):
            guard report.attainment.indices.contains(index) else { return }
            var row = report.attainment[index]
            if side == .disadvantaged { row.disadvantaged = .suppressed(reason) } else { row.others = .suppressed(reason) }
            withholdGap(&row, reason: reason)
            report.attainment[index] = row
        case let .support(index, column):
            modifySupportRow(index, &report) { row in
                switch column {
                case .students:
                    row.students = .suppressed(reason)
                    row.spendPerStudent = .suppressed(reason)
                case .disadvantaged: row.disadvantagedStudents = .suppressed(reason)
                case .sessions: row.sessions = .suppressed(reason)
                case .hours: row.hours = .suppressed(reason)
                case .spend:
                    row.spend = .suppressed(reason)
                    row.spendPerStudent = .suppressed(reason)
                }
            }
        case let .funding(index, column):
            guard report.support.byFundingSource.indices.contains(index) else { return }
            if column == .students {
                report.support.byFundingSource[index].students = .suppressed(reason)
            } else {
                report.support.byFundingSource[index].spend = .suppressed(reason)
            }
        case let .trend(series, point, side):
            guard report.trend.indices.contains(series), report.trend[series].points.indices.contains(point) else { return }
            if side == .disadvantaged {
                report.trend[series].points[point].disadvantagedStudents = .suppressed(reason)
            } else {
                report.trend[series].points[point].otherStudents = .suppressed(reason)
            }
            report.trend[series].points[point].value = .suppressed(reason)
        case let .keyStage4(section, field):
            KeyStage4Tables.suppress(field, in: &report.keyStage4, section: section, reason: reason)
        }
    }

    /// Every figure of a subject row that compares its two groups.
    static func withholdGap(_ row: inout SubjectGap, reason: SuppressionReason) {
        row.gapIndex = .suppressed(reason)
        row.meanScoreGap = row.meanScoreGap.map { _ in .suppressed(reason) }
        row.hedgesG = row.hedgesG.map { _ in .suppressed(reason) }
        row.months = row.months.map { _ in .suppressed(reason) }
        row.monthsConversions = row.monthsConversions.map { conversion in
            var conversion = conversion
            conversion.figure = conversion.figure.map { _ in .suppressed(reason) }
            return conversion
        }
        row.notes = []
    }

    private static func supportRow(_ index: Int?, _ report: TermlyGapReport) -> SupportRow? {
        guard let index else { return report.support.total }
        return report.support.byType.indices.contains(index) ? report.support.byType[index] : nil
    }

    private static func modifySupportRow(_ index: Int?, _ report: inout TermlyGapReport, _ change: (inout SupportRow) -> Void) {
        if let index {
            guard report.support.byType.indices.contains(index) else { return }
            change(&report.support.byType[index])
        } else {
            change(&report.support.total)
        }
    }
}
