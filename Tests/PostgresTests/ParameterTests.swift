import Foundation
import Postgres
import TestDatabase
import Testing

@Suite("Bound parameters and typed decoding")
struct ParameterTests {
    @Test(arguments: [
        "O'Brien",
        "Robert'); DROP TABLE notes; --",
        "back\\slash and \"double quotes\"",
        "Zoë Łukasiewicz-Nguyễn 李 🙂",
        "tab\tand\nnewline",
        "",
    ])
    func textRoundTripsVerbatim(_ value: String) throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute("CREATE TABLE notes (id serial PRIMARY KEY, body text)")
            try connection.query("INSERT INTO notes (body) VALUES ($1)", [value])
            let stored: String = try connection.query("SELECT body FROM notes").single().decode("body")
            #expect(stored == value)
            // The table survived whatever the text said.
            #expect(try connection.query("SELECT count(*) AS n FROM notes").single().decode("n") as Int == 1)
        }
    }

    @Test func arraysBindAsArraysWithEveryElementVerbatim() throws {
        try TestDatabase.withEmptyDatabase { connection in
            let texts = ["plain", "a,b", "{braces}", "say \"hi\"", "back\\slash", "NULL", "", " spaced "]
            let rows = try connection.query(
                "SELECT t, ord FROM unnest($1::text[]) WITH ORDINALITY AS u(t, ord) ORDER BY ord", [texts]).rows
            #expect(try rows.map { try $0.decode("t", as: String.self) } == texts)
            // A nil element is SQL NULL, not the text 'NULL'.
            let withNull: [String?] = ["x", nil]
            let nulls: Int = try connection.query(
                "SELECT count(*) FILTER (WHERE t IS NULL) AS n FROM unnest($1::text[]) AS u(t)", [withNull]).single().decode("n")
            #expect(nulls == 1)
            // Numbers cast to a numeric array; an empty array is an empty array.
            let sum: Int = try connection.query("SELECT sum(n)::bigint AS s FROM unnest($1::integer[]) AS u(n)", [[3, -4, 10]]).single().decode("s")
            #expect(sum == 9)
            let empty: Int = try connection.query("SELECT cardinality($1::integer[]) AS n", [[Int]()]).single().decode("n")
            #expect(empty == 0)
        }
    }

    @Test func nullsBindAndDecodeAsOptionals() throws {
        try TestDatabase.withEmptyDatabase { connection in
            let missing: String? = nil
            let row = try connection.query("SELECT $1::text AS a, $2::int AS b", [missing, Optional(7)]).single()
            #expect(try row.decode("a") as String? == nil)
            #expect(try row.decode("b") as Int? == 7)
            #expect(throws: PostgresError.unexpectedNull(column: "a")) { try row.decode("a") as String }
        }
    }

    @Test func everySupportedTypeDecodes() throws {
        try TestDatabase.withEmptyDatabase { connection in
            let id = UUID()
            let instant = Date(timeIntervalSince1970: 1_725_350_400.25)  // 2024-09-03 08:00:00.25 UTC
            let row = try connection.query(
                """
                SELECT $1::bigint AS big, $2::smallint AS small, $3::float8 AS ratio, $4::numeric(12,2) AS pounds,
                       $5::boolean AS yes, $6::boolean AS no, $7::uuid AS id, $8::timestamptz AS at,
                       DATE '2024-09-03' AS day, 'x'::varchar AS label
                """,
                [9_007_199_254_740_993, 12, 0.1, Decimal(string: "1234.56")!, true, false, id, instant]
            ).single()
            #expect(try row.decode("big") as Int == 9_007_199_254_740_993)
            #expect(try row.decode("small") as Int == 12)
            #expect(try row.decode("ratio") as Double == 0.1)
            #expect(try row.decode("pounds") as Decimal == Decimal(string: "1234.56")!)
            #expect(try row.decode("yes") as Bool == true)
            #expect(try row.decode("no") as Bool == false)
            #expect(try row.decode("id") as UUID == id)
            #expect(try row.decode("at") as Date == instant)
            #expect(try row.decode("day") as Date == Date(timeIntervalSince1970: 1_725_321_600))
            #expect(try row.decode("label") as String == "x")
            #expect(try row.decode(at: 0, as: Int.self) == 9_007_199_254_740_993)
        }
    }

    @Test func moneyIsExactAndNeverFloatingPoint() throws {
        try TestDatabase.withEmptyDatabase { connection in
            // 0.1 + 0.2 is not 0.3 in binary floating point; in numeric it is.
            let sum: Decimal = try connection.query("SELECT $1::numeric + $2::numeric AS total", [Decimal(string: "0.10")!, Decimal(string: "0.20")!])
                .single().decode("total")
            #expect(sum == Decimal(string: "0.30")!)
        }
    }

    @Test func specialFloatsRoundTrip() throws {
        try TestDatabase.withEmptyDatabase { connection in
            let row = try connection.query("SELECT $1::float8 AS inf, $2::float8 AS nan", [Double.infinity, Double.nan]).single()
            #expect(try row.decode("inf") as Double == .infinity)
            #expect((try row.decode("nan") as Double).isNaN)
        }
    }

    @Test func aTypeMismatchIsAClearError() throws {
        try TestDatabase.withEmptyDatabase { connection in
            let row = try connection.query("SELECT DATE '2024-09-03' AS day, 'abc'::text AS word, 3 AS n").single()
            #expect(throws: PostgresError.typeMismatch(column: "day", swiftType: "Int", postgresType: PostgresType.date)) {
                try row.decode("day") as Int
            }
            #expect(throws: PostgresError.typeMismatch(column: "word", swiftType: "Bool", postgresType: PostgresType.text)) {
                try row.decode("word") as Bool
            }
            #expect(throws: PostgresError.noSuchColumn("missing")) { try row.decode("missing") as Int }
            let message = PostgresError.typeMismatch(column: "day", swiftType: "Int", postgresType: PostgresType.date).description
            #expect(message == "column 'day' has PostgreSQL type date, which cannot be read as Int")
        }
    }

    @Test func aParameterOfTheWrongShapeIsTheServersError() throws {
        try TestDatabase.withEmptyDatabase { connection in
            #expect {
                try connection.query("SELECT $1::int AS n", ["twelve"])
            } throws: { error in
                (error as? PostgresError)?.sqlState == ServerError.Code.invalidTextRepresentation
            }
        }
    }
}
