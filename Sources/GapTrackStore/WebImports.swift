import Foundation
import GapTrackDomain
import Postgres

/// Who writes an import's ledger row. `gaptrack import` runs as the schema owner and writes it
/// directly; the web pages run as gaptrack_service, which may not write the ledger
/// (sql/003_least_privilege.sql), so they go through the door of sql/functions/web_imports.sql,
/// which takes the provider and the person from the transaction's bound scope
/// (docs/security.md §6, "Uploads").
public enum ImportLedgerDoor: Sendable, Equatable {
    case owner
    case webSession

    func open(kind: ImportKind, providerID: Int, fileName: String, sha256: String, bytes: Int64, skipInvalid: Bool,
              operatingSystemUser: String, startedAt: Date, connection: PostgresConnection) throws -> Int {
        switch self {
        case .owner:
            return try ImportLedger.open(
                kind: kind, providerID: providerID, fileName: fileName, sha256: sha256, bytes: bytes, skipInvalid: skipInvalid,
                operatingSystemUser: operatingSystemUser, startedAt: startedAt, connection: connection)
        case .webSession:
            return try connection.query(
                "SELECT web_import_open($1::import_kind, $2, $3, $4, $5) AS import_id",
                [kind.rawValue, fileName, sha256, bytes, skipInvalid]
            ).single().decode("import_id")
        }
    }

    func close(importID: Int, rowsRead: Int, inserted: Int, updated: Int, unchanged: Int, rejected: Int,
               connection: PostgresConnection) throws {
        switch self {
        case .owner:
            try ImportLedger.close(
                importID: importID, rowsRead: rowsRead, inserted: inserted, updated: updated, unchanged: unchanged, rejected: rejected,
                connection: connection)
        case .webSession:
            try connection.query(
                "SELECT web_import_close($1, $2, $3, $4, $5, $6)", [importID, rowsRead, inserted, updated, unchanged, rejected])
        }
    }
}

/// The files a data lead uploaded in the web pages (`web_uploads`, sql/017_web_imports.sql), kept
/// by session and checksum from the dry run until the import is confirmed, so that what is
/// imported is exactly what was checked.
public struct WebUploads {
    /// The kinds the web pages import. Attendance merges into the marks (the service role creates
    /// no term partition: `ImportContext.mayCreateTables`); a CTF and a student-record extract are
    /// large files of their own and stay with `gaptrack import`.
    public static let kinds: [ImportKind] = [.students, .markers, .attendance, .assessments, .support, .calendar]

    /// An uploaded file with the options it was checked with.
    public struct Upload: Sendable, Equatable {
        public let sha256: String
        public let kind: ImportKind
        public let fileName: String
        public let preset: ColumnMapping.Preset?
        public let skipInvalid: Bool
        public let content: [UInt8]

        public init(kind: ImportKind, fileName: String, preset: ColumnMapping.Preset?, skipInvalid: Bool, content: [UInt8]) {
            self.sha256 = SHA256.hexDigest(of: content)
            self.kind = kind
            self.fileName = fileName
            self.preset = preset
            self.skipInvalid = skipInvalid
            self.content = content
        }

        fileprivate init(sha256: String, kind: ImportKind, fileName: String, preset: ColumnMapping.Preset?, skipInvalid: Bool,
                         content: [UInt8]) {
            self.sha256 = sha256
            self.kind = kind
            self.fileName = fileName
            self.preset = preset
            self.skipInvalid = skipInvalid
            self.content = content
        }
    }

    let connection: PostgresConnection
    let providerID: Int
    let sessionID: Int

    public init(connection: PostgresConnection, providerID: Int, sessionID: Int) {
        self.connection = connection
        self.providerID = providerID
        self.sessionID = sessionID
    }

    /// Keeps the file for this session; the same file uploaded again keeps the newest options.
    public func keep(_ upload: Upload) throws {
        try connection.query(
            """
            INSERT INTO web_uploads (provider_id, session_id, file_sha256, kind, file_name, preset, skip_invalid, content)
            VALUES ($1, $2, $3, $4::import_kind, $5, $6, $7, decode($8, 'hex'))
            ON CONFLICT (provider_id, session_id, file_sha256) DO UPDATE
            SET kind = excluded.kind, file_name = excluded.file_name, preset = excluded.preset,
                skip_invalid = excluded.skip_invalid, uploaded_at = now()
            """,
            [providerID, sessionID, upload.sha256, upload.kind.rawValue, upload.fileName, upload.preset?.rawValue, upload.skipInvalid,
             Self.hex(upload.content)])
    }

    /// This session's upload with that checksum, or nil (another session's, or none).
    public func find(sha256: String) throws -> Upload? {
        guard sha256.utf8.count == 64, sha256.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        return try connection.query(
            """
            SELECT file_sha256, kind::text AS kind, file_name, preset, skip_invalid, encode(content, 'hex') AS content
            FROM web_uploads WHERE provider_id = $1 AND session_id = $2 AND file_sha256 = $3
            """, [providerID, sessionID, sha256]
        ).rows.first.map { row in
            Upload(
                sha256: try row.decode("file_sha256"), kind: ImportKind(rawValue: try row.decode("kind")) ?? .students,
                fileName: try row.decode("file_name"),
                preset: try row.decode("preset", as: String?.self).flatMap(ColumnMapping.Preset.init(rawValue:)),
                skipInvalid: try row.decode("skip_invalid"), content: Self.bytes(hex: try row.decode("content")))
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(hex: String) -> [UInt8] {
        func value(_ digit: UInt8) -> UInt8 { digit <= 57 ? digit - 48 : digit - 87 }
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
    }
}

/// An uploaded file imported in the caller's scoped transaction (a data lead's web session):
/// the rows by the session's own role under row-level security, the ledger row through the door.
public struct WebImport {
    /// What a check or an import came to.
    public enum Outcome: Sendable {
        /// The counts the import would write (a dry run) or wrote.
        case counted(ImportSummary)
        /// Nothing was or would be written; why, as `gaptrack import` prints it.
        case refused(ImportError)
    }

    let connection: PostgresConnection
    let provider: ProviderCode

    public init(connection: PostgresConnection, provider: ProviderCode) {
        self.connection = connection
        self.provider = provider
    }

    /// Runs the import of `upload`, or only its dry run. The file is written to a private folder
    /// for the importer to stream (and removed after); a failed import writes nothing, because
    /// the importer's own transaction is a savepoint of the caller's that it rolls back.
    public func run(_ upload: WebUploads.Upload, dryRun: Bool, maxErrorsShown: Int = 100, actor: String) throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-upload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(upload.fileName)
        try Data(upload.content).write(to: url)
        let options = ImportOptions(
            mapping: ColumnMapping(presets: upload.preset.map { [$0] } ?? []), skipInvalid: upload.skipInvalid,
            rejectsURL: folder.appendingPathComponent("rejects.csv"), replaceRejects: true, dryRun: dryRun,
            maxErrorsShown: maxErrorsShown, operatingSystemUser: actor)
        do {
            return .counted(try Importer(connection: connection, ledgerDoor: .webSession).importFile(
                kind: upload.kind, url: url, provider: provider, options: options))
        } catch let error as ImportError {
            return .refused(error)
        }
    }
}

extension WebImport {
    /// A dry run as the upload page shows it: the counts the import would write, and, when rows
    /// are invalid, each problem by line and column (with skip-invalid the counts leave those rows
    /// out, and the problems say which they are).
    public struct Check: Sendable {
        public let outcome: Outcome
        public let problems: [RowError]
        public let totalProblems: Int
    }

    public func check(_ upload: WebUploads.Upload, actor: String) throws -> Check {
        let outcome = try run(upload, dryRun: true, actor: actor)
        var strict = outcome
        if upload.skipInvalid, case .counted(let summary) = outcome, summary.rejected > 0 {
            strict = try run(
                WebUploads.Upload(kind: upload.kind, fileName: upload.fileName, preset: upload.preset, skipInvalid: false, content: upload.content),
                dryRun: true, actor: actor)
        }
        if case .refused(.invalidRows(_, let shown, let total, _, _)) = strict {
            return Check(outcome: outcome, problems: shown, totalProblems: total)
        }
        return Check(outcome: outcome, problems: [], totalProblems: 0)
    }

    /// The pupils whose rows import `importID` inserted or changed (each table an import writes
    /// names the import that last changed a row), by surname; at most `limit`.
    public func pupilsChanged(by importID: Int, providerID: Int, limit: Int = 50) throws -> [PupilSearch.Pupil] {
        try connection.query(
            """
            SELECT s.student_id, coalesce(s.upn, s.uln, s.institution_id, s.hesa_id) AS identifier, s.forename, s.legal_surname
            FROM students s
            WHERE s.provider_id = $1
              AND (s.import_id = $2
                   OR EXISTS (SELECT FROM enrolments e WHERE e.provider_id = s.provider_id AND e.student_id = s.student_id AND e.import_id = $2)
                   OR EXISTS (SELECT FROM student_markers m WHERE m.provider_id = s.provider_id AND m.student_id = s.student_id AND m.import_id = $2)
                   OR EXISTS (SELECT FROM assessment_results r WHERE r.provider_id = s.provider_id AND r.student_id = s.student_id AND r.import_id = $2)
                   OR EXISTS (SELECT FROM support_records r WHERE r.provider_id = s.provider_id AND r.student_id = s.student_id AND r.import_id = $2))
            ORDER BY s.legal_surname, s.forename, s.student_id
            LIMIT $3
            """, [providerID, importID, limit]
        ).rows.map { row in
            PupilSearch.Pupil(
                studentID: try row.decode("student_id"), identifier: try row.decode("identifier"), forename: try row.decode("forename"),
                surname: try row.decode("legal_surname"), yearGroup: nil, markers: [])
        }
    }
}
