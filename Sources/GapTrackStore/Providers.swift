import Foundation
import GapTrackDomain
import Postgres

/// Stores and finds providers. Every import, token and report names its provider by code, and
/// this is the one place a code is looked up.
public struct Providers {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Stores a new provider and returns it with its id. A second provider with the same code,
    /// URN or UKPRN is refused with `ProviderError.duplicate`.
    @discardableResult
    public func create(_ provider: Provider) throws -> Provider {
        try provider.validate()
        do throws(PostgresError) {
            let row = try connection.query(
                """
                INSERT INTO providers (code, name, kind, urn, ukprn, la_code)
                VALUES ($1, $2, $3::provider_kind, $4, $5, $6)
                RETURNING provider_id
                """,
                [provider.code, provider.name.trimmingCharacters(in: .whitespaces), provider.kind.rawValue,
                 provider.urn?.value, provider.ukprn?.value, provider.laCode]
            ).single()
            var stored = provider
            stored.id = try row.decode("provider_id") as Int
            return stored
        } catch {
            guard error.sqlState == ServerError.Code.uniqueViolation else { throw error }
            let constraint: String
            if case .server(let server) = error { constraint = server.constraint ?? "" } else { constraint = "" }
            if constraint.contains("urn") { throw ProviderError.duplicate(field: "URN", value: provider.urn?.value ?? "") }
            if constraint.contains("ukprn") { throw ProviderError.duplicate(field: "UKPRN", value: provider.ukprn?.value ?? "") }
            throw ProviderError.duplicate(field: "code", value: provider.code)
        }
    }

    /// The provider with this code, or nil.
    public func find(code: ProviderCode) throws -> Provider? {
        let rows = try connection.query(Self.selectSQL + " WHERE code = $1", [code.value]).rows
        return try rows.first.map(Self.provider(from:))
    }

    /// The provider with this code, or `ProviderError.notFound` naming the codes that exist.
    public func require(code: ProviderCode) throws -> Provider {
        if let provider = try find(code: code) { return provider }
        throw ProviderError.notFound(code: code.value, known: try list().map(\.code))
    }

    /// Every provider, by code.
    public func list() throws -> [Provider] {
        try connection.query(Self.selectSQL + " ORDER BY code").rows.map(Self.provider(from:))
    }

    private static let selectSQL = "SELECT provider_id, code, name, kind::text AS kind, urn, ukprn, la_code FROM providers"

    private static func provider(from row: PostgresRow) throws -> Provider {
        let kindText: String = try row.decode("kind")
        guard let kind = ProviderKind(rawValue: kindText) else {
            throw PostgresError.malformedValue(column: "kind", value: kindText, swiftType: "ProviderKind")
        }
        return Provider(
            id: try row.decode("provider_id"), code: try row.decode("code"), name: try row.decode("name"), kind: kind,
            urn: try (row.decode("urn") as String?).map { try URN($0) },
            ukprn: try (row.decode("ukprn") as String?).map { try UKPRN($0) },
            laCode: try row.decode("la_code"))
    }
}
