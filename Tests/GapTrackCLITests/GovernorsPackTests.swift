@testable import DemoData
import DisclosureControl
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestDatabase
import Testing

/// The demo school's governors' pack (docs/methodology.md §7.9) and pupil premium review
/// (§6.5), made through the command line from `gaptrack demo load`.
@Suite("The demo's governors' pack", .serialized)
struct GovernorsPackTests {
    static let chromium: String? = PDFPrinter.fromEnvironment().executable

    /// Pages of a PDF: its page objects, `/Type /Page` but not `/Type /Pages` (Chromium writes
    /// them uncompressed; ISO 32000-1 §7.7.3.3).
    static func pageCount(_ pdf: Data) -> Int {
        let text = String(decoding: pdf, as: UTF8.self)
        return text.matches(of: /\/Type\s*\/Page(?![a-zA-Z])/).count
    }

    @Test func pageCountingCountsPagesNotThePageTree() {
        let pdf = "1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] >> 2 0 obj << /Type /Page >> 3 0 obj <</Type/Page/Parent 1 0 R>>"
        #expect(Self.pageCount(Data(pdf.utf8)) == 2)
    }

    @Test("the demo's pack prints on at most two A4 pages, and its figures are the governors' termly report's",
          .enabled(if: chromium != nil, "Chromium is not installed: run 'apt-get install -y chromium' (Debian package 'chromium')"))
    func theDemoPackFitsTwoPagesAndAgreesWithTheReport() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["demo", "load", "--seed", "2024"] + database)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pack-" + UUID().uuidString)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let arguments = ["report", "governors-pack", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-summer"]
            _ = try GapTrackCommandLine.run(arguments + ["--format", "pdf", "--output", folder.appendingPathComponent("pack.pdf").path] + database)
            let pdf = try Data(contentsOf: folder.appendingPathComponent("pack.pdf"))
            #expect(pdf.starts(with: Array("%PDF-".utf8)))
            let pages = Self.pageCount(pdf)
            #expect((1...2).contains(pages), "the pack printed on \(pages) pages")
            // The appendix is the full report, longer than the pack.
            #expect(Self.pageCount(try Data(contentsOf: folder.appendingPathComponent("pack-appendix.pdf"))) > pages)

            _ = try GapTrackCommandLine.run(arguments + ["--output", folder.appendingPathComponent("pack.html").path] + database)
            let html = try String(contentsOf: folder.appendingPathComponent("pack.html"), encoding: .utf8)
            let (provider, cohort, term) = (try ProviderCode(parsing: "demo-academy"), try CohortCode(parsing: "year-11"), try AcademicTerm(parsing: "2024/25-summer"))
            let report = try TermlyReportQueries(connection: connection)
                .report(provider: provider, cohort: cohort, term: term, impact: .automatic, audience: .governors)
            let pack = try GovernorsPackQueries(connection: connection).pack(provider: provider, cohort: cohort, term: term, appendix: "pack-appendix.html")
            #expect(pack.termly == report)
            #expect(GovernorsPackHTML.render(pack) == html)
            let headline = try #require(pack.headline)
            #expect(html.contains(">\(headline.gapIndex.text)<"))
            #expect(html.contains(">\(report.attendance.attendanceGap.text)<"))
            #expect(html.contains("href=\"pack-appendix.html\""))
            #expect(html.components(separatedBy: "<svg").count - 1 <= 3)
            #expect(!html.contains("†"))
            // The national KS4 gap index is drawn beside year 11's gap.
            #expect(pack.nationalGapIndex != nil && html.contains("stroke-dasharray"))
            // The latest year's, not the first the table lists (2018/19's 3.70 before 2023/24's 3.92).
            let latestKS4 = NationalFigures.figures(for: .keyStage4).filter { $0.measure == .dfeGapIndex }.map(\.resultsYear).max()
            #expect(pack.nationalGapIndex?.resultsYear == latestKS4 && latestKS4 != nil)
            // The attendance chart has a national line too: overall absence of pupils eligible for
            // free school meals minus the others' (10.4% − 5.5% = 4.9 points, autumn 2023/24), said
            // to be by current eligibility (docs/methodology.md §8.4).
            #expect(pack.nationalAbsenceGap?.points == 4.9)
            #expect(html.contains("England 2023/24 autumn term, FSM v. not: 4.9"))
            #expect(html.contains("current eligibility, not the disadvantaged group") && !html.contains("holds no national"))
            #expect(html.components(separatedBy: "stroke-dasharray").count - 1 >= 2)

            // The demo school's plan was loaded with it: spend against plan by tier, audited.
            let review = try #require(pack.pupilPremium)
            #expect(review.activities.count == 6 && review.challenges.count == 4)
            #expect(review.tiers.allSatisfy { $0.planned != nil })
            #expect(html.contains(review.totalPlanned.formatted))
            // Known zeros are shown, not hidden: a secondary school has no primary FSM Ever 6 pupils,
            // and no support type counts in high-quality teaching.
            #expect(review.line(.fsmEver6Primary)?.pupils == .value(0))
            #expect(review.tier(.highQualityTeaching)?.spent == .value(.zero))
            let data = try PupilPremiumReviewQueries(connection: connection).data(provider: provider, year: term.year)
            let audit = try DisclosureAuditor().audit(try PupilPremiumReviewTables.published(review, data: data))
            #expect(audit.passes, "\(audit.findings)")

            // Tutoring targets maths for some pupils and English for others: two sections, each also
            // carrying an attendance outcome. The pack names each with its target and judges it on
            // that target only, so no intervention is listed twice under one outcome.
            let findings = pack.impactFindings
            let tutoring = findings.filter { $0.intervention.hasPrefix("Tutoring") }
            #expect(Set(tutoring.map(\.intervention)) == ["Tutoring (maths)", "Tutoring (english)"], "\(tutoring)")
            #expect(tutoring.allSatisfy { $0.outcome.lowercased().hasPrefix($0.intervention.dropFirst("Tutoring (".count).dropLast() + " progress") },
                    "\(tutoring.map(\.outcome))")
            let pairs = findings.map { [$0.intervention, $0.outcome] }
            #expect(Set(pairs).count == pairs.count, "an intervention judged twice on one outcome: \(pairs)")
            #expect(!html.contains("<td>Tutoring</td><td>Attendance"))

            // The allocation total would give away the small grounds' counts (Σ rate × pupils with the
            // rates published), so governors see what the grounds shown bring and which are withheld,
            // never a bare "c".
            #expect(review.allocationToSchool.isSuppressed)
            #expect(!html.contains("Allocation to the school: c"))
            let shown = review.allocation.filter { $0.ground.paidToSchool && $0.amount.value != nil }
            let shownSum = shown.reduce(PoundsAndPence.zero) { $0 + $1.amount.value! }
            #expect(review.allocationShownToSchool.amount == shownSum && !shown.isEmpty)
            #expect(html.contains(HTML.escape("Allocation to the school: \(shownSum.formatted) from ")))
            #expect(html.contains("not shown since with the published rates it would give away how many pupils"))

            // Year 7 in the summer: a fund's spend on a support type it paid for on no day of the term
            // is £0 by the tables' structure alone, and protecting it used to stop the pack
            // ("narrowed to [0, 0]"); it is shown, the rest protected, and the auditor finds nothing.
            let year7: CohortCode = try CohortCode(parsing: "year-7")
            let shaped = try TermlyReportQueries(connection: connection)
                .shapedReport(provider: provider, cohort: year7, term: term, impact: .automatic, audience: .governors)
            let year7Audit = try DisclosureAuditor().audit(try TermlyReportTables.published(shaped.report, data: shaped.data, impact: shaped.impact))
            #expect(year7Audit.findings.isEmpty, "\(year7Audit.findings.map(\.description))")
            // Such a zero is printed, with the reason, even where its pupils are withheld (£0 per pupil
            // gives no count away); it used to print as c, which the auditor named as worked out to be 0.
            let knownZeros = shaped.report.impact.flatMap(\.spend.byFundingSource).filter { $0.students.isSuppressed && $0.spend == .value(.zero) }
            #expect(!knownZeros.isEmpty)
            #expect(shaped.report.suppressionNotes.contains { $0.contains("shown although it rests on fewer than 10 pupils") })
            #expect(MarkdownReportRenderer.render(shaped.report).contains("| Pupil premium | c | £0.00 | c |"))
            let year7Pack = try GovernorsPackQueries(connection: connection).pack(provider: provider, cohort: year7, term: term, appendix: nil)
            #expect(GovernorsPackHTML.render(year7Pack).contains("What worked and what did not"))

            // The demo school has form groups (forms.csv), and a report filters on one.
            let forms = try connection.query(
                "SELECT DISTINCT form_group FROM enrolments WHERE form_group LIKE '7%' ORDER BY 1").rows.map { try $0.decode("form_group") as String }
            #expect(forms == (0..<8).map { "7" + String(Array("ABCDEFGH")[$0]) })
            let filtered = try GapTrackCommandLine.run(
                ["report", "termly", "--provider", "demo-academy", "--cohort", "year-7", "--term", "2024/25-spring", "--filter", "form=7A"] + database)
            #expect(filtered.joined(separator: "\n").contains("7A"))
            // And the school's own group (pupil-groups.csv): a new user can filter on it.
            let catchUp = try GapTrackCommandLine.run(
                ["report", "termly", "--provider", "demo-academy", "--cohort", "year-7", "--term", "2024/25-spring",
                 "--filter", "group=\(SchoolPupilGroups.code)"] + database).joined(separator: "\n")
            let groupMembers: Int = try connection.query("SELECT count(*)::int AS n FROM student_group_members").single().decode("n")
            #expect(groupMembers > 0 && groupMembers < 200 / 2, "\(groupMembers) of 200")
            #expect(catchUp.contains("filtered to in group '\(SchoolPupilGroups.code)'"), "\(catchUp.prefix(400))")
        }
    }

    @Test func theDemoPlanIsTheSameForTheSameSeedAndLeavesTheOtherFilesAlone() throws {
        let folders = (0..<2).map { _ in FileManager.default.temporaryDirectory.appendingPathComponent("plan-" + UUID().uuidString) }
        defer { for folder in folders { try? FileManager.default.removeItem(at: folder) } }
        let options = DemoOptions(seed: 2024, cohortSize: 20, attendanceDays: 5)
        let sets = try folders.map { try DemoGenerator(options: options).write(to: $0) }
        let plans = try folders.map { try Data(contentsOf: $0.appendingPathComponent("demo-academy/\(SchoolPupilPremiumPlan.fileName)")) }
        #expect(plans[0] == plans[1])
        let other = try DemoGenerator(options: DemoOptions(seed: 7, cohortSize: 20, attendanceDays: 5))
        #expect(SchoolPupilPremiumPlan(options: other.options).rows() != SchoolPupilPremiumPlan(options: options).rows())
        // The plan is not one of the import files the determinism tests pin.
        #expect(!sets[0].providers.flatMap(\.files).contains { $0.url.lastPathComponent == SchoolPupilPremiumPlan.fileName })

        // Form groups: the students file again with a form each, the same for the same seed, and
        // students.csv itself untouched (its rows are the forms file's rows without the last column).
        let forms = try folders.map { try String(contentsOf: $0.appendingPathComponent("demo-academy/\(SchoolFormGroups.fileName)"), encoding: .utf8) }
        #expect(forms[0] == forms[1])
        let students = try String(contentsOf: folders[0].appendingPathComponent("demo-academy/students.csv"), encoding: .utf8)
        let formLines = forms[0].split(separator: "\n"), studentLines = students.split(separator: "\n")
        #expect(formLines.count == studentLines.count && formLines.first?.hasSuffix(",form_group") == true)
        #expect(zip(formLines.dropFirst(), studentLines.dropFirst()).allSatisfy { $0.hasPrefix($1 + ",") })
        // 20 pupils a year: two forms, 7A and 7B, both used.
        let year7Forms = Set(formLines.dropFirst().compactMap { $0.split(separator: ",").last }.filter { $0.hasPrefix("7") })
        #expect(year7Forms == ["7A", "7B"])
        #expect(!sets[0].providers.flatMap(\.files).contains { $0.url.lastPathComponent == SchoolFormGroups.fileName })

        // The school's own group: the same for the same seed, Year 7 pupils of students.csv only,
        // and not one of the pinned import files.
        let groups = try folders.map { try String(contentsOf: $0.appendingPathComponent("demo-academy/\(SchoolPupilGroups.fileName)"), encoding: .utf8) }
        #expect(groups[0] == groups[1])
        let members = groups[0].split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(!members.isEmpty && members.allSatisfy { $0.count == 3 && $0[0] == SchoolPupilGroups.code })
        let year7Pupils = Set(studentLines.filter { $0.contains(",7,") || $0.hasSuffix(",7") }.compactMap { $0.split(separator: ",").first.map(String.init) })
        #expect(members.allSatisfy { year7Pupils.contains($0[2]) }, "\(members.map { $0[2] })")
        #expect(!sets[0].providers.flatMap(\.files).contains { $0.url.lastPathComponent == SchoolPupilGroups.fileName })
    }
}

/// `gaptrack pupil-premium` and `gaptrack report pupil-premium` on the command line.
@Suite("Pupil premium commands")
struct PupilPremiumCommandTests {
    @Test func aBudgetSetOnTheCommandLineIsInTheReview() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["provider", "add", "--code", "pp-cli", "--name", "PP School", "--kind", "school", "--urn", "765432"] + database)
            let set = try GapTrackCommandLine.run(
                ["pupil-premium", "plan", "set", "--provider", "pp-cli", "--year", "2024/25", "--tier", "targeted-academic-support", "--amount", "42000.00"] + database)
            #expect(set.joined().contains("£42,000.00"))
            _ = try GapTrackCommandLine.run(
                ["pupil-premium", "plan", "row", "--provider", "pp-cli", "--year", "2024/25", "--section", "intended-outcome", "--number", "1",
                 "--text", "Attendance improves", "--success-criteria", "Gap under 3 points"] + database)
            let csv = try GapTrackCommandLine.run(["report", "pupil-premium", "--provider", "pp-cli", "--year", "2024/25", "--format", "csv"] + database)
            #expect(csv.contains("part_a,budget,2,Budgeted cost,\"£42,000.00\""))
            #expect(csv.contains { $0.contains("Attendance improves") })

            let wrongTier = GapTrackCommandLine.failureMessage(
                ["pupil-premium", "plan", "set", "--provider", "pp-cli", "--year", "2024/25", "--tier", "tutoring", "--amount", "1.00"] + database)
            #expect(wrongTier?.contains("'tutoring' is not an EEF tier; use one of high-quality-teaching, targeted-academic-support, wider-strategies") == true)
            let outcomeWithTier = GapTrackCommandLine.failureMessage(
                ["pupil-premium", "plan", "row", "--provider", "pp-cli", "--year", "2024/25", "--section", "challenge", "--number", "1",
                 "--text", "Low attendance", "--tier", "wider-strategies"] + database)
            #expect(outcomeWithTier?.contains("an activity needs --tier, and only an activity has one") == true)
        }
    }
}
