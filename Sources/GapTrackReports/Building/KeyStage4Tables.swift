import DisclosureControl
import GapStatistics
import GapTrackStore

/// A figure of a KS4 section: a side's pupils (the denominator of every measure on that side),
/// its numerator at grade 4+ or 5+, or its Attainment 8 points.
enum KeyStage4Field: Hashable, Sendable {
    enum Side: Hashable, Sendable, CaseIterable { case disadvantaged, others, all }
    enum Column: Hashable, Sendable { case pupils, grade4, grade5, attainment8 }
    case figure(Side, Column)
}

/// The KS4 sections as the disclosure auditor sees them (docs/methodology.md §7.6, §8.3): per
/// section, each side's pupils, its pupils at grade 4+ and 5+ (a percentage with its
/// denominator gives the numerator back), the unpublished pupils who did not reach each grade
/// (93% of a group gives the 7% away), and the Attainment 8 points protected with the pupils;
/// related by grade 5+ ≤ grade 4+ ≤ pupils, pupils = reached + not reached, Disadvantaged +
/// Others = All for every figure, and each side's pupils within its group in the group-size table.
enum KeyStage4Tables {
    static func prefix(_ section: Int) -> String { "ks4.\(section)." }

    static func cell(_ section: Int, _ side: KeyStage4Field.Side, _ name: String) -> CellID {
        CellID(prefix(section) + "\(side).\(name)")
    }

    static func isShown(_ field: KeyStage4Field, in sections: [KeyStage4Section]?, section: Int) -> Bool {
        guard let sections, sections.indices.contains(section), case let .figure(side, column) = field else { return false }
        let rows = sections[section].rows
        func row(_ measure: NationalPairFigure.Measure) -> KeyStage4Row? { rows.first { $0.measure == measure } }
        switch column {
        case .pupils: return rows.contains { !pupils($0, side).isSuppressed }
        case .grade4: return row(.englishMathsGrade4).map { !value($0, side).isSuppressed } ?? false
        case .grade5: return row(.englishMathsGrade5).map { !value($0, side).isSuppressed } ?? false
        case .attainment8: return row(.attainment8).map { !value($0, side).isSuppressed } ?? false
        }
    }

    /// Withholds the figure and what is computed from it: a side's pupils take every measure of
    /// that side with them; any figure of the compared pair takes the row's gap.
    static func suppress(_ field: KeyStage4Field, in sections: inout [KeyStage4Section]?, section: Int, reason: SuppressionReason) {
        guard var all = sections, all.indices.contains(section), case let .figure(side, column) = field else { return }
        for i in all[section].rows.indices {
            var row = all[section].rows[i]
            let hit: Bool = switch column {
            case .pupils: true
            case .grade4: row.measure == .englishMathsGrade4
            case .grade5: row.measure == .englishMathsGrade5
            case .attainment8: row.measure == .attainment8
            }
            guard hit else { continue }
            switch side {
            case .disadvantaged:
                if column == .pupils { row.disadvantagedPupils = .suppressed(reason) }
                row.disadvantaged = .suppressed(reason)
            case .others:
                if column == .pupils { row.othersPupils = .suppressed(reason) }
                row.others = .suppressed(reason)
            case .all:
                if column == .pupils { row.allPupils = .suppressed(reason) }
                row.all = .suppressed(reason)
            }
            if side != .all { row.gap = .suppressed(reason) }
            all[section].rows[i] = row
        }
        sections = all
    }

    /// Public: a national pair beside the school's own figures only where both groups reach twice
    /// the threshold, as for the gap index (docs/methodology.md §7.6).
    static func withholdNationalPairsOfSmallGroups(_ sections: inout [KeyStage4Section]?, threshold: Int) {
        guard var all = sections else { return }
        let limit = ReportAudience.publicNationalThreshold(threshold)
        for s in all.indices {
            for r in all[s].rows.indices where (all[s].rows[r].disadvantagedPupils.value ?? 0) < limit || (all[s].rows[r].othersPupils.value ?? 0) < limit {
                all[s].rows[r].national = nil
            }
        }
        sections = all
    }

    private static func pupils(_ row: KeyStage4Row, _ side: KeyStage4Field.Side) -> ReportedFigure<Int> {
        switch side {
        case .disadvantaged: row.disadvantagedPupils
        case .others: row.othersPupils
        case .all: row.allPupils
        }
    }

    private static func value(_ row: KeyStage4Row, _ side: KeyStage4Field.Side) -> ReportedFigure<Estimate> {
        switch side {
        case .disadvantaged: row.disadvantaged
        case .others: row.others
        case .all: row.all
        }
    }
}

extension TermlyReportTables {
    mutating func addKeyStage4(_ data: TermlyReportData) throws(DisclosureControlError) {
        for (index, section) in (data.keyStage4 ?? []).enumerated() {
            let name = "KS4 measures, \(section.assessment)"
            let covered = KeyStage4Slots(subjects: section.subjects, slots: section.slots).missing == nil
            let sides: [(KeyStage4Field.Side, KeyStage4GroupCounts, String)] = [
                (.disadvantaged, section.disadvantaged, data.comparison.groupWord + " pupils"), (.others, section.others, "other pupils"),
                (.all, section.disadvantaged + section.others, "all pupils"),
            ]
            for (side, counts, label) in sides {
                let pupils = KeyStage4Tables.cell(index, side, "pupils")
                try tables.count(pupils, "\(name), \(label)", counts.pupils, isTotal: side == .all)
                fields[pupils] = .keyStage4(section: index, .figure(side, .pupils))
                for (column, reached, grade) in [(KeyStage4Field.Column.grade4, counts.grade4, "4"), (.grade5, counts.grade5, "5")] {
                    let yes = KeyStage4Tables.cell(index, side, "grade\(grade)")
                    let no = KeyStage4Tables.cell(index, side, "below_grade\(grade)")
                    try tables.count(yes, "\(name), \(label) at grade \(grade)+ in English and maths", reached, isTotal: side == .all)
                    fields[yes] = .keyStage4(section: index, .figure(side, column))
                    try tables.add(Cell(
                        id: no, label: "\(name), \(label) below grade \(grade) in English or maths", value: counts.pupils - reached, measure: .pupils,
                        visibility: .unpublished))
                    try tables.partition(pupils, into: [yes, no])
                }
                try tables.atMost(KeyStage4Tables.cell(index, side, "grade5"), KeyStage4Tables.cell(index, side, "grade4"))
                if covered {
                    let points = KeyStage4Tables.cell(index, side, "attainment8")
                    try tables.sum(points, "\(name), \(label), Attainment 8 points", Int(counts.attainment8Sum.rounded()), unit: "points", over: pupils,
                                   isTotal: side == .all)
                    fields[points] = .keyStage4(section: index, .figure(side, .attainment8))
                }
            }
            var measures = ["pupils", "grade4", "below_grade4", "grade5", "below_grade5"]
            if covered { measures.append("attainment8") }
            for measure in measures {
                try tables.partition(
                    KeyStage4Tables.cell(index, .all, measure),
                    into: [KeyStage4Tables.cell(index, .disadvantaged, measure), KeyStage4Tables.cell(index, .others, measure)])
            }
            for (side, group) in [(KeyStage4Field.Side.disadvantaged, ReportGroup.disadvantaged), (.others, .others), (.all, .cohort)] {
                let pupils = KeyStage4Tables.cell(index, side, "pupils")
                if let p = tables[pupils], let g = tables["group.\(group.id)"], p.value <= g.value { try tables.atMost(pupils, "group.\(group.id)") }
            }
        }
    }
}
