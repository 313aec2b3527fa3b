import Postgres
import TestDatabase
import Testing

/// `PostgresConnection.pipeline` and `begin(settings:)`: several statements sent at once must
/// behave as the same statements sent one by one (answers, failures, transactions), and leave the
/// connection usable for ordinary statements.
@Suite("Pipelined statements")
struct PipelineTests {
    @Test func answersComeBackInOrderWithTheirOwnParameters() throws {
        try TestDatabase.withEmptyDatabase { connection in
            let answers = try connection.pipeline([
                PipelinedStatement("SELECT $1::int + 1 AS n", [41]),
                PipelinedStatement("SELECT $1::text AS t", ["O'Brien'); DROP TABLE x; --"]),
                PipelinedStatement("SELECT generate_series(1, $1::int) AS n", [3]),
            ])
            #expect(answers.count == 3)
            #expect(try answers[0].single().decode("n") as Int == 42)
            #expect(try answers[1].single().decode("t") as String == "O'Brien'); DROP TABLE x; --")
            #expect(try answers[2].rows.map { try $0.decode("n") as Int } == [1, 2, 3])
            // Back out of pipeline mode: a multi-statement simple query works again.
            try connection.execute("CREATE TABLE t (n int); INSERT INTO t VALUES (1)")
            #expect(try connection.query("SELECT count(*) AS n FROM t").single().decode("n") as Int == 1)
        }
    }

    @Test func aFailureIsTheServersErrorAndSkipsWhatFollows() throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute("CREATE TABLE t (n int CHECK (n > 0))")
            do {
                _ = try connection.pipeline([
                    PipelinedStatement("INSERT INTO t VALUES ($1)", [1]),
                    PipelinedStatement("INSERT INTO t VALUES ($1)", [-1]),
                    PipelinedStatement("INSERT INTO t VALUES ($1)", [3]),
                ])
                Issue.record("the CHECK violation was not reported")
            } catch let PostgresError.server(error) {
                #expect(error.sqlState == "23514")
            }
            // Outside a transaction the statements were one implicit transaction: none is kept.
            #expect(!connection.isInTransaction)
            #expect(try connection.query("SELECT count(*) AS n FROM t").single().decode("n") as Int == 0)
        }
    }

    @Test func insideATransactionAFailureLeavesItForTheCallerToRollBack() throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute("CREATE TABLE t (n int CHECK (n > 0))")
            #expect(throws: PostgresError.self) {
                try connection.transaction { connection in
                    try connection.query("INSERT INTO t VALUES ($1)", [5])
                    _ = try connection.pipeline([PipelinedStatement("INSERT INTO t VALUES ($1)", [-1])])
                }
            }
            #expect(!connection.isInTransaction)
            #expect(try connection.query("SELECT count(*) AS n FROM t").single().decode("n") as Int == 0)
        }
    }

    @Test func beginsSettingsLastOnlyForTheirTransaction() throws {
        try TestDatabase.withEmptyDatabase { connection in
            let before: String = try connection.query("SELECT current_setting('statement_timeout') AS v").single().decode("v")
            connection.transactionSettings = [TransactionSetting("statement_timeout", "4321")]
            try connection.begin("BEGIN ISOLATION LEVEL REPEATABLE READ", settings: [TransactionSetting("gaptrack.actor", "it's me; RESET ALL")])
            let inside = try connection.query(
                "SELECT current_setting('statement_timeout') AS timeout, current_setting('gaptrack.actor') AS actor, "
                    + "current_setting('transaction_isolation') AS isolation"
            ).single()
            #expect(try inside.decode("timeout") as String == "4321ms")
            #expect(try inside.decode("actor") as String == "it's me; RESET ALL")
            #expect(try inside.decode("isolation") as String == "repeatable read")
            try connection.commit()
            let after = try connection.query(
                "SELECT current_setting('statement_timeout') AS timeout, current_setting('gaptrack.actor', true) AS actor"
            ).single()
            #expect(try after.decode("timeout") as String == before)
            #expect(try after.decode("actor", as: String?.self) ?? "" == "")
        }
    }
}
