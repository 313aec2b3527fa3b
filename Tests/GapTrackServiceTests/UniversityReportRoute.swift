import Foundation
import GapTrackReports
import GapTrackService
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// The university reports' routes promise the command's bytes for the token's audience: a staff
/// token gets `--audience staff`, a governor's `--audience governors`. Both route tests make
/// the same comparison and the same refusals, so they share this one copy of it.
enum UniversityReportRoute {
    /// What the service answered for the staff and the governor's token, each already checked
    /// to equal the command's output for that audience.
    struct Answers {
        let staff: String
        let governors: String
        let staffToken: String
    }

    /// Loads school-a's twenty entrants (`LifecycleReportRouteTests.addEntrants`), fetches
    /// `route?query` as staff and as a governor, checks both against `command`, checks the HTML
    /// form has a chart, that a backwards span of years and an unknown parameter get 400, then
    /// hands the answers to `more` for the report's own checks.
    static func check(
        route: String, query: String,
        command: (ReportAudience, PostgresConnection) throws -> String,
        more: @escaping @Sendable (_ answers: Answers, _ client: any TestClientProtocol, _ fixture: TwoProviders) async throws -> Void
    ) async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try LifecycleReportRouteTests.addEntrants(provider: fixture.a, conninfo: conninfo)
            let staff = try fixture.token("school-a", .staff)
            let governor = try fixture.token("school-a", .governor)
            let owner = try PostgresConnection(conninfo: conninfo)
            let commandStaff = try command(.staff, owner)
            let commandGovernors = try command(.governors, owner)
            let path = route + "?" + query
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in
                let asStaff = try await client.call(.get, path, token: staff)
                let asGovernor = try await client.call(.get, path, token: governor)
                #expect(asStaff.status == .ok, "\(asStaff.text.prefix(300))")
                #expect(asGovernor.status == .ok, "\(asGovernor.text.prefix(300))")
                #expect(asStaff.text == commandStaff)
                #expect(asGovernor.text == commandGovernors)

                let html = try await client.call(.get, path + "&format=html", token: staff)
                #expect(html.status == .ok && html.text.contains("<svg"), "\(html.text.prefix(300))")
                let backwards = try await client.call(.get, route + "?years=2024/25-2021/22", token: staff)
                #expect(backwards.status == .badRequest)
                let unknown = try await client.call(.get, path + "&colour=red", token: staff)
                #expect(unknown.status == .badRequest)

                try await more(Answers(staff: asStaff.text, governors: asGovernor.text, staffToken: staff), client, fixture)
            }
        }
    }
}
