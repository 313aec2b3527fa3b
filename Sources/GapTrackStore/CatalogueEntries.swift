import Foundation
import GapTrackDomain
import Postgres

/// The two catalogues a support record names a code of.
public enum CatalogueKind: String, Sendable, Hashable, CaseIterable, Codable {
    case supportType = "support-type"
    case fundingSource = "funding-source"

    /// "support-type", "support-types", "funding source", "funding_sources"...
    public init(parsing text: String) throws(CatalogueError) {
        var key = ColumnMapping.key(text)
        if key.hasSuffix("s") { key.removeLast() }
        guard let kind = Self.allCases.first(where: { ColumnMapping.key($0.rawValue) == key }) else { throw .unknownKind(text) }
        self = kind
    }

    /// As the API's paths name it: /v1/catalogue/support-types, /v1/catalogue/funding-sources.
    public var plural: String { rawValue + "s" }
}

/// A code a provider may give a support record: a shared one, or the provider's own.
public struct CatalogueEntry: Sendable, Hashable, Codable {
    public let kind: CatalogueKind
    public let code: String
    public let name: String
    /// Support types only: money or goods given rather than teaching time.
    public let isFinancial: Bool?
    /// The provider's own, not shared.
    public let own: Bool

    enum CodingKeys: String, CodingKey {
        case kind, code, name, own
        case isFinancial = "is_financial"
    }
}

public enum CatalogueError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownKind(String)
    case badCode(String)
    case badName(String)
    case alreadyShared(kind: CatalogueKind, code: String)
    case alreadyOwn(kind: CatalogueKind, code: String)

    public var description: String {
        switch self {
        case .unknownKind(let text):
            "'\(TextLimit.quoted(text))' is not a catalogue; expected support-type or funding-source"
        case .badCode(let text):
            "'\(TextLimit.quoted(text))' is not a catalogue code; use 1 to \(SupportCatalogue.longestCode) lower-case letters, digits and underscores, starting with a letter (e.g. breakfast_club)"
        case .badName(let problem):
            "the name \(problem)"
        case .alreadyShared(let kind, let code):
            "'\(code)' is already a shared \(kind.rawValue.replacingOccurrences(of: "-", with: " ")); use it as it is"
        case .alreadyOwn(let kind, let code):
            "'\(code)' is already one of this provider's own \(kind.plural.replacingOccurrences(of: "-", with: " "))"
        }
    }
}

/// A provider's catalogue: the shared support types and funding sources and the provider's own
/// (`support_catalogue` in sql/functions/support_catalogue.sql, the lookup every door uses). The
/// provider's own live in provider-owned tables, so another provider neither sees nor can use them.
public struct SupportCatalogue {
    let connection: PostgresConnection

    /// The longest code, as the tables' CHECK.
    public static let longestCode = 50
    /// The longest name, as the tables' CHECK.
    public static let longestName = 200

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Shared entries first, then the provider's own, each in code order.
    public func list(providerID: Int) throws -> [CatalogueEntry] {
        try Self.entries(try connection.query(Self.listSQL, [providerID]))
    }

    /// `list`'s statement, $1 the provider, for a caller that sends it with others (`pipeline`).
    static let listSQL = "SELECT kind, code, display_name, is_financial, own FROM support_catalogue($1) ORDER BY kind DESC, own, code"

    static func entries(_ result: PostgresResult) throws -> [CatalogueEntry] {
        try result.rows.map { row in
            CatalogueEntry(kind: CatalogueKind(rawValue: try row.decode("kind"))!, code: try row.decode("code"),
                           name: try row.decode("display_name"), isFinancial: try row.decode("is_financial"), own: try row.decode("own"))
        }
    }

    /// A code as typed, checked for the catalogue: lower case letters, digits and underscores.
    public static func code(_ text: String) throws(CatalogueError) -> String {
        let code = text.trimmingCharacters(in: .whitespaces)
        let scalars = code.unicodeScalars
        guard let first = scalars.first, ("a"..."z").contains(first), scalars.count <= longestCode,
              scalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
            throw .badCode(text)
        }
        return code
    }

    /// A display name: not blank, within the limit, one line (the same check as every text field).
    public static func name(_ text: String) throws(CatalogueError) -> String {
        let name = text.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw .badName("is empty; give the name people know it by") }
        if let problem = TextLimit(field: "name", maximum: longestName).problem(name) { throw .badName(problem) }
        return name
    }

    /// Adds one of the provider's own codes; refuses a code the shared catalogue or the provider
    /// already has.
    public func add(providerID: Int, kind: CatalogueKind, code: String, name: String, isFinancial: Bool = false) throws -> CatalogueEntry {
        if let held = try list(providerID: providerID).first(where: { $0.kind == kind && $0.code == code }) {
            throw held.own ? CatalogueError.alreadyOwn(kind: kind, code: code) : CatalogueError.alreadyShared(kind: kind, code: code)
        }
        switch kind {
        case .supportType:
            try connection.query(
                "INSERT INTO provider_support_types (provider_id, type, display_name, is_financial) VALUES ($1, $2, $3, $4)",
                [providerID, code, name, isFinancial])
        case .fundingSource:
            try connection.query(
                "INSERT INTO provider_funding_sources (provider_id, funding_source, display_name) VALUES ($1, $2, $3)",
                [providerID, code, name])
        }
        return CatalogueEntry(kind: kind, code: code, name: name, isFinancial: kind == .supportType ? isFinancial : nil, own: true)
    }
}
