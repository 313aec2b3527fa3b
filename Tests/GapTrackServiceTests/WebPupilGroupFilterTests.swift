import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import HummingbirdTesting
import Postgres
import TestDatabase
import Testing

/// The pupil search's group filter: a provider's own pupil groups (`PupilGroups`) beside year and
/// marker, on the pupil list and the support form's list alike.
@Suite struct WebPupilGroupFilterTests {
    @Test func theGroupFilterListsTheGroupsMembersOnlyAndOffersOnlyTheProvidersOwnGroups() async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try WebPagesTests.account(fixture, "staff@a.example", .staff)
            let groups = PupilGroups(connection: try PostgresConnection(conninfo: conninfo))
            try groups.add(providerID: fixture.a, code: "catch-up", name: "Year 11 catch-up")
            #expect(try groups.setMembers(providerID: fixture.a, code: "catch-up", identifiers: [makeUPN(2)]) == 1)
            try groups.add(providerID: fixture.b, code: "b-only", name: "School B's own group")
            try await WebPagesTests.application(conninfo).test(.live) { client in
                var jar = WebPagesTests.Jar()
                _ = try await WebPagesTests.signIn(client, email: "staff@a.example", jar: &jar)
                let all = try await WebPagesTests.send(client, .get, "/pupils", jar: &jar)
                #expect(all.text.contains("3 pupils"))
                #expect(all.text.contains("<option value=\"catch-up\">Year 11 catch-up</option>"))
                #expect(!all.text.contains("b-only") && !all.text.contains("School B"))
                let filtered = try await WebPagesTests.send(client, .get, "/pupils?group=catch-up", jar: &jar)
                #expect(filtered.text.contains("1 pupil") && filtered.text.contains(makeUPN(2)) && !filtered.text.contains(makeUPN(1)))
                #expect(filtered.text.contains("<option value=\"catch-up\" selected>"))
                // Another provider's group, named by hand, matches nobody here.
                let other = try await WebPagesTests.send(client, .get, "/pupils?group=b-only", jar: &jar)
                #expect(other.text.contains("No pupils match"))
                // The support form's list filters the same way, and keeps the filter with the form.
                let support = try await WebPagesTests.send(client, .get, "/support/new?group=catch-up", jar: &jar)
                #expect(support.text.contains("value=\"\(makeUPN(2))\"") && !support.text.contains("value=\"\(makeUPN(1))\""))
                #expect(support.text.contains("<input type=\"hidden\" name=\"group\" value=\"catch-up\">"))
            }
        }
    }
}
