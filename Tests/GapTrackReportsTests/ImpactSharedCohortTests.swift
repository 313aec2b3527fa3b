import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestDatabase
import GapTrackStore
import TestSupport
import Testing

/// Impact sections read together share the cohort-wide work (`ImpactCohortTables`,
/// `impact_school_cohort` and `impact_school_roles`): each must still be exactly
/// the section made alone.
@Suite struct ImpactSharedCohortTests {
    /// The planted school with a second intervention type: every fourth pupil mentored (delivered),
    /// and every seventh with mentoring only planned, so the two types have different
    /// participants, comparison pools and exclusions.
    static func loadTwoTypes(code: String, urn: Int, on connection: PostgresConnection) throws -> (tutored: Int, mentored: Int) {
        let pupils = ImpactFixture.school(count: 300, seed: 7, effect: 0.3, attendanceEffect: 2, sessionsPerTerm: 40)
        let providerID = try ImpactFixture.load(pupils, code: code, urn: urn, on: connection)
        try connection.query(
            """
            INSERT INTO support_records (student_id, provider_id, reference, type, starts_on, ends_on, sessions, amount, funding_source, status)
            SELECT s.student_id, $1, 'MENTOR-' || s.institution_id, 'mentoring', DATE '2024-10-01', DATE '2025-02-28', 6, 120, 'pupil_premium',
                   CASE WHEN n % 4 = 0 THEN 'ended' ELSE 'planned' END::support_status
            FROM (SELECT student_id, institution_id, row_number() OVER (ORDER BY institution_id) AS n FROM students WHERE provider_id = $1) s
            WHERE n % 4 = 0 OR n % 7 = 0
            """, [providerID])
        let mentored: Int = try connection.query(
            "SELECT count(*)::bigint AS n FROM support_records WHERE provider_id = $1 AND type = 'mentoring' AND status = 'ended'", [providerID]
        ).single().decode("n")
        return (pupils.filter { $0.support == "ended" }.count, mentored)
    }

    @Test func sectionsReadTogetherAreEachTheSectionReadAlone() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (tutored, mentored) = try Self.loadTwoTypes(code: "shared", urn: 100_201, on: connection)
            let tutoring = try ImpactFixture.tutoringRequest(code: "shared", cohort: "year-8")
            var mentoring = tutoring
            mentoring.intervention = .type(.mentoring)
            // Another banding: a second cohort table in the same transaction.
            var tutoringKS2 = tutoring
            tutoringKS2.priorBand = .keyStage2
            // One that cannot be answered, between the others: it must not disturb them.
            var missing = tutoring
            missing.before = try AssessmentPointSelector(parsing: "maths@2023/24-autumn")
            let requests = [tutoring, mentoring, missing, tutoringKS2, mentoring]

            let together = try ImpactQueries.load(requests, on: connection)
            #expect(together.count == requests.count)
            for (request, result) in zip(requests, together) {
                if request == missing {
                    #expect(throws: ImpactError.self) { try result.get() }
                    #expect(throws: ImpactError.self) { try ImpactQueries.load(request, on: connection) }
                } else {
                    #expect(try result.get() == ImpactQueries.load(request, on: connection), "\(request.intervention)")
                }
            }
            // Each section has its own participants: the second did not read the first's roles.
            let participants = together.map { result -> Int? in
                guard case let .school(school) = try? result.get().design else { return nil }
                return school.participants
            }
            #expect(participants == [tutored, mentored, nil, tutored, mentored])
            #expect(tutored != mentored)
            guard case let .school(first) = try together[0].get().design, case let .school(second) = try together[1].get().design else {
                Issue.record("school designs expected")
                return
            }
            #expect(first.excluded == 0 && second.excluded > 0, "planned mentoring excludes from the mentoring pool only")
            #expect(first.attainment != second.attainment)
        }
    }
}
