import DisclosureControl
import GapTrackDomain
import GapTrackStore

/// The funnel of the OfS financial support evaluation toolkit for one student group: of the
/// group's entrants, how many applied for support in their first year, how many of those were
/// eligible, and how many of those received it (docs/methodology.md §11.9).
///
/// Counted per course instance from the applications of its first academic year: applied = any
/// application, whatever its outcome; eligible = an application decided eligible, or with no
/// decision recorded and a household income below the fund's threshold recorded with it; received
/// = a first-year support record of a kind evaluated. An award is an application granted, so a
/// student who received support counts as having applied and been eligible even where the
/// application itself was not recorded.
enum SupportFunnel {
    static let stepNames = [("applied", "Applied", "of entrants"), ("eligible", "Eligible", "of applicants"), ("received", "Received", "of those eligible")]

    /// The three steps for `entrants`, each a rate of the step before.
    static func steps(entrants: [LifecycleStudent], applications: [Int: [SupportApplication]], received: (LifecycleStudent) -> Bool)
        -> [LifecycleRate]
    {
        var counts = [0, 0, 0]
        for student in entrants {
            let own = (applications[student.studentID] ?? []).filter { $0.academicYear == student.entryYear }
            let gotIt = received(student)
            if gotIt || !own.isEmpty { counts[0] += 1 }
            if gotIt || own.contains(where: { $0.isEligible == true }) { counts[1] += 1 }
            if gotIt { counts[2] += 1 }
        }
        let totals = [entrants.count, counts[0], counts[1]]
        return stepNames.indices.map { index in
            SupportEvaluationBuilder.rate(stepNames[index].1, count: counts[index], students: counts[index], total: totals[index])
        }
    }

    /// Withholds figures of `steps` for governors and the public. The group's entrants and those
    /// who received support are printed in the uptake table too: `entrantsShown` and
    /// `receivedShown` say whether they are there. Returns false when the funnel had to be withheld
    /// whole (what it would hide is printed in the uptake table).
    @discardableResult
    static func shape(entrants: Int, steps: inout [LifecycleRate], entrantsShown: Bool, receivedShown: Bool) -> Bool {
        let threshold = SupportEvaluationBuilder.threshold
        func withholdAll() -> Bool {
            for index in steps.indices { withhold(&steps[index], count: true) }
            return false
        }
        guard var tables = try? tableSet(entrants: entrants, steps: steps, receivedShown: receivedShown) else { return withholdAll() }
        if !entrantsShown { tables.setVisibility(.suppressed, of: "entrants") }
        if !receivedShown { tables.setVisibility(.suppressed, of: "received") }
        // A share resting on fewer than 10 at its step, or fewer than 10 who did not reach it,
        // would give that small number away with the step before (as in the lifecycle tables).
        var before = entrants
        for (index, step) in Self.stepNames.enumerated() {
            let value = steps[index].students ?? 0
            if value < threshold || before - value < threshold { tables.setVisibility(.suppressed, of: CellID(step.0 + ".r")) }
            before = value
        }
        PrimarySuppression(threshold: threshold).apply(to: &tables)
        guard let protected = try? ComplementarySuppression(auditor: DisclosureAuditor(threshold: threshold)).protect(tables) else {
            return withholdAll()
        }
        func hidden(_ id: String) -> Bool { protected.tables[CellID(id)]?.visibility != .published }
        if (entrantsShown && hidden("entrants")) || (receivedShown && hidden("received")) { return withholdAll() }
        for (index, step) in Self.stepNames.enumerated() {
            if hidden(step.0) {
                withhold(&steps[index], count: true)
            } else if hidden(step.0 + ".r") {
                withhold(&steps[index], count: false)
            }
            steps[index].positive = nil
            steps[index].isSmall = false
        }
        return true
    }

    /// What a reader knows: entrants = applied + did not apply; applied = eligible + not eligible;
    /// eligible = received + did not receive; each printed share ties a step to the one before.
    /// The entrants, and those who received support where the uptake table prints them, are
    /// marked as totals: complementary suppression hides them only when nothing else will do.
    static func tableSet(entrants: Int, steps: [LifecycleRate], receivedShown: Bool = false) throws -> TableSet {
        var tables = TableSet()
        try tables.count("entrants", "Entrants", entrants, isTotal: true)
        var previous: CellID = "entrants"
        var previousLabel = "Entrants"
        var previousValue = entrants
        for (index, step) in Self.stepNames.enumerated() {
            let value = steps[index].students ?? 0
            let id = CellID(step.0)
            try tables.count(id, step.1, value, isTotal: step.0 == "received" && receivedShown)
            let rest = CellID(step.0 + ".not")
            try tables.add(Cell(id: rest, label: "\(previousLabel), not \(step.1.lowercased())", value: previousValue - value,
                                visibility: .unpublished))
            try tables.partition(previous, into: [id, rest])
            if previousValue > 0, let percent = steps[index].percent {
                try tables.rate(CellID(step.0 + ".r"), "\(step.1), share \(step.2)", numerator: id, denominator: previous,
                                percent: (percent * 10).rounded() / 10, decimals: 1)
            }
            previous = id
            previousLabel = step.1
            previousValue = value
        }
        return tables
    }

    /// The attacker's audit of a shaped funnel against the true figures, as a test runs it.
    static func audit(entrants: Int, trueSteps: [LifecycleRate], shapedSteps: [LifecycleRate], entrantsShown: Bool,
                      receivedShown: Bool) throws -> DisclosureAudit {
        var tables = try tableSet(entrants: entrants, steps: trueSteps)
        if !entrantsShown { tables.setVisibility(.suppressed, of: "entrants") }
        if !receivedShown { tables.setVisibility(.suppressed, of: "received") }
        for (index, step) in Self.stepNames.enumerated() {
            if shapedSteps[index].students == nil { tables.setVisibility(.suppressed, of: CellID(step.0)) }
            if shapedSteps[index].percent == nil { tables.setVisibility(.suppressed, of: CellID(step.0 + ".r")) }
        }
        return try DisclosureAuditor(threshold: SupportEvaluationBuilder.threshold).audit(tables)
    }

    private static func withhold(_ rate: inout LifecycleRate, count: Bool) {
        LifecycleDisclosure.withhold(&rate, count: count)
        rate.positive = nil
        rate.isSmall = false
    }
}
