import Postgres
import TestDatabase
import Testing

struct Abort: Error {}

@Suite("Transactions")
struct TransactionTests {
    @Test func commitsWhenTheBodyReturns() throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute("CREATE TABLE t (n int)")
            try connection.transaction { try $0.query("INSERT INTO t VALUES ($1)", [1]) }
            #expect(!connection.isInTransaction)
            #expect(try connection.query("SELECT count(*) AS n FROM t").single().decode("n") as Int == 1)
        }
    }

    @Test func rollsBackWhenTheBodyThrows() throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute("CREATE TABLE t (n int)")
            #expect(throws: Abort.self) {
                try connection.transaction { connection in
                    try connection.query("INSERT INTO t VALUES ($1)", [1])
                    throw Abort()
                }
            }
            #expect(!connection.isInTransaction)
            #expect(try connection.query("SELECT count(*) AS n FROM t").single().decode("n") as Int == 0)
        }
    }

    @Test func rollsBackWhenTheServerRejectsAStatement() throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute("CREATE TABLE t (n int CHECK (n > 0))")
            #expect(throws: PostgresError.self) {
                try connection.transaction { connection in
                    try connection.query("INSERT INTO t VALUES ($1)", [1])
                    try connection.query("INSERT INTO t VALUES ($1)", [-1])
                }
            }
            #expect(try connection.query("SELECT count(*) AS n FROM t").single().decode("n") as Int == 0)
        }
    }

    @Test func aNestedFailureUndoesOnlyItsOwnPart() throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute("CREATE TABLE t (n int)")
            try connection.transaction { connection in
                try connection.query("INSERT INTO t VALUES ($1)", [1])
                try? connection.transaction { inner in
                    try inner.query("INSERT INTO t VALUES ($1)", [2])
                    throw Abort()
                }
                try connection.query("INSERT INTO t VALUES ($1)", [3])
            }
            let values = try connection.query("SELECT n FROM t ORDER BY n").rows.map { try $0.decode("n") as Int }
            #expect(values == [1, 3])
        }
    }
}
