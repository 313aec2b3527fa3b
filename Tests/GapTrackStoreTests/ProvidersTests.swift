import Foundation
import GapTrackDomain
import GapTrackStore
import TestDatabase
import Testing

@Suite("Providers")
struct ProvidersTests {
    @Test func createFindAndRefuseDuplicates() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let repository = Providers(connection: connection)
            let school = try repository.create(Provider(code: "demo-academy", name: "Demo Academy", kind: .school, urn: try URN("100000"), laCode: "801"))
            #expect(school.id != nil)
            #expect(try repository.find(code: ProviderCode(parsing: "demo-academy")) == school)
            #expect(try repository.find(code: ProviderCode(parsing: "Nowhere\u{00A0}")) == nil)
            #expect(throws: ProviderError.duplicate(field: "code", value: "demo-academy")) {
                try repository.create(Provider(code: "demo-academy", name: "Again", kind: .school, urn: try URN("100001")))
            }
            #expect(throws: ProviderError.duplicate(field: "URN", value: "100000")) {
                try repository.create(Provider(code: "other", name: "Other", kind: .school, urn: try URN("100000")))
            }
            #expect(throws: ProviderError.invalidCode("Demo Academy")) {
                try repository.create(Provider(code: "Demo Academy", name: "x", kind: .school, urn: try URN("100002")))
            }
            #expect(throws: ProviderError.needsURNOrUKPRN(code: "uni")) {
                try repository.create(Provider(code: "uni", name: "x", kind: .university))
            }
            try repository.create(Provider(code: "uni", name: "Demo University", kind: .university, ukprn: try UKPRN("10007788")))
            #expect(try repository.list().map(\.code) == ["demo-academy", "uni"])
            #expect(throws: ProviderError.notFound(code: "xx", known: ["demo-academy", "uni"])) {
                try repository.require(code: ProviderCode(parsing: "xx"))
            }
            // A code is parsed where it is typed: case and a pasted no-break space do not matter.
            #expect(try repository.require(code: ProviderCode(parsing: " Demo-Academy\u{00A0}")) == school)
        }
    }

    @Test func importsNeedAKnownProvider() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let file = try writeCSV("students.csv", studentLines(1))
            #expect(throws: ProviderError.notFound(code: "test-school", known: [])) {
                try Importer(connection: connection).load(.students, file)
            }
        }
    }
}
