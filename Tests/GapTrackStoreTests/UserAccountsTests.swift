import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// People's accounts and sessions for the web pages (docs/security.md §6), against a real database.
/// Passwords are hashed at bcrypt's lowest cost here so that the suite stays quick; the cost does not
/// change what is checked.
@Suite struct UserAccountsTests {
    static let password = "a long enough passphrase"

    static func school(_ connection: PostgresConnection, code: String = "school-a") throws -> ProviderCode {
        try connection.query(
            "INSERT INTO providers (code, name, kind, urn, la_code) VALUES ($1, 'A School', 'school', $2, '801')",
            [code, code == "school-a" ? "100001" : "100002"])
        return try ProviderCode(parsing: code)
    }

    static func add(_ connection: PostgresConnection, _ provider: ProviderCode, email: String = "lead@a.example", role: APIRole = .dataLead)
        throws -> UserAccounts.Account
    {
        try UserAccounts(connection: connection).add(
            providerCode: provider, email: email, displayName: "A Lead", role: role, password: password, actor: "test", cost: 4)
    }

    static func events(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            "SELECT after ->> 'event' AS event FROM audit_log WHERE table_name = 'web_sign_in_attempts' ORDER BY audit_id"
        ).rows.map { try $0.decode("event") }
    }

    @Test func aRightPasswordIsAcceptedAndAWrongOneRefusedAndAudited() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try Self.school(connection)
            let account = try Self.add(connection, provider)
            let accounts = UserAccounts(connection: connection)
            #expect(try accounts.checkSignIn(providerCode: "school-a", email: "lead@a.example", password: "wrong password!", address: "10.0.0.1") == .refused)
            // Unknown address, unknown provider: the same answer.
            #expect(try accounts.checkSignIn(providerCode: "school-a", email: "nobody@a.example", password: Self.password, address: "10.0.0.1") == .refused)
            #expect(try accounts.checkSignIn(providerCode: "school-z", email: "lead@a.example", password: Self.password, address: "10.0.0.1") == .refused)
            // The address is matched without regard to case.
            let accepted = try accounts.checkSignIn(providerCode: "school-a", email: "LEAD@a.example", password: Self.password, address: "10.0.0.1")
            guard case .accepted(_, let accountID) = accepted else { Issue.record("not accepted: \(accepted)"); return }
            #expect(accountID == account.accountID)
            #expect(try Self.events(connection) == ["sign-in failed", "sign-in failed", "sign-in failed"])
            // The account's insert is audited without its password hash.
            let audited: String = try connection.query(
                "SELECT after::text AS doc FROM audit_log WHERE table_name = 'web_accounts' AND action = 'insert'").single().decode("doc")
            #expect(audited.contains("lead@a.example") && !audited.contains("password_hash") && !audited.contains("$2b$"))
        }
    }

    @Test func theFifthFailureInARowLocksTheAccountForAGrowingTime() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try Self.school(connection)
            _ = try Self.add(connection, provider)
            let accounts = UserAccounts(connection: connection)
            func attempt(_ password: String) throws -> UserAccounts.SignIn {
                try accounts.checkSignIn(providerCode: "school-a", email: "lead@a.example", password: password, address: "10.0.0.2")
            }
            for _ in 1...4 { #expect(try attempt("wrong password!") == .refused) }
            // The fifth: 30 seconds (30 × 2^0).
            guard case .locked(let first) = try attempt("wrong password!") else { Issue.record("the fifth failure did not lock"); return }
            #expect((29...30).contains(first))
            // While locked, even the right password is not checked.
            guard case .locked = try attempt(Self.password) else { Issue.record("a locked account was checked"); return }
            // When the lock has run out, one more failure locks it for 60 seconds (30 × 2^1).
            try connection.query("UPDATE web_accounts SET locked_until = now() - interval '1 second'")
            guard case .locked(let second) = try attempt("wrong password!") else { Issue.record("the sixth failure did not lock"); return }
            #expect((59...60).contains(second))
            // A success after the lock clears the count.
            try connection.query("UPDATE web_accounts SET locked_until = now() - interval '1 second'")
            guard case .accepted(let providerID, let accountID) = try attempt(Self.password) else { Issue.record("not accepted"); return }
            _ = try WebSessions(connection: connection).open(providerID: providerID, accountID: accountID, address: "10.0.0.2", lifetime: .seconds(60))
            let state = try connection.query("SELECT failed_count, locked_until FROM web_accounts").single()
            #expect(try state.decode("failed_count", as: Int.self) == 0)
            #expect(try state.decode("locked_until", as: Date?.self) == nil)
            #expect(try Self.events(connection) == [
                "sign-in failed", "sign-in failed", "sign-in failed", "sign-in failed", "sign-in failed: account locked",
                "sign-in refused: locked", "sign-in failed: account locked",
            ])
        }
    }

    @Test func twentyFailuresFromOneAddressPauseItAndNoOther() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try Self.school(connection)
            _ = try Self.add(connection, provider)
            let accounts = UserAccounts(connection: connection)
            for n in 1...20 {
                #expect(try accounts.checkSignIn(providerCode: "school-a", email: "guess\(n)@a.example", password: "x", address: "10.0.0.3") == .refused)
            }
            guard case .locked(let seconds) = try accounts.checkSignIn(
                providerCode: "school-a", email: "lead@a.example", password: Self.password, address: "10.0.0.3")
            else { Issue.record("the address was not paused"); return }
            #expect((1...900).contains(seconds))
            guard case .accepted = try accounts.checkSignIn(providerCode: "school-a", email: "lead@a.example", password: Self.password, address: "10.0.0.4")
            else { Issue.record("another address was paused too"); return }
        }
    }

    @Test func aSessionEndsWhenIdleExpiredSignedOutOrItsAccountDisabled() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try Self.school(connection)
            let account = try Self.add(connection, provider)
            let providerID: Int = try connection.query("SELECT provider_id FROM providers").single().decode("provider_id")
            let sessions = WebSessions(connection: connection)
            func open() throws -> WebSessions.Cookie {
                try sessions.open(providerID: providerID, accountID: account.accountID, address: "10.0.0.5", lifetime: .seconds(3600))
            }
            let cookie = try open()
            #expect(WebSessions.Cookie(cookie.value) == cookie)
            guard case .signedIn(let person) = try sessions.find(cookie, idleLimit: .seconds(600)) else { Issue.record("not signed in"); return }
            #expect(person.email == "lead@a.example" && person.role == .dataLead && person.providerCode == "school-a")
            // Another provider's id in the cookie finds nothing.
            #expect(try sessions.find(WebSessions.Cookie("\(providerID + 1).\(cookie.secret)")!, idleLimit: .seconds(600)) == .none)

            try connection.query("UPDATE web_sessions SET last_seen_at = now() - interval '11 minutes'")
            #expect(try sessions.find(cookie, idleLimit: .seconds(600)) == .ended(reason: "idle"))
            #expect(try sessions.find(cookie, idleLimit: .seconds(600)) == .none)

            let expiring = try open()
            try connection.query("UPDATE web_sessions SET expires_at = now() - interval '1 second' WHERE ended_at IS NULL")
            #expect(try sessions.find(expiring, idleLimit: .seconds(600)) == .ended(reason: "expired"))

            let closing = try open()
            #expect(try sessions.close(closing))
            #expect(try !sessions.close(closing))
            #expect(try sessions.find(closing, idleLimit: .seconds(600)) == .none)

            let disabled = try open()
            try UserAccounts(connection: connection).disable(providerCode: provider, email: "lead@a.example", actor: "test")
            #expect(try sessions.find(disabled, idleLimit: .seconds(600)) == .ended(reason: "account disabled"))
            #expect(try UserAccounts(connection: connection).checkSignIn(
                providerCode: "school-a", email: "lead@a.example", password: Self.password, address: "10.0.0.5") == .refused)
            #expect(throws: UserAccountError.self) {
                try UserAccounts(connection: connection).disable(providerCode: provider, email: "lead@a.example", actor: "test")
            }
            // Each session's start and end is in the audit log, by reason.
            let ends: [String] = try connection.query(
                "SELECT after ->> 'ended_reason' AS reason FROM audit_log WHERE table_name = 'web_sessions' AND action = 'update' AND after ->> 'ended_reason' IS NOT NULL ORDER BY audit_id"
            ).rows.map { try $0.decode("reason") }
            #expect(ends == ["idle", "expired", "signed out", "account disabled"])
            let opened: Int = try connection.query(
                "SELECT count(*) AS n FROM audit_log WHERE table_name = 'web_sessions' AND action = 'insert' AND NOT after ? 'token_hash'"
            ).single().decode("n")
            #expect(opened == 4)
        }
    }

    @Test func theServiceRolesCannotReadPasswordOrSessionHashes() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try Self.school(connection)
            let account = try Self.add(connection, provider)
            let providerID: Int = try connection.query("SELECT provider_id FROM providers").single().decode("provider_id")
            _ = try WebSessions(connection: connection).open(providerID: providerID, accountID: account.accountID, address: "x", lifetime: .seconds(60))
            func denied(_ role: String, _ sql: String) throws -> Bool {
                try connection.execute("BEGIN")
                defer { try? connection.execute("ROLLBACK") }
                try connection.query(
                    "SELECT set_config('role', $1, true), set_config('gaptrack.provider_id', $2, true)", [role, String(providerID)])
                do {
                    try connection.query(sql)
                    return false
                } catch let error as PostgresError {
                    return error.sqlState == "42501"
                }
            }
            for role in ["gaptrack_service", "gaptrack_governor", "gaptrack_app"] {
                #expect(try denied(role, "SELECT password_hash FROM web_accounts"), "\(role) read password hashes")
                #expect(try denied(role, "SELECT token_hash FROM web_sessions"), "\(role) read session hashes")
                #expect(try denied(role, "SELECT * FROM web_sign_in_attempts"), "\(role) read sign-in attempts")
                #expect(try denied(role, "UPDATE web_accounts SET failed_count = 0"), "\(role) changed an account")
            }
            #expect(try !denied("gaptrack_service", "SELECT email, role FROM web_accounts"))
            // The login reaches the hash only through the sign-in function.
            #expect(try !denied("gaptrack_app", "SELECT * FROM web_sign_in_candidate('school-a', 'lead@a.example', 'x')"))
        }
    }

    @Test func anAccountNeedsAnAddressALongPasswordAndOneOfItsKindPerProvider() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try Self.school(connection)
            let accounts = UserAccounts(connection: connection)
            #expect(throws: UserAccountError.shortPassword(12)) {
                try accounts.add(providerCode: provider, email: "a@a.example", displayName: nil, role: .staff, password: "short", actor: "t", cost: 4)
            }
            #expect(throws: UserAccountError.badEmail("not an address")) {
                try accounts.add(providerCode: provider, email: "not an address", displayName: nil, role: .staff, password: Self.password, actor: "t", cost: 4)
            }
            _ = try Self.add(connection, provider)
            #expect(throws: UserAccountError.emailTaken("Lead@A.example", "school-a")) {
                try accounts.add(providerCode: provider, email: "Lead@A.example", displayName: nil, role: .staff, password: Self.password, actor: "t", cost: 4)
            }
            // The same address at another provider is another account.
            let other = try Self.school(connection, code: "school-b")
            #expect(try Self.add(connection, other).providerCode == "school-b")
            #expect(try accounts.list(providerCode: nil).map(\.providerCode) == ["school-a", "school-b"])
        }
    }
}
