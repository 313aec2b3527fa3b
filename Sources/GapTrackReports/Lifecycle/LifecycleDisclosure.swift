import DisclosureControl

/// Shapes one stage and year of the lifecycle report for governors and the public
/// (docs/disclosure-control.md, docs/methodology.md §11.8).
///
/// What a reader is told, as relations: the stage's total is the group, its comparison group
/// and the rest (middle quintiles, not known); each group is those with the outcome and those
/// without; each printed rate ties its numerator to its denominator to within rounding. Every
/// count under 10 is `c`; a rate resting on fewer than 10 students with the outcome, or without
/// it, is `c` (it would give that small number away with its denominator); then complementary
/// suppression withholds more until the auditor finds no hidden figure that can be worked out.
enum LifecycleDisclosure {
    /// Withholds figures in `rows` in place; returns the total to print (nil when withheld).
    static func shape(stage: LifecycleStage, total: Int, rows: inout [LifecycleGapRow]) throws -> Int? {
        let threshold = LifecycleReportBuilder.threshold
        let tables = try tableSet(stage: stage, total: total, rows: rows)
        let protected: ProtectedTables
        do {
            var primary = tables
            PrimarySuppression(threshold: threshold).apply(to: &primary)
            protected = try ComplementarySuppression(auditor: DisclosureAuditor(threshold: threshold)).protect(primary)
        } catch {
            // Nothing safe to print for this stage and year: withhold all of it.
            for index in rows.indices {
                withhold(&rows[index].group, count: true)
                withhold(&rows[index].comparison, count: true)
                rows[index].gap = nil
            }
            return nil
        }
        func hidden(_ id: String) -> Bool { protected.tables[CellID(id)]?.visibility != .published }
        for index in rows.indices {
            for side in ["g", "c"] {
                let prefix = "\(rows[index].characteristic).\(side)"
                var rate = side == "g" ? rows[index].group : rows[index].comparison
                if hidden(prefix + ".n") {
                    withhold(&rate, count: true)
                } else if hidden(prefix + ".r") {
                    withhold(&rate, count: false)
                }
                rate.positive = nil
                rate.isSmall = false
                if side == "g" { rows[index].group = rate } else { rows[index].comparison = rate }
            }
            if rows[index].group.isWithheld || rows[index].comparison.isWithheld { rows[index].gap = nil }
        }
        return hidden("total") ? nil : total
    }

    /// The published figures of one stage and year and what a reader knows ties them together.
    static func tableSet(stage: LifecycleStage, total: Int, rows: [LifecycleGapRow]) throws -> TableSet {
        let threshold = LifecycleReportBuilder.threshold
        var tables = TableSet()
        try tables.count("total", "\(stage.title), students measured", total, isTotal: true)
        for row in rows {
            var parts: [CellID] = []
            for (side, rate) in [("g", row.group), ("c", row.comparison)] {
                let prefix = "\(row.characteristic).\(side)"
                let students = rate.students ?? 0
                let positive = rate.positive ?? 0
                try tables.count(CellID(prefix + ".n"), "\(row.characteristicName): \(rate.label), students", students)
                parts.append(CellID(prefix + ".n"))
                guard let percent = rate.percent else { continue }
                let printed = (percent * 10).rounded() / 10
                if stage == .access {
                    try tables.rate(CellID(prefix + ".r"), "\(rate.label), share", numerator: CellID(prefix + ".n"),
                                    denominator: "total", percent: printed, decimals: 1)
                } else {
                    try tables.add(Cell(id: CellID(prefix + ".k"), label: "\(rate.label), with the outcome", value: positive, visibility: .unpublished))
                    try tables.add(Cell(id: CellID(prefix + ".m"), label: "\(rate.label), without it", value: students - positive, visibility: .unpublished))
                    try tables.partition(CellID(prefix + ".n"), into: [CellID(prefix + ".k"), CellID(prefix + ".m")])
                    try tables.rate(CellID(prefix + ".r"), "\(rate.label), rate", numerator: CellID(prefix + ".k"),
                                    denominator: CellID(prefix + ".n"), percent: printed, decimals: 1)
                    if positive < threshold || students - positive < threshold {
                        tables.setVisibility(.suppressed, of: CellID(prefix + ".r"))
                    }
                }
            }
            let rest = total - (row.group.students ?? 0) - (row.comparison.students ?? 0)
            // Two groups that take in everyone (received support or not) leave no one in neither:
            // a structural zero, which is no one's secret.
            guard rest > 0 else {
                try tables.partition("total", into: parts)
                continue
            }
            try tables.add(Cell(id: CellID("\(row.characteristic).rest"), label: "\(row.characteristicName): neither group", value: rest,
                                visibility: .unpublished))
            try tables.partition("total", into: parts + [CellID("\(row.characteristic).rest")])
        }
        return tables
    }

    static func withhold(_ rate: inout LifecycleRate, count: Bool) {
        if count { rate.students = nil }
        rate.percent = nil
        rate.lower = nil
        rate.upper = nil
        rate.isWithheld = true
    }
}

extension LifecycleDisclosure {
    /// The attacker's audit of what a shaped stage and year prints, against the true figures: the
    /// check a test runs on every governors' and public report.
    static func audit(stage: LifecycleStage, total: Int, trueRows: [LifecycleGapRow], shapedRows: [LifecycleGapRow],
                      shapedTotal: Int?) throws -> DisclosureAudit {
        var tables = try tableSet(stage: stage, total: total, rows: trueRows)
        if shapedTotal == nil { tables.setVisibility(.suppressed, of: "total") }
        for row in shapedRows {
            for (side, rate) in [("g", row.group), ("c", row.comparison)] {
                let prefix = "\(row.characteristic).\(side)"
                if rate.students == nil { tables.setVisibility(.suppressed, of: CellID(prefix + ".n")) }
                if rate.percent == nil { tables.setVisibility(.suppressed, of: CellID(prefix + ".r")) }
            }
        }
        return try DisclosureAuditor(threshold: LifecycleReportBuilder.threshold).audit(tables)
    }
}
