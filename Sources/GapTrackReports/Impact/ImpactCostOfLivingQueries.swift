import Foundation
import GapTrackDomain
import GapStatistics
import GapTrackStore

extension ImpactQueries {
    /// A university's cost-of-living support in one academic year: uptake among LSEB students
    /// and others, and, among LSEB students, continuation and module marks of the supported
    /// against the unsupported of the same intake year and course (impact_cost_of_living_students).
    static func costOfLiving(
        _ request: ImpactRequest, providerID: Int, provider: ReportProvider, imports: [ImportRecord], knownBy: Date?,
        on repository: ImpactReportRepository
    ) throws -> ImpactData {
        guard let year = request.academicYear else { throw ImpactError.costOfLivingNeedsAYear }
        let period = ImpactPeriod(from: request.from ?? year.startDate, to: request.to ?? year.endDate)
        guard period.from <= period.to else { throw ImpactError.badPeriod(from: period.from.isoString, to: period.to.isoString) }
        // The data cut's day: continuation due after it is not yet known.
        let selection = ImpactReportRepository.CostOfLivingSelection(
            providerID: providerID, year: year, types: request.intervention.types.map(\.rawValue),
            knownBy: knownBy.map { CalendarDate(daysSinceEpoch: Int(($0.timeIntervalSince1970 / 86_400).rounded(.down))) })
        let uptakeRows = try repository.costOfLivingUptake(selection)
        var totals = [Bool: Int]()
        var unsupported = [Bool: Int]()
        var byType = [InterventionType: [Bool: Int]]()
        for row in uptakeRows {
            if row.anyType {
                totals[row.lseb] = row.students
            } else if let code = row.type {
                if let type = InterventionType(rawValue: code) { byType[type, default: [:]][row.lseb] = row.students }
            } else {
                unsupported[row.lseb] = row.students
            }
        }
        var uptake = [UptakeAggregates(
            type: nil, label: "Any cost-of-living support", lsebSupported: (totals[true] ?? 0) - (unsupported[true] ?? 0),
            othersSupported: (totals[false] ?? 0) - (unsupported[false] ?? 0))]
        let names = try repository.interventionTypeNames(selection.types)
        for type in request.intervention.types {
            uptake.append(UptakeAggregates(
                type: type, label: names[type.rawValue] ?? ImpactIntervention.label(for: type), lsebSupported: byType[type]?[true] ?? 0,
                othersSupported: byType[type]?[false] ?? 0))
        }

        let strataRows = try repository.costOfLivingStrata(selection)
        var order = [String]()
        var continuation = [String: MatchedStratum]()
        var marks = [String: MatchedStratum]()
        var supportedLSEB = 0
        var continuationUnknown = 0
        for row in strataRows {
            let key = "intake \(row.intakeYear ?? "unknown") | \(row.course ?? "no course")"
            if continuation[key] == nil {
                order.append(key)
                continuation[key] = MatchedStratum(key: key, participants: nil, comparison: nil)
                marks[key] = MatchedStratum(key: key, participants: nil, comparison: nil)
            }
            if row.supported {
                supportedLSEB += row.students
                continuationUnknown += row.continuationUnknown
                continuation[key]?.participants = row.continuation
                marks[key]?.participants = row.moduleMarks
            } else {
                continuation[key]?.comparison = row.continuation
                marks[key]?.comparison = row.moduleMarks
            }
        }
        let spend = try repository.costOfLivingSpend(selection, from: period.from, to: period.to)
        return ImpactData(
            provider: provider, intervention: request.intervention, cohort: nil, period: period, before: nil, after: nil, imports: imports,
            design: .costOfLiving(CostOfLivingAggregates(
                academicYear: year, lsebStudents: totals[true] ?? 0, otherStudents: totals[false] ?? 0, uptake: uptake,
                supportedLSEB: supportedLSEB, continuation: order.compactMap { continuation[$0] },
                continuationUnknown: continuationUnknown, moduleMarks: order.compactMap { marks[$0] })),
            spend: spend)
    }
}
