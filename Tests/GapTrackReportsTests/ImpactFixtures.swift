import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import Postgres

/// A synthetic school year group for impact tests, with the intervention's effect planted.
///
/// Model, in SD units: ability θ ~ N(−δ·D, 0.8) with D = disadvantaged (probability 0.35) and
/// δ = 0.4; before = 100 + 15(θ + e₁), after = 100 + 15(θ + g·D + τ·T + e₂) with e ~ N(0, 0.2),
/// g = −0.15 (disadvantaged pupils progress more slowly) and T = took part.
///
/// Who takes part: teachers choose disadvantaged pupils and pupils in the lower third of the
/// before test more often (P(T) = base rate × 1.6 in the lower third, × 0.7 in the upper). That
/// is selection on exactly the strata the report matches on, which is what coarsened exact
/// matching needs to be unbiased. A naive comparison would not be: participants are mostly
/// disadvantaged (slower progress) and from the lower third, whose before scores are pulled down
/// by test noise and so rise again (regression to the mean).
///
/// With `selection: .onAbility`, teachers choose instead on what they know of a pupil, the
/// ability θ itself (P(T) falls as θ rises), as the demo school does; pupils then also have a
/// KS2 score, an earlier, separate test of θ (103 + 7(θ + e₀), e₀ ~ N(0, 0.2)).
///
/// The population SD of the before scores is 15·√(1 + p(1 − p)δ²) with p = 0.35, so planting
/// τ = effect × √(1 + p(1 − p)δ²) makes `effect` the true effect in SD of the before scores.
struct ImpactFixturePupil: Sendable {
    var reference: String
    var yearGroup: String
    var disadvantaged: Bool
    /// "ended" (took part), "planned" (planned only), or nil.
    var support: String?
    var before: Int?
    var after: Int?
    /// A KS2 maths scaled score (80-120) taken in 2022/23, when the fixture has them.
    var ks2: Int?
    var pence: Int?
    var fundingSource: String?
    var supportReference: String?
    /// Sessions possible and attended in the before and after terms (0 possible: no marks).
    var possibleBefore = 0
    var attendedBefore = 0
    var possibleAfter = 0
    var attendedAfter = 0
}

enum ImpactFixture {
    static let disadvantageShift = 0.4
    static let disadvantagedShare = 0.35
    static let slowerProgress = -0.15

    /// The factor that turns an effect in before-score SDs into the model's θ units.
    static var scale: Double { (1 + disadvantagedShare * (1 - disadvantagedShare) * disadvantageShift * disadvantageShift).squareRoot() }

    static func normal(_ generator: inout SeededGenerator, sd: Double) -> Double {
        Normal.sample(mean: 0, standardDeviation: sd, using: &generator)
    }

    /// `count` pupils of one year group; `attendanceEffect` percentage points planted on the
    /// after term's attendance of participants (with sessions per term, or none when 0).
    enum Selection { case onBeforeThirds, onAbility }

    static func school(
        count: Int, seed: UInt64, effect: Double, attendanceEffect: Double = 0, sessionsPerTerm: Int = 0, yearGroup: String = "8",
        participation: (disadvantaged: Double, others: Double) = (0.45, 0.15), selection: Selection = .onBeforeThirds
    ) -> [ImpactFixturePupil] {
        var g = SeededGenerator(seed: seed)
        let drawn = (0..<count).map { _ in
            let disadvantaged = g.unitInterval() < disadvantagedShare
            let theta = normal(&g, sd: 0.8.squareRoot()) - (disadvantaged ? disadvantageShift : 0)
            return (disadvantaged: disadvantaged, theta: theta, before: clampScore(100 + 15 * (theta + normal(&g, sd: 0.2.squareRoot()))))
        }
        // The cohort's thirds, cut as the report cuts them (linear interpolation, percentile_cont).
        let sorted = drawn.map { Double($0.before) }.sorted()
        func quantile(_ f: Double) -> Double {
            let position = f * Double(sorted.count - 1)
            let low = Int(position.rounded(.down)), high = Int(position.rounded(.up))
            return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
        }
        let cuts = (quantile(1.0 / 3), quantile(2.0 / 3))
        return drawn.enumerated().map { index, pupil in
            let band = Double(pupil.before) < cuts.0 ? 1.6 : (Double(pupil.before) < cuts.1 ? 1.0 : 0.7)
            let weight = selection == .onBeforeThirds ? band : 2 / (1 + exp(1.5 * pupil.theta))
            let takesPart = g.unitInterval() < min(0.95, (pupil.disadvantaged ? participation.disadvantaged : participation.others) * weight)
            let progress = (pupil.disadvantaged ? slowerProgress : 0) + (takesPart ? effect * scale : 0)
            let after = 100 + 15 * (pupil.theta + progress + normal(&g, sd: 0.2.squareRoot()))
            var result = ImpactFixturePupil(
                reference: "P\(index + 1)", yearGroup: yearGroup, disadvantaged: pupil.disadvantaged, support: takesPart ? "ended" : nil,
                before: pupil.before, after: clampScore(after))
            if selection == .onAbility {
                result.ks2 = min(120, max(80, Int((103 + 7 * (pupil.theta + normal(&g, sd: 0.2.squareRoot()))).rounded())))
            }
            if takesPart {
                result.pence = 25_000 + index  // £250.00 plus a penny per pupil number, so sums exercise every digit
                result.fundingSource = pupil.disadvantaged ? "pupil_premium" : "recovery"
            }
            if sessionsPerTerm > 0 {
                let rate = 0.94 - (pupil.disadvantaged ? 0.03 : 0) + normal(&g, sd: 0.03)
                let change = (takesPart ? attendanceEffect / 100 : 0) + normal(&g, sd: 0.03)
                result.possibleBefore = sessionsPerTerm
                result.possibleAfter = sessionsPerTerm
                result.attendedBefore = Int((Double(sessionsPerTerm) * min(1, max(0, rate))).rounded())
                result.attendedAfter = Int((Double(sessionsPerTerm) * min(1, max(0, rate + change))).rounded())
            }
            return result
        }
    }

    static func clampScore(_ score: Double) -> Int { min(145, max(55, Int(score.rounded()))) }

    /// Loads `pupils` as a new school with code `code`: COPY into a staging table, then set-based
    /// inserts into the real tables (students, enrolments in 2024/25, an FSM Ever 6 marker from
    /// 1 September 2024 for the disadvantaged, a maths test in the autumn and summer terms of
    /// 2024/25 on the standardised scale, tutoring records January to March 2025, and attendance
    /// marks on consecutive days of each term). Returns the provider's id.
    @discardableResult
    static func load(_ pupils: [ImpactFixturePupil], code: String, urn: Int, on connection: PostgresConnection) throws -> Int {
        try connection.query(
            "INSERT INTO providers (code, name, kind, urn) VALUES ($1, $2, 'school', $3)", [code, "School \(code)", String(format: "%06d", urn)])
        return try loadMore(pupils, code: code, on: connection)
    }

    /// Adds `pupils` (with references not used yet) to the school `code`.
    @discardableResult
    static func loadMore(_ pupils: [ImpactFixturePupil], code: String, on connection: PostgresConnection) throws -> Int {
        let providerID: Int = try connection.query("SELECT provider_id FROM providers WHERE code = $1", [code]).single().decode("provider_id")
        try connection.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS impact_fixture (
                reference text, year_group text, disadvantaged boolean, support text, before_score int, after_score int, ks2_score int,
                pence bigint, funding_source text, support_reference text,
                possible_before int, attended_before int, possible_after int, attended_after int);
            TRUNCATE impact_fixture;
            """)
        try connection.copyIn("COPY impact_fixture FROM STDIN") { writer in
            for p in pupils {
                try writer.writeRow([
                    p.reference, p.yearGroup, p.disadvantaged ? "t" : "f", p.support, p.before.map(String.init), p.after.map(String.init),
                    p.ks2.map(String.init),
                    p.pence.map(String.init), p.fundingSource, p.supportReference, String(p.possibleBefore), String(p.attendedBefore),
                    String(p.possibleAfter), String(p.attendedAfter),
                ])
            }
        }
        for statement in [
            """
            INSERT INTO students (provider_id, institution_id, legal_surname, forename, date_of_birth)
            SELECT $1, f.reference, 'Pupil', f.reference, DATE '2012-03-01' FROM impact_fixture f
            """,
            """
            INSERT INTO enrolments (student_id, academic_year, year_group, start_date)
            SELECT s.student_id, '2024/25', f.year_group, DATE '2024-09-02'
            FROM impact_fixture f JOIN students s ON s.provider_id = $1 AND s.institution_id = f.reference
            """,
            """
            INSERT INTO student_markers (student_id, marker, starts_on, source)
            SELECT s.student_id, 'fsm_ever_6', DATE '2024-09-01', 'spell'
            FROM impact_fixture f JOIN students s ON s.provider_id = $1 AND s.institution_id = f.reference
            WHERE f.disadvantaged
            """,
            """
            INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term)
            VALUES ($1, 'maths', 'Autumn test', 'standardised_score', '2024/25', 'autumn'),
                   ($1, 'maths', 'Summer test', 'standardised_score', '2024/25', 'summer'),
                   ($1, 'maths', 'KS2', 'ks2_scaled_score', '2022/23', 'summer')
            ON CONFLICT DO NOTHING
            """,
            """
            INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on)
            SELECT p.assessment_point_id, p.scale, s.student_id, x.score, x.score::text, x.assessed_on
            FROM impact_fixture f
            JOIN students s ON s.provider_id = $1 AND s.institution_id = f.reference
            CROSS JOIN LATERAL (VALUES ('Autumn test', f.before_score, DATE '2024-11-18'),
                                       ('Summer test', f.after_score, DATE '2025-06-16'),
                                       ('KS2', f.ks2_score, DATE '2023-05-15')) AS x (name, score, assessed_on)
            JOIN assessment_points p ON p.provider_id = $1 AND p.name = x.name
            -- A KS2 result is on its own scale: the join on the point gives it.
            WHERE x.score IS NOT NULL
            """,
            """
            INSERT INTO support_records (student_id, provider_id, reference, type, starts_on, ends_on, sessions, hours, amount, funding_source, status)
            SELECT s.student_id, $1, f.support_reference, 'tutoring', DATE '2025-01-13', DATE '2025-03-28', 10, 10,
                   f.pence / 100.0, f.funding_source, f.support::support_status
            FROM impact_fixture f JOIN students s ON s.provider_id = $1 AND s.institution_id = f.reference
            WHERE f.support IS NOT NULL
            """,
            """
            INSERT INTO attendance_marks (student_id, session_date, session, code)
            SELECT s.student_id, t.first_day + i / 2, CASE WHEN i % 2 = 0 THEN 'AM' ELSE 'PM' END::session_half,
                   CASE WHEN i < t.attended THEN '/' ELSE 'N' END::attendance_code
            FROM impact_fixture f
            JOIN students s ON s.provider_id = $1 AND s.institution_id = f.reference
            CROSS JOIN LATERAL (VALUES (DATE '2024-09-02', f.possible_before, f.attended_before),
                                       (DATE '2025-04-22', f.possible_after, f.attended_after)) AS t (first_day, possible, attended)
            CROSS JOIN LATERAL generate_series(0, t.possible - 1) AS i
            """,
        ] {
            try connection.query(statement, [providerID])
        }
        return providerID
    }

    /// Names the target of every support record of provider `code` (docs/methodology.md §6.6):
    /// `subject` for a subject target, nil for attendance.
    static func target(code: String, subject: String?, on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE support_records SET target_kind = CASE WHEN $2::text IS NULL THEN 'attendance' ELSE 'subject' END::support_target_kind,
                                       target_subject = $2
            WHERE provider_id = (SELECT provider_id FROM providers WHERE code = $1)
            """, [code, subject])
    }

    /// The school of 300 pupils (seed 99, tutoring worth 0.3 SD) loaded as `code`, its support
    /// targeting maths: the termly report's automatic tutoring section is judged on maths.
    @discardableResult
    static func loadTutoringInMaths(code: String, urn: Int, on connection: PostgresConnection) throws -> [ImpactFixturePupil] {
        let pupils = school(count: 300, seed: 99, effect: 0.3)
        try load(pupils, code: code, urn: urn, on: connection)
        try target(code: code, subject: "maths", on: connection)
        return pupils
    }

    /// Tutoring, maths autumn to summer 2024/25. Pupils of the default fixture are chosen on
    /// thirds of the before test, so that is the banding their tests use.
    static func tutoringRequest(code: ProviderCode, cohort: CohortCode? = nil, priorBand: PriorAttainmentBanding = .beforeTerciles) throws -> ImpactRequest {
        ImpactRequest(
            providerCode: code, intervention: .type(.tutoring), before: try AssessmentPointSelector(parsing: "maths@2024/25-autumn"),
            after: try AssessmentPointSelector(parsing: "maths@2024/25-summer"), cohort: cohort, priorBand: priorBand)
    }

    /// The report for `request` as `ImpactReportBuilder` makes it on its own. (`gaptrack report
    /// impact` shapes a governors' or public report of a school's type beside its termly report:
    /// `StandaloneImpactDifferencingTests`.)
    /// The governors' report unless asked otherwise: counts under 10 withheld, and the disclosure
    /// auditor run over it, so every governors' and public impact report a test makes is attacked.
    static func report(_ request: ImpactRequest, on connection: PostgresConnection, audience: ReportAudience = .governors) throws -> ImpactReport {
        let data = try ImpactQueries.load(request, on: connection)
        let report = ImpactReportBuilder(audience: audience).build(data)
        try ImpactDisclosureTests.expectNothingRecoverable(report, data)
        return report
    }
}
