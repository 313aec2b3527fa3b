import DisclosureControl
import GapTrackStore
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestDatabase
import Testing

/// The demo's impact reports attacked by the disclosure auditor (docs/methodology.md §7.6): the
/// cost-of-living report the code before printed for governors
/// (`Fixtures/main-impact-cost-of-living-demo-university-2024-25.json`, `gaptrack report impact
/// --support cost-of-living --year 2024/25 --audience governors --format json` on the seed-2024
/// demo, uptake withheld one row at a time) gives a withheld uptake away through the spend table;
/// the governors' and public impact reports made now, standalone and as termly sections, give
/// nothing away, and staff read a section for every type with the small ones marked.
@Suite("The demo's impact reports under attack", .serialized)
struct DemoImpactDisclosureTests {
    static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    }

    static func decode(_ url: URL) throws -> ImpactReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ImpactReport.self, from: try Data(contentsOf: url))
    }

    static func audit(_ report: ImpactReport, _ data: ImpactData) throws -> DisclosureAudit {
        try DisclosureAuditor().audit(try ImpactReportTables.published(report, data: data))
    }

    @Test("the old cost-of-living report lets the auditor recover a withheld uptake; every impact report made now for governors or the public does not")
    func oldImpactReportLeaksNewOnesDoNot() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["demo", "load", "--seed", "2024"] + database)

            let university = try ProviderCode(parsing: "demo-university")
            let year = try AcademicYear(parsing: "2024/25")
            let request = ImpactRequest(providerCode: university, intervention: .costOfLiving, academicYear: year)
            let data = try ImpactQueries.load(request, on: connection)
            let old = try Self.decode(Self.fixture("main-impact-cost-of-living-demo-university-2024-25.json"))
            // The fixture is this very data.
            guard case let .costOfLiving(aggregates) = data.design else { Issue.record("not a cost-of-living report"); return }
            #expect(old.count("lseb_students")?.students == .value(aggregates.lsebStudents), "the demo changed: make the fixture again from the old code")
            #expect(old.spend.total.students == .value(data.spend.total.students))

            let oldAudit = try Self.audit(old, data)
            let housing = try #require(aggregates.uptake.firstIndex { $0.type == .housingSupport })
            // Housing support: 51 students in the spend table, 46 of them LSEB; the other 5 are withheld, and recovered.
            let finding = try #require(oldAudit.findings.first { $0.cell.rawValue == "uptake\(housing).others" }, "\(oldAudit.findings)")
            #expect(finding.kind == .recoveredExactly)
            #expect(finding.value == aggregates.uptake[housing].othersSupported)

            for audience in [ReportAudience.governors, .public] {
                let report = ImpactReportBuilder(audience: audience).build(data)
                let audit = try Self.audit(report, data)
                #expect(audit.passes, "cost of living, \(audience): \(audit.findings.map(\.description))")
                #expect(!audit.figures.isEmpty)
            }

            // Every type the demo school delivers, for Year 11, maths autumn to summer.
            let school = try ProviderCode(parsing: "demo-academy")
            let cohort = try CohortCode(parsing: "year-11")
            let (before, after) = (try AssessmentPointSelector(parsing: "maths@2024/25-autumn"), try AssessmentPointSelector(parsing: "maths@2024/25-summer"))
            let types = [InterventionType.tutoring, .mentoring, .languageSupport, .enrichment, .deviceOrData, .careExperiencedTransition]
            // Read together, as a termly report's sections are: one cohort computation for all.
            let requests = types.map { ImpactRequest(providerCode: school, intervention: .type($0), before: before, after: after, cohort: cohort) }
            for (type, result) in zip(types, try ImpactQueries.load(requests, on: connection)) {
                let data = try result.get()
                for audience in [ReportAudience.governors, .public] {
                    let audit = try Self.audit(ImpactReportBuilder(audience: audience).build(data), data)
                    #expect(audit.passes, "\(type) \(audience): \(audit.findings.map(\.description))")
                }
                let staff = ImpactReportBuilder(audience: .staff).build(data)
                #expect(try ImpactReportTables.published(staff, data: data).suppressed.isEmpty, "\(type): staff see every figure")
            }
            // As `gaptrack report impact` prints them for governors and the public: shaped beside the
            // termly report of the exit term, and attacked together with it.
            let queries = TermlyReportQueries(connection: connection)
            for audience in [ReportAudience.governors, .public] {
                let termly = try queries.shapedReport(provider: school, cohort: cohort, term: after.term, impact: .automatic, audience: audience)
                for (type, request) in zip(types, requests) {
                    let data = try ImpactQueries.load(request, on: connection)
                    var both = termly.report
                    both.impact.insert(try queries.impactReport(request, audience: audience), at: termly.impact.count)
                    let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(both, data: termly.data, impact: termly.impact + [data]))
                    #expect(audit.passes, "\(type) beside the termly report, \(audience): \(audit.findings.map(\.description))")
                }
            }
        }
    }

    @Test("a termly report's impact sections: staff get every type with the small ones marked; governors the same sections, protected with the support table")
    func termlySectionsForEveryAudience() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["demo", "load", "--seed", "2024"] + database)
            let queries = TermlyReportQueries(connection: connection)
            let (provider, cohort, term) = (try ProviderCode(parsing: "demo-academy"), try CohortCode(parsing: "year-11"), try AcademicTerm(parsing: "2024/25-summer"))
            let staff = try queries.shapedReport(provider: provider, cohort: cohort, term: term, impact: .automatic, audience: .staff)
            let candidates = staff.data.impactCandidates.filter { $0.participants > 0 }
            #expect(staff.report.impact.count == candidates.count)
            // Sections are judged on their target (docs/methodology.md §6.6); the ones not judged carry no figures.
            func section(_ report: TermlyGapReport, _ candidate: ImpactCandidate) -> ImpactReport? {
                report.impact.first { $0.intervention.types.map(\.rawValue) == [candidate.type] && $0.target == candidate.targetLabel }
            }
            let small = candidates.filter { $0.participants < 10 && $0.notJudgedReason == nil }
            // Support that names no target is reported as not judged, with no figures.
            let notJudged = candidates.filter { $0.notJudgedReason != nil }
            #expect(!notJudged.isEmpty, "the demo's enrichment names no target")
            for candidate in notJudged {
                let section = try #require(section(staff.report, candidate))
                #expect(section.notJudged == candidate.notJudgedReason && section.counts.isEmpty && section.outcomes.isEmpty)
            }
            for candidate in small {
                let section = try #require(section(staff.report, candidate))
                #expect(section.count("participants")?.students == .value(candidate.participants))
                #expect(section.count("participants")?.label.hasPrefix(ReportAudience.cautionMark) == true)
                let attainment = try #require(section.outcome("attainment") ?? section.outcome("attendance"))
                if attainment.effect != nil {
                    #expect(attainment.finding.contains("treat with care"), "\(candidate.type): \(attainment.finding)")
                    #expect(attainment.refusal == nil)
                }
            }
            for audience in [ReportAudience.governors, .public] {
                let shaped = try queries.shapedReport(provider: provider, cohort: cohort, term: term, impact: .automatic, audience: audience)
                #expect(shaped.report.impact.map(\.intervention) == staff.report.impact.map(\.intervention))
                for candidate in small {
                    let section = try #require(section(shaped.report, candidate))
                    #expect(section.count("participants")?.students.isSuppressed == true)
                    #expect(section.outcome("attainment")?.effect == nil && section.outcome("attendance")?.effect == nil)
                }
                let tables = try TermlyReportTables.published(shaped.report, data: shaped.data, impact: shaped.impact)
                let audit = try DisclosureAuditor().audit(tables)
                #expect(audit.passes, "\(audience): \(audit.findings.map(\.description))")
                #expect(audit.figures.contains { $0.cell.rawValue.hasPrefix("impact.") })
            }
        }
    }
}
