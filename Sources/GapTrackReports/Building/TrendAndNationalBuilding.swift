import GapStatistics
import GapTrackDomain

extension TermlyGapReportBuilder {
    // MARK: - Trend

    /// One gap-index series per subject, then the attendance gap, over the terms in `data.trend`.
    /// Where a subject had several assessments in a term, the one most students took stands for
    /// it (ties: the first by name), so each term has one point per subject.
    func trendSeries(_ data: TermlyReportData) -> [TrendSeries] {
        let subjects = Array(Set(data.trend.flatMap { $0.subjects.map(\.subject) })).sorted()
        var series = [TrendSeries]()
        for subject in subjects {
            var points = [TrendPoint]()
            for term in data.trend {
                let candidates = term.subjects.filter { $0.subject == subject }
                guard let chosen = candidates.min(by: {
                    let left = ($0.disadvantaged?.count ?? 0) + ($0.others?.count ?? 0)
                    let right = ($1.disadvantaged?.count ?? 0) + ($1.others?.count ?? 0)
                    return left != right ? left > right : $0.assessment < $1.assessment
                }) else { continue }
                let nD = chosen.disadvantaged?.count ?? 0
                let nO = chosen.others?.count ?? 0
                var value = gapFigure((), disadvantagedCount: nD, othersCount: nO).map { _ in Estimate(0, unit: .gapIndex) }
                if case .value = value, let d = chosen.disadvantaged, let o = chosen.others {
                    value = .value(AggregateStatistics.gapIndex(disadvantaged: d, others: o, level: level).estimate)
                }
                points.append(TrendPoint(
                    term: term.term, value: value, disadvantagedStudents: pairFigure(nD, nD, nO), otherStudents: pairFigure(nO, nD, nO)))
            }
            series.append(TrendSeries(id: "gap_index:\(subject)", label: "Gap index: \(subject)", unit: .gapIndex, points: points))
        }
        var attendancePoints = [TrendPoint]()
        for term in data.trend {
            guard let d = term.disadvantagedAttendance, let o = term.othersAttendance else { continue }
            var value = gapFigure((), disadvantagedCount: d.students, othersCount: o.students).map { _ in Estimate(0, unit: .percentagePoints) }
            if case .value = value, let rateD = AggregateStatistics.attendance(d, level: level), let rateO = AggregateStatistics.attendance(o, level: level) {
                value = .value(AggregateStatistics.difference(
                    rateO.estimate.value, rateO.standardError, minus: rateD.estimate.value, rateD.standardError, unit: .percentagePoints,
                    method: "normal, independent ratio estimates", level: level))
            }
            attendancePoints.append(TrendPoint(
                term: term.term, value: value, disadvantagedStudents: pairFigure(d.students, d.students, o.students),
                otherStudents: pairFigure(o.students, d.students, o.students)))
        }
        if !attendancePoints.isEmpty {
            series.append(TrendSeries(
                id: "attendance_gap", label: "Attendance gap (pp)", unit: .percentagePoints, points: attendancePoints))
        }
        return series
    }

    /// A group count shown beside a gap: both counts are withheld when either is small.
    private func pairFigure(_ count: Int, _ disadvantaged: Int, _ others: Int) -> ReportedFigure<Int> {
        gapFigure(count, disadvantagedCount: disadvantaged, othersCount: others)
    }

    // MARK: - National comparison

    /// The national figures of the cohort's phase, the latest of each measure set beside this
    /// cohort's headline figure: the gap in maths if the cohort has one (the subject both
    /// national measures include), else in the first subject reported.
    func nationalComparison(_ data: TermlyReportData, attainment: [SubjectGap]) -> [NationalComparison] {
        guard let phase = data.cohort.cohortCode.flatMap(NationalFigures.phase(for:)) else { return [] }
        // The national series up to the report's own academic year: an older report is set beside
        // the figures of its time, not later ones.
        let figures = NationalFigures.figures(for: phase).filter { $0.resultsYear <= data.term.year.startYear + 1 }
        let preferred = ["maths", "mathematics", "english", "reading"]
        let headline = preferred.lazy.compactMap { name in attainment.first { $0.subject.lowercased() == name } }.first ?? attainment.first
        return figures.map { figure in
            let isLatest = figures.last { $0.measure == figure.measure } == figure
            // National figures compare DfE-disadvantaged pupils: another comparison has no counterpart.
            guard isLatest, let headline, comparison == .dfeDisadvantaged else { return NationalComparison(national: figure, local: nil, localLabel: nil) }
            let what = "\(headline.title), \(ReportText.term(data.term))"
            switch figure.measure {
            case .dfeGapIndex:
                return NationalComparison(
                    national: figure, local: headline.gapIndex,
                    localLabel: "gap index, \(what). The school's own assessment, not the national \(phase == .keyStage4 ? "KS4" : "KS2") measure.")
            case .epiMonths:
                guard let months = headline.months else { return NationalComparison(national: figure, local: nil, localLabel: nil) }
                let method = headline.monthsConversions.first(where: \.isPrimary)?.label.lowercased() ?? "the cohort's own conversion"
                return NationalComparison(
                    national: figure, local: months.map(\.months),
                    localLabel: "months of learning, \(what), by \(method) (see the method); EPI's national conversion differs, so compare direction rather than size.")
            }
        }
    }
}
