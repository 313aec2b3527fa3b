import GapStatistics

/// The counts of students an impact report prints in its "participants and matching" table,
/// with their labels, their order and the sums that tie them: one place for the builder, which
/// prints them, and `ImpactReportTables`, which describes them to the disclosure auditor, so the
/// two never disagree about what is published (docs/methodology.md §7.6).
struct ImpactCountTable {
    /// A sum: `total` = Σ `parts` (or, where the parts share students, at most it).
    struct Relation {
        var total: String
        var parts: [String]
    }

    var counts: [String: Int] = [:]
    var labels: [String: String] = [:]
    var order: [String] = []
    var relations: [Relation] = []
    /// The counts every estimate is read with (participants, matched students): complementary
    /// suppression takes them only when nothing else will do.
    var protected: Set<String> = []
    /// `x ≤ y`: a reader knows a part of a group is no larger than the group.
    var atMost: [(part: String, whole: String)] = []
    /// Participants with data for each outcome (`attainment`, `continuation`...).
    var withData: [String: Int] = [:]

    mutating func add(_ key: String, _ count: Int, _ label: String) {
        counts[key] = count
        labels[key] = label
        order.append(key)
    }

    /// Matched, unmatched and comparison counts of one outcome's strata.
    static func matching(_ strata: [MatchedStratum]) -> (withData: Int, matched: Int, comparisonMatched: Int) {
        let withData = strata.reduce(0) { $0 + ($1.participants?.count ?? 0) }
        let matched = strata.filter(\.isMatched).reduce(0) { $0 + ($1.participants?.count ?? 0) }
        let comparisonMatched = strata.filter(\.isMatched).reduce(0) { $0 + ($1.comparison?.count ?? 0) }
        return (withData, matched, comparisonMatched)
    }

    static func school(_ school: SchoolImpactAggregates) -> ImpactCountTable {
        var table = ImpactCountTable()
        table.add("participants", school.participants, "Participants (support delivered in the period)")
        table.add("comparison_pool", school.comparisonPool, "Non-participants available for comparison")
        table.add("excluded", school.excluded, "In neither group (same support planned, or from another programme)")
        table.protected = ["participants"]
        for (id, strata, what) in [("attainment", school.attainment, "both results"), ("attendance", school.attendance, "attendance in both terms")] {
            let (withData, matched, comparisonMatched) = matching(strata)
            let noun = id == "attainment" ? "Attainment" : "Attendance"
            table.add("\(id).matched", matched, "\(noun): participants matched")
            table.add("\(id).unmatched", withData - matched, "\(noun): participants unmatched (no comparison student in stratum)")
            table.add("\(id).missing", school.participants - withData, "\(noun): participants without \(what)")
            table.add("\(id).comparison_matched", comparisonMatched, "\(noun): comparison students matched")
            table.withData[id] = withData
            table.relations.append(.init(total: "participants", parts: ["\(id).matched", "\(id).unmatched", "\(id).missing"]))
            table.atMost.append(("\(id).comparison_matched", "comparison_pool"))
            table.protected.formUnion(["\(id).matched", "\(id).comparison_matched"])
        }
        return table
    }

    static func costOfLiving(_ year: CostOfLivingAggregates) -> ImpactCountTable {
        var table = ImpactCountTable()
        let entrants = year.continuation.reduce(0) { $0 + ($1.participants?.count ?? 0) } + year.continuationUnknown
        table.add("lseb_students", year.lsebStudents, "LSEB students enrolled in the year")
        table.add("other_students", year.otherStudents, "Other students enrolled in the year")
        table.add("supported_lseb", year.supportedLSEB, "LSEB students with cost-of-living support")
        table.add("supported_lseb_entrants", entrants, "Supported LSEB students who entered this year")
        table.protected = ["lseb_students", "other_students", "supported_lseb"]
        table.atMost += [("supported_lseb", "lseb_students"), ("supported_lseb_entrants", "supported_lseb")]
        for (id, strata) in [("continuation", year.continuation), ("module_mark", year.moduleMarks)] {
            let (withData, matched, comparisonMatched) = matching(strata)
            let prefix = id == "continuation" ? "Continuation: " : "Module marks: "
            table.add("\(id).matched", matched, prefix + "supported, matched (same intake year and course)")
            table.add("\(id).unmatched", withData - matched, prefix + "supported, unmatched (no comparable student)")
            let missing: String
            if id == "continuation" {
                missing = "continuation.unknown"
                table.add(missing, year.continuationUnknown, "Continuation: supported entrants, not yet known")
            } else {
                missing = "module_mark.missing"
                table.add(missing, year.supportedLSEB - withData, prefix + "supported, without marks")
            }
            table.add("\(id).comparison_matched", comparisonMatched, prefix + "unsupported LSEB students matched")
            table.withData[id] = withData
            table.relations.append(.init(total: id == "continuation" ? "supported_lseb_entrants" : "supported_lseb", parts: ["\(id).matched", "\(id).unmatched", missing]))
            table.atMost.append(("\(id).comparison_matched", "lseb_students"))
            table.protected.formUnion(["\(id).matched", "\(id).comparison_matched"])
        }
        return table
    }
}
