import DisclosureControl
import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// A small school whose pupil premium figures are worked out by hand below.
///
/// On roll at the January 2025 census (Thursday 16 January 2025), 72 pupils:
///   year 3:  12 FSM Ever 6                                   → primary FSM 12
///   year 7:   1 FSM Ever 6 and service child, 4 service only → secondary FSM +1, service 4
///   year 8:  20 FSM Ever 6                                   → secondary FSM 20 (21 in all)
///   year 9:   2 previously looked after, 1 PLAC and FSM      → PLAC 3 (the higher rate wins)
///   year 10:  2 looked after                                 → LAC 2 (paid to the local authority)
///   year 11: 30 on no ground
/// Not counted: a year 11 FSM pupil who left on 20 December 2024, and a year 12 FSM student.
///
/// The census funds the financial year 2025-26: £1,515 primary, £1,075 secondary, £2,630 LAC/PLAC, £350 service.
///   primary   12 × 1,515 = 18,180
///   secondary 21 × 1,075 = 22,575
///   PLAC       3 × 2,630 =  7,890
///   LAC        2 × 2,630 =  5,260 (not the school's)
///   service    4 ×   350 =  1,400
///   to the school: 18,180 + 22,575 + 7,890 + 1,400 = 50,045.00
///   eligible on a disadvantage ground: 12 + 21 + 3 + 2 = 38 of 72 = 52.78% → 52.8%
///
/// Pupil premium spend in 2024/25:
///   tutoring (targeted academic support): 12 pupils × £300 (October to December 2024) = 3,600.00, and one of
///     them again 1 June to 30 September 2025, £122 over 122 days of which 61 fall in 2024/25 → 61.00: 3,661.00, 12 pupils
///   mentoring (wider strategies): 3 pupils × £100 = 300.00
///   tutoring paid from another fund: not pupil premium, not counted.
///   total 3,961.00
enum PupilPremiumSchool {
    static let code = "pp-school"

    static func load(into connection: PostgresConnection) throws -> Int {
        let provider: Int = try connection.query(
            "INSERT INTO providers (code, name, kind, urn, la_code) VALUES ($1, 'Pupil Premium School', 'school', '654321', '801') RETURNING provider_id",
            [code]).single().decode("provider_id")
        var next = 0
        func pupil(_ yearGroup: String, markers: [String], leaves: String? = nil) throws -> Int {
            next += 1
            let id: Int = try connection.query(
                """
                INSERT INTO students (provider_id, institution_id, legal_surname, forename, date_of_birth)
                VALUES ($1, $2, 'Pupil', 'Test', '2012-01-01') RETURNING student_id
                """, [provider, "P\(next)"]).single().decode("student_id")
            try connection.query(
                "INSERT INTO enrolments (student_id, academic_year, year_group, start_date, leave_date, leave_reason) VALUES ($1, '2024/25', $2, '2024-09-02', $3::date, CASE WHEN $3::date IS NULL THEN NULL ELSE 'transferred'::leave_reason END)",
                [id, yearGroup, leaves])
            for marker in markers {
                try connection.query(
                    "INSERT INTO student_markers (student_id, marker, starts_on, source) VALUES ($1, $2::marker_kind, '2024-09-01', 'spell')",
                    [id, marker])
            }
            return id
        }
        var tutored: [Int] = []
        for _ in 0..<12 { tutored.append(try pupil("3", markers: ["fsm_ever_6"])) }
        _ = try pupil("7", markers: ["fsm_ever_6", "service_child"])
        for _ in 0..<4 { _ = try pupil("7", markers: ["service_child"]) }
        var mentored: [Int] = []
        for _ in 0..<20 { mentored.append(try pupil("8", markers: ["fsm_ever_6"])) }
        for _ in 0..<2 { _ = try pupil("9", markers: ["previously_looked_after"]) }
        _ = try pupil("9", markers: ["previously_looked_after", "fsm_ever_6"])
        for _ in 0..<2 { _ = try pupil("10", markers: ["looked_after"]) }
        for _ in 0..<30 { _ = try pupil("11", markers: []) }
        _ = try pupil("11", markers: ["fsm_ever_6"], leaves: "2024-12-20")
        _ = try pupil("12", markers: ["fsm_ever_6"])
        func support(_ student: Int, _ type: String, _ starts: String, _ ends: String, _ amount: String, _ fund: String) throws {
            try connection.query(
                """
                INSERT INTO support_records (student_id, provider_id, type, starts_on, ends_on, amount, funding_source, status)
                VALUES ($1, $2, $3, $4::date, $5::date, $6::numeric, $7, 'ended')
                """, [student, provider, type, starts, ends, amount, fund])
        }
        for student in tutored { try support(student, "tutoring", "2024-10-01", "2024-12-20", "300.00", "pupil_premium") }
        try support(tutored[0], "tutoring", "2025-06-01", "2025-09-30", "122.00", "pupil_premium")
        for student in mentored.prefix(3) { try support(student, "mentoring", "2024-11-01", "2025-02-28", "100.00", "pupil_premium") }
        try support(mentored[5], "tutoring", "2024-10-01", "2024-12-20", "999.00", "other")
        return provider
    }
}

@Suite("Pupil premium review")
struct PupilPremiumReviewTests {
    static let year = try! AcademicYear(parsing: "2024/25")

    func withSchool(_ body: (PostgresConnection, Provider) throws -> Void) throws {
        try TestDatabase.withMigratedDatabase { connection in
            _ = try PupilPremiumSchool.load(into: connection)
            let school = try Providers(connection: connection).require(code: try ProviderCode(parsing: PupilPremiumSchool.code))
            let store = PupilPremiumStrategies(connection: connection)
            try store.setBudget(provider: school, year: Self.year, tier: .highQualityTeaching, amount: try PoundsAndPence(parsing: "20000.00"))
            try store.setBudget(provider: school, year: Self.year, tier: .targetedAcademicSupport, amount: try PoundsAndPence(parsing: "42000.00"))
            try store.setBudget(provider: school, year: Self.year, tier: .widerStrategies, amount: try PoundsAndPence(parsing: "8000.00"))
            try body(connection, school)
        }
    }

    func pounds(_ text: String) throws -> PoundsAndPence { try PoundsAndPence(parsing: text) }

    @Test func theAllocationIsTheRatesTimesTheJanuaryCensusCounts() throws {
        try withSchool { connection, _ in
            let review = try PupilPremiumReviewQueries(connection: connection)
                .review(provider: try ProviderCode(parsing: PupilPremiumSchool.code), year: Self.year, audience: .staff)
            #expect(review.census.isoString == "2025-01-16")
            #expect(review.rates == .fy2025to26)
            #expect(review.pupilsOnRoll == .value(72))
            #expect(review.line(.fsmEver6Primary)?.pupils == .value(12))
            #expect(review.line(.fsmEver6Primary)?.amount == .value(try pounds("18180.00")))
            #expect(review.line(.fsmEver6Secondary)?.pupils == .value(21))
            #expect(review.line(.fsmEver6Secondary)?.amount == .value(try pounds("22575.00")))
            #expect(review.line(.previouslyLookedAfter)?.amount == .value(try pounds("7890.00")))
            #expect(review.line(.lookedAfter)?.amount == .value(try pounds("5260.00")))
            #expect(review.line(.serviceChild)?.pupils == .value(4))
            #expect(review.line(.serviceChild)?.amount == .value(try pounds("1400.00")))
            #expect(review.allocationToSchool == .value(try pounds("50045.00")))
            #expect(review.eligiblePercent.cell { FixedDecimal.format($0, decimals: 1) } == "52.8")
        }
    }

    @Test func spendIsSummedByTierAgainstThePlan() throws {
        try withSchool { connection, school in
            let queries = PupilPremiumReviewQueries(connection: connection)
            let code = try ProviderCode(parsing: PupilPremiumSchool.code)
            var review = try queries.review(provider: code, year: Self.year, audience: .staff)
            #expect(review.tier(.targetedAcademicSupport)?.spent == .value(try pounds("3661.00")))
            #expect(review.tier(.targetedAcademicSupport)?.students == .value(12))
            #expect(review.tier(.widerStrategies)?.spent == .value(try pounds("300.00")))
            #expect(review.tier(.highQualityTeaching)?.spent == .value(.zero))
            #expect(review.totalSpent == .value(try pounds("3961.00")))
            #expect(review.totalPlanned == (try pounds("70000.00")))
            // 3,661.00 − 42,000.00 = −38,339.00
            #expect(try review.render(.table).contains("−£38,339.00"))

            // The school's own tier for mentoring moves its spend: 3,661 + 300 = 3,961.00, 12 + 3 pupils.
            try PupilPremiumStrategies(connection: connection).assignTier(provider: school, type: "mentoring", tier: .targetedAcademicSupport)
            review = try queries.review(provider: code, year: Self.year, audience: .staff)
            #expect(review.tier(.targetedAcademicSupport)?.spent == .value(try pounds("3961.00")))
            #expect(review.tier(.targetedAcademicSupport)?.students == .value(15))
            #expect(review.tier(.widerStrategies)?.spent == .value(.zero))
            #expect(review.tierAssignments.first { $0.type == "mentoring" }?.isProvidersOwn == true)
        }
    }

    @Test func governorsSeeCAndTheAuditorFindsNothingToWorkOut() throws {
        try withSchool { connection, _ in
            let queries = PupilPremiumReviewQueries(connection: connection)
            let data = try queries.data(provider: try ProviderCode(parsing: PupilPremiumSchool.code), year: Self.year)
            for audience in [ReportAudience.governors, .public] {
                let review = try PupilPremiumReviewBuilder.build(data, audience: audience)
                // Primary suppression: PLAC 3, LAC 2, service 4 and the 3 mentored pupils, with their money.
                #expect(review.line(.previouslyLookedAfter)?.pupils.isSuppressed == true)
                #expect(review.line(.previouslyLookedAfter)?.amount.isSuppressed == true)
                #expect(review.line(.lookedAfter)?.pupils.isSuppressed == true)
                #expect(review.line(.serviceChild)?.amount.isSuppressed == true)
                #expect(review.tier(.widerStrategies)?.spent.isSuppressed == true)
                #expect(review.line(.fsmEver6Secondary)?.pupils == .value(21))
                let audit = try DisclosureAuditor().audit(try PupilPremiumReviewTables.published(review, data: data))
                #expect(audit.passes, "\(audit.findings)")
                // Without complementary suppression the spend total would give the wider tier away.
                #expect(review.totalSpent.isSuppressed || review.tier(.targetedAcademicSupport)?.spent.isSuppressed == true)
                let html = try review.render(.html)
                #expect(!html.contains("†"))
                #expect(html.contains("Audience: \(audience.rawValue)"))
            }
            // Staff see every figure, small ones marked.
            let staff = try PupilPremiumReviewBuilder.build(data, audience: .staff)
            #expect(try staff.render(.markdown).contains("| Pupil premium allocation to the school |  |  | £50,045.00 |"))
            #expect(try staff.render(.markdown).contains("| Previously looked after (PLAC) | £2,630.00 | † 3 | £7,890.00 |"))
        }
    }

    /// The total is Σ rate × pupils over the grounds paid to the school, so with PLAC's and the
    /// service children's counts withheld it is withheld too. Governors read it as the pack says
    /// it, in every format: what the grounds shown bring (FSM Ever 6 only here: 21 × £1,035 =
    /// £21,735.00 and the primary ground's 0 × £1,480 = £0.00) and which grounds are not shown,
    /// never a bare `c` (docs/methodology.md §7.9); the auditor still finds nothing to work out.
    @Test func governorsReadTheWithheldAllocationAsASentenceInEveryFormat() throws {
        try withSchool { connection, _ in
            let queries = PupilPremiumReviewQueries(connection: connection)
            let data = try queries.data(provider: try ProviderCode(parsing: PupilPremiumSchool.code), year: Self.year)
            let review = try PupilPremiumReviewBuilder.build(data, audience: .governors)
            #expect(review.allocationToSchool.isSuppressed)
            let audit = try DisclosureAuditor().audit(try PupilPremiumReviewTables.published(review, data: data))
            #expect(audit.passes, "\(audit.findings)")
            let sentence = review.allocationText
            #expect(sentence == review.allocationSentence && sentence.hasPrefix("Allocation to the school: £"))
            let shown = review.allocation.filter { $0.ground.paidToSchool }.compactMap(\.amount.value).reduce(PoundsAndPence.zero, +)
            #expect(sentence.contains(shown.formatted) && sentence.contains(PupilPremiumReview.AllocationLine.Ground.previouslyLookedAfter.label))
            for format in ReportFormat.allCases {
                let text = try review.render(format)
                // No line names the allocation to the school and prints c for it.
                let lines = text.split(separator: "\n").filter { $0.lowercased().contains("allocation to the school") }
                #expect(!lines.isEmpty, "\(format)")
                #expect(lines.allSatisfy { !$0.hasSuffix("| c |") && !$0.hasSuffix(",c") && !$0.contains(">c</td>") && !$0.hasSuffix(" c") },
                        "\(format): \(lines)")
                #expect(text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "  ", with: " ").contains(shown.formatted), "\(format)")
            }
            #expect(try review.render(.markdown).contains("| " + sentence + " |"))
            #expect(try review.render(.html).contains(HTML.escape(sentence)))
            let decoded = try JSONDecoder().decode(PupilPremiumReview.self, from: Data(try review.render(.json).utf8))
            #expect(decoded.allocationText == sentence)
        }
    }

    @Test func everyFormatRendersTheTemplatesSections() throws {
        try withSchool { connection, school in
            let store = PupilPremiumStrategies(connection: connection)
            try store.setRow(provider: school, year: Self.year, PupilPremiumStatementRow(section: .challenge, number: 1, text: "Low attendance of disadvantaged pupils"))
            try store.setRow(provider: school, year: Self.year, PupilPremiumStatementRow(
                section: .intendedOutcome, number: 1, text: "Attendance of disadvantaged pupils improves", successCriteria: "Gap under 3 points"))
            try store.setRow(provider: school, year: Self.year, PupilPremiumStatementRow(
                section: .activity, number: 1, text: "Small-group tutoring", tier: .targetedAcademicSupport,
                evidence: "EEF Toolkit: small group tuition", challenges: [1], externalProvider: "Demo Tutors Ltd"))
            let review = try PupilPremiumReviewQueries(connection: connection)
                .review(provider: try ProviderCode(parsing: PupilPremiumSchool.code), year: Self.year, audience: .governors)
            for format in ReportFormat.allCases {
                let text = try review.render(format)
                #expect(text.contains("Small-group tutoring"), "\(format)")
                #expect(text.contains("Demo Tutors Ltd"), "\(format)")
            }
            let markdown = try review.render(.markdown)
            for heading in ["School overview", "Funding overview", "Part A", "Part B", "Externally provided programmes", "Service pupil premium"] {
                #expect(markdown.contains("## " + heading), "\(heading)")
            }
            let decoded = try JSONDecoder().decode(PupilPremiumReview.self, from: Data(try review.render(.json).utf8))
            #expect(decoded == review)
            #expect(try review.render(.html) == (try review.render(.html)))
        }
    }

    @Test func aPlanFileIsStoredWhole() throws {
        try withSchool { connection, school in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pp-plan-" + UUID().uuidString)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let good = folder.appendingPathComponent("plan.csv")
            try """
            year,section,number,tier,text,evidence,challenges,external_provider,success_criteria,amount
            2024/25,budget,,high-quality-teaching,,,,,,25000.00
            2024/25,challenge,1,,Low attendance,,,,,
            2024/25,activity,1,wider-strategies,Attendance officer,DfE attendance guidance,1,,,

            """.write(to: good, atomically: true, encoding: .utf8)
            let store = PupilPremiumStrategies(connection: connection)
            try store.importPlan(provider: school, file: good)
            try store.importPlan(provider: school, file: good)
            let id = school.id!
            #expect(try store.budgets(providerID: id, year: Self.year)[.highQualityTeaching] == (try pounds("25000.00")))
            #expect(try store.rows(providerID: id, year: Self.year).count == 2)

            let bad = folder.appendingPathComponent("bad.csv")
            try """
            year,section,number,tier,text,evidence,challenges,external_provider,success_criteria,amount
            2024/25,budget,,wider-strategies,,,,,,9999.00
            2024/25,activity,2,,Breakfast club,,,,,

            """.write(to: bad, atomically: true, encoding: .utf8)
            #expect(throws: PupilPremiumError.invalid(
                file: "bad.csv", line: 3, column: "tier", value: "",
                expected: "the activity's tier: high-quality-teaching, targeted-academic-support, wider-strategies")) {
                try store.importPlan(provider: school, file: bad)
            }
            // Nothing of the bad file was stored: the wider budget is still 8,000.00.
            #expect(try store.budgets(providerID: id, year: Self.year)[.widerStrategies] == (try pounds("8000.00")))
        }
    }
}
