import GapStatistics
import GapTrackDomain
import GapTrackStore

extension TermlyGapReportBuilder {
    // MARK: - Attendance

    func attendanceSection(_ data: TermlyReportData, log: inout SuppressionLog) -> AttendanceSection {
        let groups = data.attendance
        var counts = [String: Int]()
        for group in groups { counts[group.group.id] = group.students }
        var suppression = CellSuppression(rule: rule)
        suppression.apply(counts: counts, order: groups.map(\.group.id), partitions: Self.groupPartitions + comparison.partitions)
        var rows = [AttendanceRow]()
        var estimates = [String: (rate: Double, error: Double?)]()
        for group in groups {
            let key = group.group.id
            if let reason = suppression.reason(key) {
                log.add(table: "Attendance", item: relabelled(group.group).label, reason: reason)
                rows.append(AttendanceRow(
                    group: group.group, students: .suppressed(reason), possibleSessions: .suppressed(reason), attendance: .suppressed(reason),
                    persistentAbsence: .suppressed(reason), severeAbsence: .suppressed(reason)))
                continue
            }
            let attendance = AggregateStatistics.attendance(group, level: level)
            if let attendance { estimates[key] = (attendance.estimate.value, attendance.standardError) }
            let none = ReportedFigure<Estimate>.suppressed(.belowThreshold(threshold: rule.threshold))
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
        } else if case let .suppressed(reason) = attendanceGap {
            log.add(table: "Attendance", item: "gaps between \(comparison.students) and others", reason: reason)
        }
        return AttendanceSection(rows: rows, attendanceGap: attendanceGap, persistentAbsenceGap: persistentGap)
    }

    /// p₁ − p₂ in percentage points with Newcombe's hybrid score interval built from the two
    /// Wilson intervals (R. G. Newcombe, "Interval estimation for the difference between
    /// independent proportions: comparison of eleven methods", Statistics in Medicine 17(8),
    /// 1998, 873–890, method 10).
    static func proportionDifference(_ count1: Int, of total1: Int, minus count2: Int, of total2: Int, level: Double) -> Estimate {
        guard let first = try? Proportion(count: count1, outOf: total1, level: level),
              let second = try? Proportion(count: count2, outOf: total2, level: level) else {
            return Estimate(0, unit: .percentagePoints)
        }
        let difference = first.value - second.value
        let (l1, u1) = (first.confidenceInterval.lower, first.confidenceInterval.upper)
        let (l2, u2) = (second.confidenceInterval.lower, second.confidenceInterval.upper)
        let below = ((first.value - l1) * (first.value - l1) + (u2 - second.value) * (u2 - second.value)).squareRoot()
        let above = ((u1 - first.value) * (u1 - first.value) + (second.value - l2) * (second.value - l2)).squareRoot()
        return Estimate(
            100 * difference, unit: .percentagePoints, lower: 100 * (difference - below), upper: 100 * (difference + above),
            method: "Newcombe hybrid score (Wilson)")
    }

    // MARK: - Support

    func supportSection(_ data: TermlyReportData, log: inout SuppressionLog) -> SupportSection {
        let total = data.supportTotal
        let totalReason: SuppressionReason? = total.students < rule.threshold ? .belowThreshold(threshold: rule.threshold) : nil
        let byType = supportRows(data.supportByType, key: { $0.type ?? "none" }, totalShown: totalReason == nil)
        for (row, reason) in byType.reasons { log.add(table: "Support", item: row, reason: reason) }
        var fundingCounts = [String: Int]()
        let fundingKeys = data.funding.map { $0.source ?? "not_recorded" }
        for (key, row) in zip(fundingKeys, data.funding) { fundingCounts[key] = row.students }
        var fundingSuppression = CellSuppression(rule: rule)
        fundingCounts["all"] = total.students
        // Spend by source adds up to all spend, so one withheld source could be worked out
        // from the total while the total is shown.
        fundingSuppression.apply(
            counts: fundingCounts, order: fundingKeys, partitions: totalReason == nil ? [.init(cells: fundingKeys, total: "all")] : [])
        let funding = zip(fundingKeys, data.funding).map { key, row in
            if let reason = fundingSuppression.reason(key) { log.add(table: "Support by funding source", item: row.label, reason: reason) }
            return FundingRow(
                source: row.source, label: row.label, students: fundingSuppression.figure(key, row.students),
                spend: fundingSuppression.figure(key, row.spend))
        }
        if let totalReason, !data.supportByType.isEmpty { log.add(table: "Support", item: "all support", reason: totalReason) }
        return SupportSection(byType: byType.rows, byFundingSource: funding, total: supportRow(total, reason: totalReason))
    }

    private func supportRows(_ rows: [SupportAggregates], key: (SupportAggregates) -> String, totalShown: Bool) -> (rows: [SupportRow], reasons: [(String, SuppressionReason)]) {
        let keys = rows.map(key)
        var counts = [String: Int]()
        for (k, row) in zip(keys, rows) { counts[k] = row.students }
        counts["all"] = 0
        // Spend, sessions and hours of the types add up to the total's, so one withheld type
        // could be worked out from the total while the total is shown.
        var suppression = CellSuppression(rule: rule)
        suppression.apply(counts: counts, order: keys, partitions: totalShown ? [.init(cells: keys, total: "all")] : [])
        var reasons = [(String, SuppressionReason)]()
        let built = zip(keys, rows).map { k, row in
            let reason = suppression.reason(k)
            let shown = supportRow(row, reason: reason)
            if let reason { reasons.append((shown.label, reason)) }
            return shown
        }
        return (built, reasons)
    }

    /// One support row: all its figures withheld with `reason`, or shown (a disadvantaged
    /// count below the threshold is withheld on its own).
    func supportRow(_ row: SupportAggregates, reason: SuppressionReason?) -> SupportRow {
        if let reason {
            return SupportRow(
                type: row.type, label: row.label, students: .suppressed(reason), disadvantagedStudents: .suppressed(reason), sessions: .suppressed(reason),
                hours: .suppressed(reason), spend: .suppressed(reason), spendPerStudent: .suppressed(reason))
        }
        let perStudent = row.students > 0 ? (try? PoundsAndPence(pence: (row.spend.pence + row.students / 2) / row.students)) : nil
        return SupportRow(
            type: row.type, label: row.label, students: .value(row.students),
            disadvantagedStudents: rule.figure(row.disadvantagedStudents, count: row.disadvantagedStudents),
            sessions: .value(row.sessions), hours: .value(Estimate(row.hours, unit: .hours)), spend: .value(row.spend),
            spendPerStudent: perStudent.map { .value($0) } ?? .suppressed(.belowThreshold(threshold: rule.threshold)))
    }
}
