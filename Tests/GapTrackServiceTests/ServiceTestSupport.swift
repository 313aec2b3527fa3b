import Foundation
import GapTrackDomain
import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import GapTrackStore
import Synchronization
import TestDatabase

/// A fresh, fully migrated database per test, reached by conninfo so that the service under test
/// opens its own pooled connections to it. (TestDatabase's helpers hand a synchronous closure one
/// connection; a running service needs a database that outlives an `await`.)
enum ServiceTestDatabase {
    private static let template = Mutex<String?>(nil)

    static func withDatabase<Result: Sendable>(_ body: (String) async throws -> Result) async throws -> Result {
        let name = "gaptrack_svc_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let templateName = try migratedTemplate()
        do {
            let admin = try TestDatabase.adminConnection()
            try admin.execute("CREATE DATABASE \(quoteIdentifier(name)) TEMPLATE \(quoteIdentifier(templateName))")
        }
        do {
            let result = try await body(TestDatabase.conninfo(database: name))
            drop(name)
            return result
        } catch {
            drop(name)
            throw error
        }
    }

    private static func drop(_ name: String) {
        if let admin = try? TestDatabase.adminConnection() {
            try? admin.execute("DROP DATABASE IF EXISTS \(quoteIdentifier(name)) WITH (FORCE)")
        }
    }

    /// One migrated template per test process and set of migration files.
    private static func migratedTemplate() throws -> String {
        try template.withLock { cached in
            if let cached { return cached }
            let folder = TestDatabase.migrationsFolder
            let name = "gaptrack_svc_template_" + (try TestDatabase.fingerprintOfMigrations())
            let admin = try TestDatabase.adminConnection()
            try admin.query("SELECT pg_advisory_lock(7130512006)")
            defer { _ = try? admin.query("SELECT pg_advisory_unlock(7130512006)") }
            if try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).rows.isEmpty {
                let building = name + "_building"
                try admin.execute("DROP DATABASE IF EXISTS \(quoteIdentifier(building)) WITH (FORCE)")
                try admin.execute("CREATE DATABASE \(quoteIdentifier(building))")
                do {
                    let connection = try PostgresConnection(conninfo: TestDatabase.conninfo(database: building))
                    try MigrationRunner(folder: folder).apply(on: connection)
                }
                try admin.execute("ALTER DATABASE \(quoteIdentifier(building)) RENAME TO \(quoteIdentifier(name))")
            }
            cached = name
            return name
        }
    }
}

/// Valid UPNs for test students: LA 801, establishment 2000, year 05, the given serial, with the
/// check letter computed by the domain's own rule.
func makeUPN(_ serial: Int) -> String {
    let body = "801200005" + String(format: "%03d", serial)
    let letter = UPN.checkLetter(forCharacters2to13: Array(body))!
    return String(letter) + body
}

/// Two schools with students, markers, attendance, assessments, support and an import each, so
/// that every provider-owned table holds rows of both providers.
struct TwoProviders {
    let conninfo: String
    let a: Int
    let b: Int
    /// UPNs of the first students of each provider.
    let studentA: String
    let studentB: String
    /// A's student with a restricted (looked-after) marker and a restricted support record.
    let restrictedStudentA: String

    static func make(conninfo: String) throws -> TwoProviders {
        let connection = try PostgresConnection(conninfo: conninfo)
        try connection.query("SELECT set_config('gaptrack.actor', 'test:fixture', false)")
        func provider(_ code: String, _ urn: String) throws -> Int {
            try connection.query(
                "INSERT INTO providers (code, name, kind, urn, la_code) VALUES ($1, $2, 'school', $3, '801') RETURNING provider_id",
                [code, "School " + code, urn]
            ).single().decode("provider_id")
        }
        let a = try provider("school-a", "100001")
        let b = try provider("school-b", "100002")
        for (provider, offset) in [(a, 0), (b, 100)] {
            let importID: Int = try connection.query(
                """
                INSERT INTO imports (provider_id, kind, file_name, file_sha256, file_bytes, skip_invalid, os_user, started_at, finished_at)
                VALUES ($1, 'students', 'students.csv', repeat('a', 64), 10, false, 'test', now(), now()) RETURNING import_id
                """, [provider]
            ).single().decode("import_id")
            // A closure day in the school calendar (a bank holiday, so no mark is affected) and a
            // support type and funding source of the provider's own.
            try connection.query(
                "INSERT INTO school_calendar (provider_id, kind, date_from, date_to, description) VALUES ($1, 'closure', '2025-05-05', '2025-05-05', 'May Day')",
                [provider])
            try connection.query(
                "INSERT INTO provider_support_types (provider_id, type, display_name) VALUES ($1, 'homework_club', 'Homework club')", [provider])
            try connection.query(
                "INSERT INTO provider_funding_sources (provider_id, funding_source, display_name) VALUES ($1, 'governors_fund', 'Governors'' fund')", [provider])
            for index in 1...3 {
                let studentID: Int = try connection.query(
                    """
                    INSERT INTO students (provider_id, upn, legal_surname, forename, date_of_birth, import_id)
                    VALUES ($1, $2, $3, 'Sam', '2009-05-01', $4) RETURNING student_id
                    """, [provider, makeUPN(offset + index), "Pupil\(offset + index)", importID]
                ).single().decode("student_id")
                try connection.query(
                    "INSERT INTO enrolments (student_id, academic_year, year_group, start_date) VALUES ($1, '2024/25', '11', '2024-09-02')",
                    [studentID])
                try connection.query(
                    "INSERT INTO student_markers (student_id, marker, starts_on, source) VALUES ($1, 'fsm', '2022-09-01', 'spell')", [studentID])
                if index == 1 {
                    try connection.query(
                        "INSERT INTO student_markers (student_id, marker, starts_on, source) VALUES ($1, 'looked_after', '2023-01-01', 'spell')",
                        [studentID])
                    try connection.query(
                        """
                        INSERT INTO support_records (student_id, provider_id, type, starts_on, amount, restricted)
                        VALUES ($1, $2, 'housing_support', '2024-09-10', 120.00, true)
                        """, [studentID, provider])
                }
                try connection.query(
                    """
                    INSERT INTO attendance_marks (student_id, session_date, session, code)
                    VALUES ($1, '2024-09-03', 'AM', '/'), ($1, '2024-09-03', 'PM', 'N')
                    """, [studentID])
                // A re-recorded mark, so that attendance_mark_history has a row too.
                try connection.query(
                    "UPDATE attendance_marks SET code = 'I' WHERE student_id = $1 AND session_date = '2024-09-03' AND session = 'PM'",
                    [studentID])
                try connection.query(
                    """
                    INSERT INTO support_records (student_id, provider_id, reference, type, starts_on, hours, amount, funding_source)
                    VALUES ($1, $2, $3, 'tutoring', '2024-09-09', 10, 250.00, 'pupil_premium')
                    """, [studentID, provider, "TUT-\(offset + index)"])
            }
            let pointID: Int = try connection.query(
                """
                INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term)
                VALUES ($1, 'maths', 'Autumn mock', 'gcse', '2024/25', 'autumn') RETURNING assessment_point_id
                """, [provider]
            ).single().decode("assessment_point_id")
            try connection.query(
                """
                INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on)
                SELECT $1, 'gcse', student_id, 5, '5', '2024-11-20' FROM students WHERE provider_id = $2
                """, [pointID, provider])
            // A web account with an open session (sql/014_web_accounts.sql).
            let accountID: Int = try connection.query(
                """
                INSERT INTO web_accounts (provider_id, email, display_name, role, password_hash)
                VALUES ($1, 'lead@school.example', 'A Lead', 'data_lead', '$2b$04$' || repeat('a', 53)) RETURNING account_id
                """, [provider]
            ).single().decode("account_id")
            let sessionID: Int = try connection.query(
                "INSERT INTO web_sessions (provider_id, account_id, token_hash, expires_at) VALUES ($1, $2, repeat($3, 64), now() + interval '1 hour') RETURNING session_id",
                [provider, accountID, provider == a ? "a" : "b"]
            ).single().decode("session_id")
            // A file the session uploaded and has not yet imported (sql/017_web_imports.sql).
            try connection.query(
                "INSERT INTO web_uploads (provider_id, session_id, file_sha256, kind, file_name, content) VALUES ($1, $2, repeat($3, 64), 'students', 'pupils.csv', 'upn'::bytea)",
                [provider, sessionID, provider == a ? "a" : "b"])
            // The higher-education tables (sql/013_higher_education.sql), so every provider-owned table has rows of both.
            for statement in [
                """
                INSERT INTO he_teaching_periods (provider_id, academic_year, period_code, name, starts_on, ends_on)
                VALUES ($1, '2024/25', 'S1', 'Semester 1', '2024-09-23', '2025-01-24')
                """,
                "INSERT INTO he_courses (provider_id, course_code, title) VALUES ($1, 'BSCBIO', 'Biology')",
                "INSERT INTO he_modules (provider_id, module_code, credits) VALUES ($1, 'BIO101', 20)",
                """
                INSERT INTO he_instances (provider_id, student_id, commenced_on, course_code, mode)
                SELECT $1, min(student_id), '2024-09-23', 'BSCBIO', 'full_time' FROM students WHERE provider_id = $1
                """,
                """
                INSERT INTO he_instance_years (provider_id, student_id, commenced_on, academic_year, mode, year_of_programme)
                SELECT provider_id, student_id, commenced_on, '2024/25', mode, 1 FROM he_instances WHERE provider_id = $1
                """,
            ] {
                try connection.query(statement, [provider])
            }
            // The pupil premium strategy (sql/011_pupil_premium.sql).
            try connection.query(
                "INSERT INTO pupil_premium_budgets (provider_id, academic_year, tier, amount) VALUES ($1, '2024/25', 'wider_strategies', 1000)", [provider])
            try connection.query(
                "INSERT INTO pupil_premium_statement_rows (provider_id, academic_year, section, number, text) VALUES ($1, '2024/25', 'challenge', 1, 'Attendance')",
                [provider])
            try connection.query(
                "INSERT INTO pupil_premium_tier_assignments (provider_id, type, tier) VALUES ($1, 'mentoring', 'targeted_academic_support')", [provider])
            // A pupil group of the provider's own, with one member (sql/012_cohort_views.sql).
            try connection.query("INSERT INTO student_groups (provider_id, code, name) VALUES ($1, 'reading-club', 'Reading club')", [provider])
            try connection.query(
                "INSERT INTO student_group_members (provider_id, code, student_id) SELECT $1, 'reading-club', min(student_id) FROM students WHERE provider_id = $1",
                [provider])
            // A review of the third pupil's tutoring (sql/018_support_targets.sql).
            try connection.query(
                """
                INSERT INTO support_reviews (provider_id, support_id, reviewed_on, reviewer, progress_note)
                SELECT $1, support_id, '2024-10-01', 'Fixture reviewer', 'Settling in.' FROM support_records WHERE provider_id = $1 AND reference = $2
                """, [provider, "TUT-\(offset + 3)"])
            // An application for support (sql/023_support_applications.sql).
            try connection.query(
                """
                INSERT INTO support_applications (provider_id, student_id, funding_source, applied_on, academic_year, decision)
                SELECT $1, min(student_id), 'hardship_fund', '2024-10-01', '2024/25', 'eligible' FROM students WHERE provider_id = $1
                """, [provider])
        }
        // Both in one trust, so that provider_group_members holds rows of each (sql/015_provider_groups.sql).
        let group: Int = try connection.query(
            "INSERT INTO provider_groups (code, name, kind) VALUES ('trust-ab', 'Trust AB', 'trust') RETURNING provider_group_id"
        ).single().decode("provider_group_id")
        try connection.query("INSERT INTO provider_group_members (provider_id, provider_group_id) VALUES ($1, $3), ($2, $3)", [a, b, group])
        return TwoProviders(
            conninfo: conninfo, a: a, b: b, studentA: makeUPN(2), studentB: makeUPN(102), restrictedStudentA: makeUPN(1))
    }

    /// Creates a token through the same code `gaptrack token create` runs.
    func token(_ provider: String, _ role: APIRole, label: String = "test") throws -> String {
        try APITokens(connection: try PostgresConnection(conninfo: conninfo))
            .create(providerCode: try ProviderCode(parsing: provider), role: role, label: label, actor: "test:fixture").token
    }
}

/// Builds the real application on a loopback port against `conninfo`, logged in as the service's
/// own login (`gaptrack_app`), never as the owner that made the fixtures.
func makeApplication(
    conninfo: String, poolSize: Int = 4, maximumQueued: Int = 1024, maximumBodyBytes: Int = 64 * 1024,
    reports: @escaping TermlyReportSource = standardTermlyReports
) -> (some ApplicationProtocol, ServiceDependencies) {
    let serviceConninfo: String
    do { serviceConninfo = try TestDatabase.asServiceLogin(conninfo) } catch { fatalError("the service login cannot be prepared: \(error)") }
    let dependencies = ServiceDependencies(
        configuration: ServiceConfiguration(
            host: "127.0.0.1", port: 0, conninfo: serviceConninfo, poolSize: poolSize, maximumQueued: maximumQueued,
            maximumBodyBytes: maximumBodyBytes),
        reports: reports)
    var logger = Logger(label: "gaptrack.service.test")
    // GAPTRACK_TEST_LOG=debug shows the service's own log while debugging a test.
    logger.logLevel = ProcessInfo.processInfo.environment["GAPTRACK_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
    return (buildApplication(dependencies, logger: logger), dependencies)
}

extension TestClientProtocol {
    /// Sends a request with a bearer token and an optional JSON body (a string, sent as is).
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, json: String? = nil, contentType: String = "application/json"
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = contentType }
        return try await executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body parsed as a JSON object (empty if it is not one).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (object["error"] as? [String: Any])?["message"] as? String }
    var problems: [[String: Any]] { (object["error"] as? [String: Any])?["problems"] as? [[String: Any]] ?? [] }
}

/// Encodes a JSON body from Swift values, so that test strings with quotes and backslashes are
/// escaped correctly.
func json(_ object: [String: Any]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}
