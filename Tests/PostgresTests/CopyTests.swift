import Postgres
import TestDatabase
import Testing

struct ProducerFailed: Error {}

@Suite("COPY")
struct CopyTests {
    @Test func copiesOneHundredThousandRows() throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute("CREATE TABLE marks (id int, note text, at date)")
            let copied = try connection.copyIn("COPY marks (id, note, at) FROM STDIN") { writer in
                for id in 1...100_000 {
                    try writer.writeRow([String(id), id % 10 == 0 ? nil : "tab\there \\ n=\(id)", "2024-09-\(String(format: "%02d", id % 28 + 1))"])
                }
            }
            #expect(copied == 100_000)
            let row = try connection.query(
                "SELECT count(*) AS n, sum(id) AS total, count(note) AS notes, min(note) FILTER (WHERE id = 7) AS seventh FROM marks"
            ).single()
            #expect(try row.decode("n") as Int == 100_000)
            #expect(try row.decode("total") as Int == 5_000_050_000)
            #expect(try row.decode("notes") as Int == 90_000)
            #expect(try row.decode("seventh") as String == "tab\there \\ n=7")
        }
    }

    @Test func aCopyThatFailsHalfWayLeavesNothingBehind() throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute("CREATE TABLE marks (id int)")
            #expect(throws: ProducerFailed.self) {
                try connection.copyIn("COPY marks FROM STDIN") { writer in
                    for id in 1...50_000 { try writer.writeRow([String(id)]) }
                    throw ProducerFailed()
                }
            }
            #expect(try connection.query("SELECT count(*) AS n FROM marks").single().decode("n") as Int == 0)
        }
    }

    @Test func aRowTheServerRejectsAbortsTheWholeCopy() throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute("CREATE TABLE marks (id int)")
            #expect {
                try connection.copyIn("COPY marks FROM STDIN") { writer in
                    for id in 1...1_000 { try writer.writeRow([id == 500 ? "not a number" : String(id)]) }
                }
            } throws: { error in
                (error as? PostgresError)?.sqlState == ServerError.Code.invalidTextRepresentation
            }
            #expect(try connection.query("SELECT count(*) AS n FROM marks").single().decode("n") as Int == 0)
        }
    }

    @Test func copyOutStreamsWhatWasWritten() throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute("CREATE TABLE marks AS SELECT g AS id FROM generate_series(1, 1000) AS g")
            var bytes: [UInt8] = []
            try connection.copyOut("COPY (SELECT id FROM marks ORDER BY id) TO STDOUT WITH (FORMAT csv)") { chunk in
                bytes.append(contentsOf: chunk)
            }
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            #expect(lines.count == 1000)
            #expect(lines.first == "1")
            #expect(lines.last == "1000")
        }
    }
}
