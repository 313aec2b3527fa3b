import Foundation
import Postgres
import TestDatabase
import Testing

@Suite("Connecting")
struct ConnectionTests {
    @Test func connectsToTheTestServer() throws {
        try TestDatabase.withEmptyDatabase { connection in
            let row = try connection.query("SELECT current_database() AS name, 1 + 1 AS two").single()
            #expect(try row.decode("name") as String == connection.databaseName)
            #expect(try row.decode("two") as Int == 2)
            #expect(connection.serverVersion >= 150000)
        }
    }

    @Test func aBadConninfoCarriesLibpqsMessage() {
        #expect {
            _ = try PostgresConnection(conninfo: "host=/nonexistent/socket/folder dbname=nowhere connect_timeout=2")
        } throws: { error in
            guard case PostgresError.connectionFailed(let message) = error else { return false }
            // libpq names the socket it tried.
            return message.contains("/nonexistent/socket/folder")
        }
    }

    @Test func aMalformedConninfoIsRejectedWithLibpqsReason() {
        #expect {
            _ = try PostgresConnection(conninfo: "this is not = a valid conninfo")
        } throws: { error in
            guard case PostgresError.connectionFailed(let message) = error else { return false }
            return !message.isEmpty
        }
    }

    @Test func connectionUrisWork() throws {
        try TestDatabase.withEmptyDatabase { connection in
            // Build a URI for the same database from the server's own view of where it listens.
            let socket: String = try connection.query("SELECT current_setting('unix_socket_directories') AS s").single().decode("s")
            let user: String = try connection.query("SELECT current_user::text AS u").single().decode("u")
            let host = socket.split(separator: ",").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !host.isEmpty, host.hasPrefix("/") else { return }  // a TCP-only server: nothing to check here
            let encodedHost = host.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? host
            let uri = "postgresql://\(user)@/\(connection.databaseName)?host=\(encodedHost)"
            let viaURI = try PostgresConnection(conninfo: uri)
            #expect(viaURI.databaseName == connection.databaseName)
        }
    }

    @Test func serverErrorsCarrySQLStateDetailAndHint() throws {
        try TestDatabase.withEmptyDatabase { connection in
            try connection.execute("CREATE TABLE pupils (upn text PRIMARY KEY)")
            try connection.query("INSERT INTO pupils VALUES ($1)", ["B801200005001"])
            #expect {
                try connection.query("INSERT INTO pupils VALUES ($1)", ["B801200005001"])
            } throws: { error in
                guard case PostgresError.server(let server) = error else { return false }
                return server.sqlState == ServerError.Code.uniqueViolation
                    && server.constraint == "pupils_pkey"
                    && server.table == "pupils"
                    && (server.detail ?? "").contains("B801200005001")
            }
            #expect {
                try connection.execute("DO $$ BEGIN RAISE EXCEPTION 'custom' USING DETAIL = 'the detail', HINT = 'the hint', ERRCODE = 'P0001'; END $$")
            } throws: { error in
                guard case PostgresError.server(let server) = error else { return false }
                return server.sqlState == "P0001" && server.message == "custom" && server.detail == "the detail" && server.hint == "the hint"
            }
            // The connection is still usable after errors.
            #expect(try connection.query("SELECT count(*) AS n FROM pupils").single().decode("n") as Int == 1)
        }
    }
}
