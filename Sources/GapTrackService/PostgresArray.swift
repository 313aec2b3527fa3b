import Postgres

/// A one-dimensional PostgreSQL array in its text form (`{"a","b",NULL}`), bound as a single
/// parameter. Batches of marks and results travel as a few arrays that the server `unnest`s, so
/// one statement writes the whole batch: no SQL is built from the values, and no round trip per row.
/// Every element is double-quoted with `"` and `\` escaped (PostgreSQL manual, "Array Value Input").
struct PostgresArray: PostgresEncodable {
    let elements: [String?]

    init(_ elements: [String?]) {
        self.elements = elements
    }

    var postgresText: String? {
        var text = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { text += "," }
            guard let element else {
                text += "NULL"
                continue
            }
            text += "\""
            for character in element {
                if character == "\"" || character == "\\" { text += "\\" }
                text.append(character)
            }
            text += "\""
        }
        return text + "}"
    }
}

extension PostgresConnection {
    /// The students of `providerID` named by `identifiers` (UPN, ULN, HESA id or institution id,
    /// in that order of preference), in input order; nil for an identifier with no student.
    func studentIDs(providerID: Int, identifiers: [String]) throws -> [Int?] {
        let rows = try query(
            """
            SELECT i.position, s.student_id
            FROM unnest($2::text[]) WITH ORDINALITY AS i(identifier, position)
            LEFT JOIN LATERAL (
                SELECT student_id FROM students
                WHERE provider_id = $1
                  AND (upn = i.identifier OR uln = i.identifier OR hesa_id = i.identifier OR institution_id = i.identifier)
                ORDER BY (upn = i.identifier) IS TRUE DESC, (uln = i.identifier) IS TRUE DESC, (hesa_id = i.identifier) IS TRUE DESC
                LIMIT 1
            ) s ON true
            ORDER BY i.position
            """,
            [providerID, PostgresArray(identifiers)]
        ).rows
        return try rows.map { try $0.decode("student_id", as: Int?.self) }
    }
}
