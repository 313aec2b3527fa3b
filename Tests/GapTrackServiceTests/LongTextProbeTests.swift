import Foundation
import GapTrackService
import HummingbirdTesting
import Logging
import Postgres
import Testing

/// The issue's own probe, at the service's default body limit (1 MiB, so the body is read rather
/// than refused as too large): one "character" of 100,001 code points in a field limited to 200.
@Suite(.serialized) struct LongTextProbeTests {
    @Test func oneGraphemeOf100001CodePointsIsRefusedByTheTwoHundredLimit() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            let token = try fixture.token("school-a", .dataLead)
            let dependencies = ServiceDependencies(configuration: ServiceConfiguration(host: "127.0.0.1", port: 0, conninfo: conninfo, poolSize: 2))
            var logger = Logger(label: "gaptrack.service.test")
            logger.logLevel = .critical
            try await buildApplication(dependencies, logger: logger).test(.live) { client in
                let staff = "e" + String(repeating: "\u{0301}", count: 100_000)
                #expect(staff.count == 1 && staff.unicodeScalars.count == 100_001)
                let answer = try await client.call(.post, "/v1/support-records", token: token, json: json([
                    "student": fixture.studentA, "type": "tutoring", "start_date": "2025-02-03", "staff": staff, "reference": "LONG",
                ]))
                #expect(answer.status == .unprocessableContent, "\(answer.text.prefix(300))")
                let problem = answer.problems.first { $0["field"] as? String == "staff" }
                #expect((problem?["message"] as? String)?.contains("is 100001 characters long") == true, "\(answer.text.prefix(300))")
                let stored: Int = try PostgresConnection(conninfo: conninfo)
                    .query("SELECT count(*)::int AS n FROM support_records WHERE reference = 'LONG'").single().decode("n")
                #expect(stored == 0)
            }
        }
    }
}
