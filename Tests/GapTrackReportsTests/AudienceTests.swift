import DisclosureControl
import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// A synthetic school with small groups planted where an attacker's probes found leaks: looked-after
/// pupils who are not FSM Ever 6 (recoverable as Disadvantaged − FSM Ever 6), a support type paid
/// from one fund only, an empty group (young carers) and a support type for a handful of pupils.
enum PlantedSchool {
    static func make(
        count: Int, seed: UInt64, code: String = "synthetic-school", lookedAfterNotFSM: Int = 9, lookedAfterAndFSM: Int = 0,
        singleFundPupils: Int = 9, noYoungCarers: Bool = true
    ) -> SyntheticSchool {
        var school = SyntheticSchool.generate(count: count, seed: seed)
        school.providerCode = code
        school.urn = String(100_000 + Int(seed % 800_000))
        var notFSM = 0
        var both = 0
        for i in school.students.indices {
            school.students[i].lookedAfter = false
            school.students[i].previouslyLookedAfter = false
            if noYoungCarers { school.students[i].youngCarer = false }
            let fsm = school.students[i].fsmNow || school.students[i].fsmEarlier
            if !fsm, notFSM < lookedAfterNotFSM {
                school.students[i].lookedAfter = true
                notFSM += 1
            } else if fsm, both < lookedAfterAndFSM {
                school.students[i].previouslyLookedAfter = true
                both += 1
            }
        }
        // Language support, paid only from the recovery premium, which pays for nothing else.
        for number in 1...max(1, singleFundPupils) where singleFundPupils > 0 {
            school.support.append(SyntheticSchool.Support(
                student: number, type: "language_support", startsOn: SyntheticSchool.firstSchoolDay.adding(days: 14), endsOn: nil,
                sessions: 6, hours: 6, pence: 12_000 + 37 * number, fundingSource: "recovery", status: "active"))
        }
        return school
    }
}

@Suite("Reports for an audience", .serialized)
struct AudienceTests {
    static let term: AcademicTerm = "2024/25-autumn"

    static func reportAndData(_ connection: PostgresConnection, code: String = "synthetic-school", audience: ReportAudience) throws
        -> (TermlyGapReport, TermlyReportData)
    {
        let queries = TermlyReportQueries(connection: connection)
        let provider = try ProviderCode(parsing: code)
        let report = try queries.report(provider: provider, cohort: "year-11", term: term, audience: audience)
        let data = try queries.data(provider: provider, cohort: "year-11", term: term)
        return (report, data)
    }

    @Test("governors and public reports of a school with planted small groups: the auditor recovers nothing")
    func governorsAndPublicHideWhatTheProbesFound() throws {
        let school = PlantedSchool.make(count: 240, seed: 13)
        try TestDatabase.withMigratedDatabase { connection in
            try school.load(into: connection)
            for audience in [ReportAudience.governors, .public] {
                let (report, data) = try Self.reportAndData(connection, audience: audience)
                #expect(report.audience == audience)
                let lookedAfter = try #require(report.groupSize(.lookedAfter))
                #expect(lookedAfter.students == .suppressed(.belowThreshold(threshold: 10)))
                // Disadvantaged − FSM Ever 6 would give the 9 back: one of the two goes.
                let disadvantaged = try #require(report.groupSize(.disadvantaged)).students
                let fsmEver6 = try #require(report.groupSize(.fsmEver6)).students
                #expect(disadvantaged.isSuppressed || fsmEver6.isSuppressed)
                // Language support (9 pupils, one fund): its row and its fund's spend are both withheld.
                let language = try #require(report.support.byType.first { $0.type == "language_support" })
                #expect(language.students.isSuppressed && language.spend.isSuppressed)
                let recovery = try #require(report.support.byFundingSource.first { $0.source == "recovery" })
                #expect(recovery.spend.isSuppressed)
                // The empty group is withheld too: "none of them" is a disclosure.
                #expect(report.groupSize(.youngCarer)?.students.isSuppressed == true)

                let tables = try TermlyReportTables.published(report, data: data)
                let audit = try DisclosureAuditor().audit(tables)
                #expect(audit.passes, "\(audience): \(audit.findings.map(\.description))")
                #expect(audit.figures.contains { $0.cell == "group.looked_after" })
                let hidden = try #require(audit.interval(of: "group.looked_after.not_fsm_ever_6"))
                #expect((hidden.width ?? Int.max) >= 10)
                // Every note says primary or complementary.
                #expect(!report.suppressionNotes.isEmpty)
                #expect(report.suppressionNotes.allSatisfy { $0.contains("(primary)") || $0.contains("(complementary)") })
            }
        }
    }

    @Test("FSM Ever 6 less FSM now is a group: with 5 such pupils, governors and the public never see both sizes", arguments: [29, 31])
    func fsmEver6LessFSMIsProtected(seed: UInt64) throws {
        var school = PlantedSchool.make(count: 240, seed: seed, lookedAfterNotFSM: 0, singleFundPupils: 0)
        // Exactly 5 pupils eligible in the last six years but not now; FSM now and FSM Ever 6 both 10 or more.
        var earlier = 0
        for i in school.students.indices where !school.students[i].fsmNow {
            school.students[i].fsmEarlier = earlier < 5
            earlier += 1
        }
        try TestDatabase.withMigratedDatabase { connection in
            try school.load(into: connection)
            let (staff, data) = try Self.reportAndData(connection, audience: .staff)
            let fsm = try #require(staff.groupSize(.fsm)?.students.value)
            #expect(try #require(staff.groupSize(.fsmEver6)?.students.value) == fsm + 5)
            #expect(fsm >= 10)
            // The left-over is a figure of the tables, which primary suppression alone gives away.
            var primaryOnly = try TermlyReportTables.describe(data).tables
            PrimarySuppression().apply(to: &primaryOnly)
            let leaked = try DisclosureAuditor().audit(primaryOnly).findings.first { $0.cell == "group.fsm_ever_6.not_fsm" }
            #expect(leaked?.kind == .recoveredExactly && leaked?.value == 5)
            for audience in [ReportAudience.governors, .public] {
                let (report, data) = try Self.reportAndData(connection, audience: audience)
                let sizes = try [report.groupSize(.fsm), report.groupSize(.fsmEver6)].map { try #require($0).students }
                #expect(sizes.contains { $0.isSuppressed }, "\(audience): FSM and FSM Ever 6 both printed")
                let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(report, data: data))
                #expect(audit.passes, "\(audience): \(audit.findings.map(\.description))")
                #expect((try #require(audit.interval(of: "group.fsm_ever_6.not_fsm")).width ?? Int.max) >= 10)
            }
        }
    }

    @Test("primary suppression alone lets the auditor recover the 9 looked-after pupils as Disadvantaged − FSM Ever 6")
    func primarySuppressionAloneLeaks() throws {
        let school = PlantedSchool.make(count: 240, seed: 13)
        try TestDatabase.withMigratedDatabase { connection in
            try school.load(into: connection)
            let (_, data) = try Self.reportAndData(connection, audience: .staff)
            var tables = try TermlyReportTables.describe(data).tables
            PrimarySuppression().apply(to: &tables)
            let audit = try DisclosureAuditor().audit(tables)
            let recovered = Dictionary(audit.findings.map { ($0.cell, $0) }, uniquingKeysWith: { first, _ in first })
            // Disadvantaged − FSM Ever 6: exactly 9.
            let lookedAfterOnly = try #require(recovered["group.looked_after.not_fsm_ever_6"])
            #expect(lookedAfterOnly.kind == .recoveredExactly && lookedAfterOnly.value == 9 && lookedAfterOnly.interval.lower == 9)
        }
    }

    @Test("the staff report shows every true figure, marks small groups in every format, and matches the data")
    func staffSeeTrueFiguresMarked() throws {
        let school = PlantedSchool.make(count: 240, seed: 13)
        try TestDatabase.withMigratedDatabase { connection in
            try school.load(into: connection)
            let (report, data) = try Self.reportAndData(connection, audience: .staff)
            #expect(report.audience == .staff)
            let lookedAfter = try #require(report.groupSize(.lookedAfter))
            #expect(lookedAfter.students == .value(9))
            #expect(lookedAfter.treatWithCare == true)
            #expect(lookedAfter.group.label.hasPrefix("† "))
            #expect(report.groupSize(.youngCarer)?.students == .value(0))
            #expect(report.groupSize(.fsmEver6)?.students == .value(data.groupCounts[.fsmEver6] ?? -1))
            let language = try #require(report.support.byType.first { $0.type == "language_support" })
            #expect(language.students == .value(9))
            #expect(language.spend == .value(try PoundsAndPence(pence: (1...9).reduce(0) { $0 + 12_000 + 37 * $1 })))
            #expect(language.treatWithCare == true)
            // Nothing is withheld for staff but figures that do not exist (no pupil to compute from).
            #expect(report.groupSizes.allSatisfy { !$0.students.isSuppressed })
            #expect(report.support.byFundingSource.allSatisfy { !$0.spend.isSuppressed })
            for format in ReportFormat.allCases {
                let text = try format.render(report)
                // JSON carries the audience as a field (below); every other format prints the header line.
                #expect(format == .json || text.contains("Audience: staff"), "\(format)")
                #expect(text.contains("†"), "\(format)")
                #expect(text.contains("fewer than 10 pupils: treat with care"), "\(format)")
            }
            // CSV: every row of the looked-after group carries the mark in its note.
            let csv = CSVReportRenderer.rows(report).filter { $0.group == ReportGroup.lookedAfter.id }
            #expect(!csv.isEmpty && csv.allSatisfy { $0.note.contains("† fewer than 10 pupils: treat with care") })
            let json = try ReportFormat.json.render(report)
            #expect(json.contains("\"treatWithCare\" : true"))
            #expect(json.contains("\"audience\" : \"staff\""))
        }
    }

    /// Many random cohorts, each with small groups planted in a partition, a union, a single-fund
    /// support type and an empty group, in one database: every governors' and public report passes
    /// the audit, and every staff report prints the true counts.
    @Test("randomised cohorts with planted small groups: no governors' or public report lets the auditor recover a hidden figure")
    func randomisedCohorts() throws {
        var generator = SeededGenerator(seed: 2026)
        try TestDatabase.withMigratedDatabase { connection in
            for index in 0..<8 {
                let code = "planted-\(index)"
                let school = PlantedSchool.make(
                    count: 60 + generator.index(below: 240), seed: UInt64(100 + index), code: code,
                    lookedAfterNotFSM: 1 + generator.index(below: 12), lookedAfterAndFSM: generator.index(below: 6),
                    singleFundPupils: generator.index(below: 14), noYoungCarers: generator.unitInterval() < 0.5)
                try school.load(into: connection)
                for audience in [ReportAudience.governors, .public] {
                    let (report, data) = try Self.reportAndData(connection, code: code, audience: audience)
                    let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(report, data: data))
                    #expect(audit.passes, "\(code) \(audience): \(audit.findings.map(\.description))")
                    #expect(!audit.figures.isEmpty, "\(code): something small was planted, so something is hidden")
                }
                let (staff, data) = try Self.reportAndData(connection, code: code, audience: .staff)
                for row in staff.groupSizes {
                    let expected = row.group.id == ReportGroup.cohort.id ? data.cohortSize : (data.groupCounts.first { $0.key.id == row.group.id }?.value ?? 0)
                    #expect(row.students == .value(expected), "\(code) \(row.group.id)")
                    #expect((row.treatWithCare == true) == (expected < 10), "\(code) \(row.group.id)")
                }
            }
        }
    }
}
