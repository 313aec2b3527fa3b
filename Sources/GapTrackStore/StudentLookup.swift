import Postgres

/// A student identifier as any door receives it (a CSV field, a JSON field, a URL segment),
/// reduced to the one form the lookup compares: surrounding white space dropped, including the
/// no-break spaces spreadsheets paste in, and letters upper-cased, since UPNs are typed in
/// either case and gaptrack stores every identifier in upper case (docs/methodology.md §2).
public struct StudentIdentifier: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) {
        value = Self.normalised(text)
    }

    public var description: String { value }

    /// The normalised text; empty when the text was only white space.
    public static func normalised(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last]).uppercased()
    }
}

/// What an identifier names among a provider's students. An identifier two students share
/// (one's ULN is another's institution id, say) names neither: picking one would file a mark or
/// a record against the wrong child without a word.
public enum StudentLookup: Sendable, Equatable {
    case student(id: Int)
    case unknown
    case shared(studentCount: Int)
    /// Not the shape of any identifier the provider's students can have (a UPN with a wrong
    /// check letter, say); the message is the one the imports give (`StudentIdentifiers.normalise`).
    case misshapen(String)

    public var studentID: Int? {
        if case .student(let id) = self { return id }
        return nil
    }

    /// The message every door gives when the identifier names no single student.
    public func problem(_ identifier: String) -> String? {
        switch self {
        case .student: return nil
        case .unknown: return Self.unknownMessage(identifier)
        case .shared: return Self.sharedMessage(identifier)
        case .misshapen(let message): return message
        }
    }

    static func unknownMessage(_ identifier: String) -> String {
        "'\(identifier)' is not a student of this provider; import them in students.csv first (or check the identifier)"
    }

    static func sharedMessage(_ identifier: String) -> String {
        "'\(identifier)' belongs to more than one student of this provider; correct the students' identifiers first"
    }
}

/// The provider's students, found by any of their identifiers (UPN, ULN, HESA id, the
/// provider's own id). Imports and the service resolve through here, so a row names the same
/// student, or is refused with the same message, whichever door it came in by.
public struct Students {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The matches of the identifiers in `wanted` (a relation with a text column `identifier`,
    /// already normalised) among provider `$1`'s students: one row per matched identifier with
    /// the lowest matching student id and how many students it matched. Each identifier column
    /// is joined on its own so every join can use that column's index.
    static func matchesSQL(wanted: String) -> String {
        let joins = ["upn", "uln", "hesa_id", "institution_id"].map { column in
            "SELECT w.identifier, st.student_id FROM \(wanted) w JOIN students st ON st.provider_id = $1 AND st.\(column) = w.identifier"
        }
        return """
            SELECT identifier, min(student_id) AS student_id, count(DISTINCT student_id) AS students
            FROM (\(joins.joined(separator: "\nUNION ALL\n"))) known
            GROUP BY identifier
            """
    }

    /// What each identifier names, in input order. Each is first checked for shape as the
    /// imports check it, so a mistyped UPN gets the same message from every door.
    public func lookUp(_ identifiers: [StudentIdentifier], providerID: Int) throws -> [StudentLookup] {
        guard !identifiers.isEmpty else { return [] }
        // The provider's kind and the matches in one round trip: an identifier of the wrong shape
        // is looked up too, and its shape's message wins over what the look-up found.
        let answers = try connection.pipeline([
            PipelinedStatement("SELECT kind::text AS kind FROM providers WHERE provider_id = $1", [providerID]),
            PipelinedStatement(
                """
                WITH wanted AS (SELECT DISTINCT identifier FROM unnest($2::text[]) AS i(identifier))
                \(Self.matchesSQL(wanted: "wanted"))
                """,
                [providerID, Array(Set(identifiers.map(\.value)))]),
        ])
        let kindText: String = try answers[0].single().decode("kind")
        guard let kind = ProviderKind(rawValue: kindText) else {
            throw PostgresError.malformedValue(column: "kind", value: kindText, swiftType: "ProviderKind")
        }
        var misshapen: [String: String] = [:]
        for identifier in Set(identifiers) {
            do { _ = try StudentIdentifiers.normalise(identifier.value, providerKind: kind) } catch { misshapen[identifier.value] = error.message }
        }
        let rows = answers[1].rows
        var found: [String: StudentLookup] = [:]
        for row in rows {
            let count: Int = try row.decode("students")
            found[try row.decode("identifier")] = count == 1 ? .student(id: try row.decode("student_id")) : .shared(studentCount: count)
        }
        return identifiers.map { identifier in
            misshapen[identifier.value].map(StudentLookup.misshapen) ?? found[identifier.value] ?? .unknown
        }
    }

    public func lookUp(_ identifier: StudentIdentifier, providerID: Int) throws -> StudentLookup {
        try lookUp([identifier], providerID: providerID)[0]
    }
}
