import DisclosureControl
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// Filtered views set against each other, not only against the whole cohort: nested views differ
/// by a group, sibling views add up to the whole but for a group (docs/disclosure-control.md §7.7).
/// Each test plants the group, shows that the views shaped one by one against the whole (as they
/// were) give it away, and that the views shaped as one breakdown do not: as the CLI and the
/// service now make them for gender, EAL and markers.
@Suite("Filtered views against each other", .serialized)
struct ViewBreakdownDifferencingTests {
    static let term: AcademicTerm = "2024/25-autumn"
    static let provider = try! ProviderCode(parsing: "synthetic-school")
    static let auditor = DisclosureAuditor(threshold: 10)

    /// The views of `breakdown` shaped as they were before: each alone, tied to the whole cohort.
    static func shapedOneByOne(_ breakdown: FilterBreakdown, audience: ReportAudience) throws -> [TermlyGapReport] {
        try breakdown.views.map { view in
            try TermlyReportShaping().shape(TermlyGapReportBuilder().build(view.data), data: view.data, whole: breakdown.whole, for: audience)
        }
    }

    /// Every view of the breakdown shaped as its slice of the one breakdown (`TermlyReportShaping`'s
    /// `breakdown:`): the rule itself, without the queries around it.
    static func shapedAsSlices(_ breakdown: FilterBreakdown, audience: ReportAudience) throws -> [TermlyGapReport] {
        try breakdown.views.indices.map { i in
            var slice = breakdown
            slice.requested = i
            let data = breakdown.views[i].data
            return try TermlyReportShaping().shape(TermlyGapReportBuilder().build(data), data: data, breakdown: slice, for: audience)
        }
    }

    /// Every view of the breakdown as the CLI and the service make it (`TermlyReportQueries.report`),
    /// each asked for on its own, in `order`.
    static func shapedNow(
        _ queries: TermlyReportQueries, _ breakdown: FilterBreakdown, audience: ReportAudience, order: [Int]? = nil
    ) throws -> [TermlyGapReport] {
        var reports: [Int: TermlyGapReport] = [:]
        for i in order ?? Array(breakdown.views.indices) {
            reports[i] = try queries.report(provider: provider, cohort: "year-11", term: term, audience: audience, filter: breakdown.views[i].filter)
        }
        return breakdown.views.indices.map { reports[$0]! }
    }

    static func breakdown(_ queries: TermlyReportQueries, _ filter: CohortFilter, audience: ReportAudience) throws -> FilterBreakdown {
        let data = try queries.data(provider: provider, cohort: "year-11", term: term, audience: audience, filter: filter)
        return try queries.breakdown(of: filter, data: data, provider: provider, cohort: "year-11", term: term, audience: audience)
    }

    static func printedCohort(_ report: TermlyGapReport) -> Int? { report.groupSize(.cohort)?.students.value ?? nil }

    static func printedDisadvantaged(_ report: TermlyGapReport) -> Int? {
        report.groupSize(.disadvantaged)?.students.value ?? report.attendance.rows.first { $0.group == .disadvantaged }?.students.value ?? nil
    }

    /// The view's size as it prints it: in its group sizes, or else in its attendance table.
    static func printedPupils(_ report: TermlyGapReport) -> Int? {
        printedCohort(report) ?? report.attendance.rows.first { $0.group == .cohort }?.students.value ?? nil
    }

    /// 240 pupils; of those with FSM Ever 6, all but 3 have FSM now: the view `marker=fsm_ever_6`
    /// less the view `marker=fsm` is 3 pupils.
    static func nestedSchool() -> SyntheticSchool {
        var school = PlantedSchool.make(count: 240, seed: 41, lookedAfterNotFSM: 0, singleFundPupils: 0)
        var earlierOnly = 0
        for i in school.students.indices where school.students[i].fsmEarlier && !school.students[i].fsmNow {
            school.students[i].fsmEarlier = earlierOnly < 3
            earlierOnly += 1
        }
        return school
    }

    @Test("nested marker views: FSM Ever 6 less FSM is 3 pupils; shaped one by one they give them away, as one breakdown they do not")
    func nestedMarkerViews() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try Self.nestedSchool().load(into: connection)
            let queries = TermlyReportQueries(connection: connection)
            let fsm = try CohortFilter(parsing: ["marker=fsm"])
            let ever6 = try CohortFilter(parsing: ["marker=fsm_ever_6"])
            // The plant, counted independently of the shaping.
            let fsmData = try queries.data(provider: Self.provider, cohort: "year-11", term: Self.term, filter: fsm)
            let ever6Data = try queries.data(provider: Self.provider, cohort: "year-11", term: Self.term, filter: ever6)
            #expect(ever6Data.cohortSize - fsmData.cohortSize == 3)
            for audience in [ReportAudience.governors] {
                let breakdown = try Self.breakdown(queries, ever6, audience: audience)
                let names = breakdown.views.map(\.filter.code)
                #expect(names.contains("marker=fsm") && names.contains("marker=fsm_ever_6"), "\(names)")
                let i = try #require(names.firstIndex(of: "marker=fsm")), j = try #require(names.firstIndex(of: "marker=fsm_ever_6"))
                #expect(breakdown.partitions.contains { $0.parent == j && $0.parts == [i] && !$0.covers }, "\(breakdown.partitions)")

                // Before: each view tied to the whole alone prints its size; the two differ by 3.
                let before = try Self.shapedOneByOne(breakdown, audience: audience)
                let printed = (try #require(Self.printedPupils(before[j])), try #require(Self.printedPupils(before[i])))
                // The printed sizes (the attendance table's, where the group sizes are withheld) differ
                // by the planted pupils who have attendance marks: fewer than 10, a small group.
                #expect((1...3).contains(printed.0 - printed.1), "the leak this test plants: \(printed.0) − \(printed.1)")
                let attack = try Self.auditor.audit(breakdown.published(before))
                #expect(attack.findings.contains {
                    $0.kind == .recoveredExactly && $0.value == printed.0 - printed.1 && $0.label.contains("marker=fsm_ever_6 less marker=fsm")
                }, "\(attack.findings)")

                // After: every view as the CLI and the service make it, attacked together.
                let after = try Self.shapedNow(queries, breakdown, audience: audience)
                let audit = try Self.auditor.audit(breakdown.published(after))
                #expect(audit.findings.isEmpty, "\(audit.findings)")
                #expect(audit.figures.contains { $0.label.contains("marker=fsm_ever_6 less marker=fsm") && $0.value == 3 })
                let shown = (Self.printedPupils(after[j]), Self.printedPupils(after[i]))
                #expect(shown.0 == nil || shown.1 == nil, "both sizes printed: \(shown)")
                // Every pupil of these views is disadvantaged by definition: the other side is shown
                // as 0, not withheld (withheld, it pinned the view's disadvantaged count to its size).
                for report in [after[i], after[j]] {
                    #expect(report.groupSize(.others)?.students.value == 0, "\(String(describing: report.groupSize(.others)))")
                }
                // No "first asked wins": the views asked for in the other order print the same bytes,
                // and so do the slices of the rule.
                let again = try Self.shapedNow(queries, breakdown, audience: audience, order: breakdown.views.indices.reversed())
                #expect(try again.map(JSONReportRenderer.render) == after.map(JSONReportRenderer.render))
                let slices = try Self.shapedAsSlices(breakdown, audience: audience)
                #expect(try slices.map(JSONReportRenderer.render) == after.map(JSONReportRenderer.render))
            }
        }
    }

    @Test("nested pupil groups: a reading group of 40 holds a catch-up group of 37, 3 of them disadvantaged the other lacks; as one breakdown nothing gives them away")
    func nestedPupilGroups() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let school = PlantedSchool.make(count: 240, seed: 47, lookedAfterNotFSM: 0, singleFundPupils: 0)
            let providerID = try school.load(into: connection)
            // Reading: 34 pupils who are not disadvantaged and 6 who are; catch-up: the same less 3 of the 6.
            let others = school.students.filter { !$0.isDisadvantaged }.prefix(34).map(\.institutionID)
            let disadvantaged = school.students.filter(\.isDisadvantaged).prefix(6).map(\.institutionID)
            let groups = PupilGroups(connection: connection)
            _ = try groups.add(providerID: providerID, code: "reading", name: "Reading group")
            _ = try groups.add(providerID: providerID, code: "catch-up", name: "Catch-up group")
            // The synthetic pupils have institution ids only (no UPN for `setMembers` to look up).
            for (code, members) in [("reading", Array(others) + Array(disadvantaged)), ("catch-up", Array(others) + Array(disadvantaged.prefix(3)))] {
                _ = try connection.query(
                    "INSERT INTO student_group_members (provider_id, code, student_id) SELECT $1, $2, student_id FROM students "
                        + "WHERE provider_id = $1 AND institution_id = ANY ($3::text[])", [providerID, code, "{" + members.joined(separator: ",") + "}"])
            }
            let queries = TermlyReportQueries(connection: connection)
            let reading = try CohortFilter(parsing: ["group=reading"])
            let audience = ReportAudience.governors
            let breakdown = try Self.breakdown(queries, reading, audience: audience)
            #expect(breakdown.views.map(\.filter.code) == ["group=catch-up", "group=reading"])
            #expect(breakdown.partitions.contains(BreakdownPartition(parent: 1, parts: [0], covers: false)), "\(breakdown.partitions)")
            #expect(breakdown.views[1].data.groupCounts[.disadvantaged] == 6 && breakdown.views[0].data.groupCounts[.disadvantaged] == 3, "the plant")

            // Shaped one by one against the whole, the two views' disadvantaged counts or sizes give the 3 away.
            let before = try Self.shapedOneByOne(breakdown, audience: audience)
            let attack = try Self.auditor.audit(breakdown.published(before))
            #expect(attack.findings.contains { $0.label.contains("group=reading less group=catch-up") }, "\(attack.findings)")

            let after = try Self.shapedNow(queries, breakdown, audience: audience)
            let audit = try Self.auditor.audit(breakdown.published(after))
            #expect(audit.findings.isEmpty, "\(audit.findings)")
            #expect(audit.figures.contains { $0.label.contains("group=reading less group=catch-up") && $0.value == 3 })
            let again = try Self.shapedNow(queries, breakdown, audience: audience, order: breakdown.views.indices.reversed())
            #expect(try again.map(JSONReportRenderer.render) == after.map(JSONReportRenderer.render))
        }
    }

    @Test("SEN: governors get sen=any and sen=none shaped as one; SEN support or EHC plan alone (each the SEN view less the other) is refused")
    func senViews() throws {
        try TestDatabase.withMigratedDatabase { connection in
            var school = PlantedSchool.make(count: 240, seed: 53, lookedAfterNotFSM: 0, singleFundPupils: 0)
            // 4 pupils with an EHC plan; the generator's others get SEN support.
            var plans = 0
            for i in school.students.indices where school.students[i].sen == "E" {
                plans += 1
                if plans > 4 { school.students[i].sen = "K" }
            }
            try school.load(into: connection)
            let ehcPlan = school.students.filter { $0.sen == "E" }.count
            #expect(ehcPlan == 4, "the plant: \(ehcPlan) pupils with an EHC plan, the SEN view less the SEN support view")
            let queries = TermlyReportQueries(connection: connection)
            for audience in [ReportAudience.governors, .public] {
                for part in ["sen=k", "sen=e"] {
                    #expect(throws: TermlyReportError.senPartView(filter: try CohortFilter(parsing: [part]).description, audience: audience.rawValue)) {
                        try queries.report(provider: Self.provider, cohort: "year-11", term: Self.term, audience: audience, filter: try CohortFilter(parsing: [part]))
                    }
                }
                let breakdown = try Self.breakdown(queries, try CohortFilter(parsing: ["sen=none"]), audience: audience)
                #expect(breakdown.views.map(\.filter.code) == ["sen=any", "sen=none"])
                #expect(breakdown.partitions == [BreakdownPartition(parent: nil, parts: [0, 1], covers: true)])
                let reports = try Self.shapedNow(queries, breakdown, audience: audience)
                let audit = try Self.auditor.audit(breakdown.published(reports))
                #expect(audit.findings.isEmpty, "\(audit.findings)")
                // The EHC plan pupils are a group of the SEN view, withheld there as under 10.
                #expect(reports[0].groupSize(.senEHCPlan)?.students.isSuppressed == true, "\(String(describing: reports[0].groupSize(.senEHCPlan)))")
            }
            // Staff get SEN support alone, with its true size.
            let staff = try queries.report(provider: Self.provider, cohort: "year-11", term: Self.term, filter: try CohortFilter(parsing: ["sen=k"]))
            #expect(Self.printedCohort(staff) == school.students.filter { $0.sen == "K" }.count)
        }
    }

    /// 240 pupils, girls (even numbers) and boys (odd) alternately, but 2 with no gender recorded:
    /// the views `gender=F` and `gender=M` together leave out exactly those 2.
    static func genderSchool(into connection: PostgresConnection, adjust: (inout SyntheticSchool) -> Void = { _ in }) throws {
        var school = PlantedSchool.make(count: 240, seed: 43, lookedAfterNotFSM: 0, singleFundPupils: 0)
        school.students[0].fsmNow = true
        school.students[1].fsmNow = true
        adjust(&school)
        let providerID = try school.load(into: connection)
        try connection.execute(
            "UPDATE students SET gender = CASE WHEN substr(institution_id, 2)::int IN (1, 2) THEN NULL "
                + "WHEN substr(institution_id, 2)::int % 2 = 0 THEN 'F' ELSE 'M' END WHERE provider_id = \(providerID)")
    }

    @Test("sibling views: girls and boys leave out 2 pupils of no recorded gender; one by one they give them away, as one breakdown they do not")
    func siblingViews() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try Self.genderSchool(into: connection)
            let queries = TermlyReportQueries(connection: connection)
            let girls = try CohortFilter(parsing: ["gender=F"])
            let whole = try queries.data(provider: Self.provider, cohort: "year-11", term: Self.term)
            for audience in [ReportAudience.governors] {
                let breakdown = try Self.breakdown(queries, girls, audience: audience)
                #expect(breakdown.views.map(\.filter.code) == ["gender=F", "gender=M"])
                #expect(breakdown.partitions.first == BreakdownPartition(parent: nil, parts: [0, 1], covers: false))
                #expect(whole.cohortSize - breakdown.views.reduce(0) { $0 + $1.data.cohortSize } == 2, "the plant")

                let before = try Self.shapedOneByOne(breakdown, audience: audience)
                let wholeReport = try queries.report(provider: Self.provider, cohort: "year-11", term: Self.term, audience: audience)
                let printedWhole = try #require(Self.printedPupils(wholeReport))
                let printedViews = try before.map { try #require(Self.printedPupils($0)) }
                let leftOver = printedWhole - printedViews.reduce(0, +)
                #expect((1...9).contains(leftOver), "the leak this test plants: \(printedWhole) − \(printedViews)")
                let attack = try Self.auditor.audit(breakdown.published(before))
                #expect(attack.findings.contains { $0.kind == .recoveredExactly && $0.label.contains("the whole cohort less gender=F, gender=M") },
                        "\(attack.findings)")

                let after = try Self.shapedNow(queries, breakdown, audience: audience)
                let audit = try Self.auditor.audit(breakdown.published(after))
                #expect(audit.findings.isEmpty, "\(audit.findings)")
                #expect(audit.figures.contains { $0.label.contains("the whole cohort less gender=F, gender=M") && $0.value == 2 })
                #expect(after.map(Self.printedPupils).contains(nil), "a view's size must be withheld")
                #expect(after.allSatisfy { $0.audience == audience })
                // No "first asked wins": the views asked for in the other order print the same bytes.
                let again = try Self.shapedNow(queries, breakdown, audience: audience, order: breakdown.views.indices.reversed())
                #expect(try again.map(JSONReportRenderer.render) == after.map(JSONReportRenderer.render))
            }
            // Staff see the true figures of each view.
            let staff = try queries.report(provider: Self.provider, cohort: "year-11", term: Self.term, audience: .staff, filter: girls)
            #expect(Self.printedCohort(staff) == 119)
        }
    }

    @Test("a combined filter: eal=yes and eal=yes, girls differ by 3 disadvantaged pupils; governors and the public get one filter at a time")
    func combinedFilterRefused() throws {
        try TestDatabase.withMigratedDatabase { connection in
            // EAL: every girl, 20 boys who are not disadvantaged and 3 who are. The view eal=yes
            // less the view eal=yes, girls is 23 boys, 3 of them disadvantaged.
            try Self.genderSchool(into: connection) { school in
                var disadvantagedBoys = 0, otherBoys = 0
                for i in school.students.indices {
                    let number = school.students[i].number
                    if number <= 2 { school.students[i].eal = false; continue }
                    if number % 2 == 0 { school.students[i].eal = true; continue }
                    if school.students[i].isDisadvantaged {
                        school.students[i].eal = disadvantagedBoys < 3
                        disadvantagedBoys += 1
                    } else {
                        school.students[i].eal = otherBoys < 20
                        otherBoys += 1
                    }
                }
            }
            let queries = TermlyReportQueries(connection: connection)
            let eal = try CohortFilter(parsing: ["eal=yes"])
            let ealGirls = try CohortFilter(parsing: ["eal=yes", "gender=F"])
            let outer = try queries.data(provider: Self.provider, cohort: "year-11", term: Self.term, filter: eal)
            let inner = try queries.data(provider: Self.provider, cohort: "year-11", term: Self.term, filter: ealGirls)
            #expect((outer.groupCounts[.disadvantaged] ?? 0) - (inner.groupCounts[.disadvantaged] ?? 0) == 3, "the plant")
            #expect(outer.cohortSize - inner.cohortSize == 23)
            for audience in [ReportAudience.governors, .public] {
                // Before: both views shaped one by one against the whole; their difference (the
                // boys and the 2 unrecorded with EAL) is in the tables the auditor attacks.
                let wholeData = try queries.data(provider: Self.provider, cohort: "year-11", term: Self.term)
                let pair = FilterBreakdown(
                    whole: wholeData, views: [(eal, outer), (ealGirls, inner)],
                    partitions: [BreakdownPartition(parent: nil, parts: [0], covers: true), BreakdownPartition(parent: 0, parts: [1], covers: false)],
                    requested: 1)
                let before = try Self.shapedOneByOne(pair, audience: audience)
                let attack = try Self.auditor.audit(pair.published(before))
                let printed = (Self.printedDisadvantaged(before[0]), Self.printedDisadvantaged(before[1]))
                #expect(printed.0.flatMap { a in printed.1.map { a - $0 } } == 3, "the leak this test plants: \(printed)")
                #expect(attack.findings.contains {
                    $0.label.contains("eal=yes less eal=yes;gender=F") && $0.kind == .recoveredExactly && $0.value == 3
                }, "\(attack.findings)")

                // After: refused, naming the staff report.
                #expect {
                    try queries.report(provider: Self.provider, cohort: "year-11", term: Self.term, audience: audience, filter: ealGirls)
                } throws: { error in
                    guard let error = error as? TermlyReportError, case .combinedFilter = error else { return false }
                    return error.description.contains("--audience staff") && error.description.contains("one filter")
                }
            }
            let staff = try queries.report(provider: Self.provider, cohort: "year-11", term: Self.term, audience: .staff, filter: ealGirls)
            #expect(Self.printedCohort(staff) == inner.cohortSize)
        }
    }
}
