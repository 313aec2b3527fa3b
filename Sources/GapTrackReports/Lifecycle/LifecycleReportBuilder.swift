import DisclosureControl
import GapStatistics
import GapTrackDomain
import GapTrackStore

/// Builds the lifecycle report from course instances: counts each stage's rates per year of entry
/// and characteristic over the provider's full data, then shapes them for the audience.
public struct LifecycleReportBuilder: Sendable {
    public let audience: ReportAudience
    /// Groups under this many students are marked (staff) or withheld (governors, public).
    public static let threshold = 10

    public init(audience: ReportAudience) {
        self.audience = audience
    }

    public func build(providerCode: String, providerName: String, students: [LifecycleStudent], years: [AcademicYear],
                      asOf: CalendarDate, imports: [Int]) throws -> LifecycleReport {
        var stages: [LifecycleStageSection] = []
        for stage in LifecycleStage.allCases {
            var totals: [LifecycleCount] = []
            var rows: [LifecycleGapRow] = []
            for year in years {
                let entrants = students.filter { $0.entryYear == year }
                let measured = entrants.filter { stage.outcome($0) != nil }
                var yearRows = LifecycleCharacteristic.all.map { characteristic in
                    Self.row(stage: stage, characteristic: characteristic, year: year, entrants: entrants, measured: measured)
                }
                var total: Int? = measured.count
                if audience.suppresses {
                    total = try LifecycleDisclosure.shape(stage: stage, total: measured.count, rows: &yearRows)
                }
                totals.append(LifecycleCount(year: year.description, students: total))
                rows += yearRows
            }
            stages.append(LifecycleStageSection(stage: stage, title: stage.title, definition: stage.definition, totals: totals, rows: rows))
        }
        return LifecycleReport(
            providerCode: providerCode, providerName: providerName, audience: audience, years: years.map(\.description),
            asOf: asOf.isoString, stages: stages, imports: imports, notes: LifecycleMethod.notes(audience: audience))
    }

    /// One row: for access, each group's share of all entrants; for the other stages, each group's
    /// rate over those of it in the stage's population.
    static func row(stage: LifecycleStage, characteristic: LifecycleCharacteristic, year: AcademicYear,
                    entrants: [LifecycleStudent], measured: [LifecycleStudent]) -> LifecycleGapRow {
        let group = measured.filter { characteristic.side($0) == true }
        let comparison = measured.filter { characteristic.side($0) == false }
        func rate(_ label: String, _ members: [LifecycleStudent]) -> (LifecycleRate, Proportion?) {
            let (count, total) = stage == .access
                ? (members.count, measured.count)
                : (members.filter { stage.outcome($0) == true }.count, members.count)
            let proportion = try? Proportion(count: count, outOf: total)
            return (LifecycleRate(label: label, students: members.count, positive: count, percent: proportion.map { 100 * $0.value },
                                  lower: proportion.map { 100 * $0.confidenceInterval.lower },
                                  upper: proportion.map { 100 * $0.confidenceInterval.upper },
                                  isSmall: members.count < threshold, isWithheld: false), proportion)
        }
        let (groupRate, groupProportion) = rate(characteristic.groupLabel, group)
        let (comparisonRate, comparisonProportion) = rate(characteristic.comparisonLabel, comparison)
        var gap: LifecycleGap?
        // The shares of one intake are not independent samples, so access has no gap interval
        // and no gap (docs/methodology.md §11.7).
        if stage != .access, let groupProportion, let comparisonProportion {
            let difference = ProportionDifference(comparisonProportion, minus: groupProportion)
            gap = LifecycleGap(points: 100 * difference.value, lower: 100 * difference.confidenceInterval.lower,
                               upper: 100 * difference.confidenceInterval.upper)
        }
        return LifecycleGapRow(characteristic: characteristic.id, characteristicName: characteristic.name, year: year.description,
                               group: groupRate, comparison: comparisonRate, gap: gap)
    }
}
