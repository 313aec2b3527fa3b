import Foundation

/// A numbered file in `sql/`, e.g. `003_attendance_reasons.sql` is version 3. Applied once and
/// never changed afterwards: a change to the schema is a new numbered file.
public struct VersionedMigration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    public let fileName: String
}

/// A file in `sql/functions/`: functions that can be replaced at any time, applied again whenever
/// the file's checksum changes.
///
/// Two header lines order it: `-- depends on: a.sql, b.sql` names the definition files whose
/// functions it calls (they are applied first), and `-- after version: N` the numbered file whose
/// tables it needs (default 1, the baseline).
public struct Definition: Sendable, Equatable {
    public let fileName: String
    public let sql: String
    public let dependsOn: [String]
    public let afterVersion: Int

    /// The functions the file creates, read from its `CREATE [OR REPLACE] FUNCTION name(` lines, so
    /// that a definition whose result type or argument names changed can be dropped and re-created.
    public var functionNames: [String] {
        let pattern = /(?i)CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:public\.)?([a-z_][a-z0-9_]*)\s*\(/
        var names: [String] = []
        for match in sql.matches(of: pattern) where !names.contains(String(match.1)) {
            names.append(String(match.1))
        }
        return names
    }
}

/// The schema as files: `sql/NNN_name.sql` (versioned) and `sql/functions/*.sql` (definitions).
public struct SchemaFiles: Sendable {
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    public var definitionsFolder: URL { folder.appendingPathComponent("functions") }

    public func versioned() throws(MigrationError) -> [VersionedMigration] {
        var migrations: [VersionedMigration] = []
        for fileName in try sqlFiles(in: folder) {
            let stem = fileName.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw .badFileName(fileName)
            }
            let sql = try read(fileName, in: folder)
            migrations.append(VersionedMigration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql, fileName: fileName))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw .duplicateVersion(previous.version, previous.fileName, next.fileName)
        }
        return migrations
    }

    /// Every definition file, dependencies before the files that name them (ties by file name).
    public func definitions() throws(MigrationError) -> [Definition] {
        guard FileManager.default.fileExists(atPath: definitionsFolder.path) else { return [] }
        var byName: [String: Definition] = [:]
        for fileName in try sqlFiles(in: definitionsFolder) {
            let sql = try read(fileName, in: definitionsFolder)
            byName[fileName] = Definition(
                fileName: fileName, sql: sql, dependsOn: Self.header("depends on", in: sql),
                afterVersion: try Self.afterVersion(in: sql, fileName: fileName))
        }
        for definition in byName.values {
            if let missing = definition.dependsOn.first(where: { byName[$0] == nil }) {
                throw .missingDependency(fileName: definition.fileName, dependency: missing)
            }
        }
        var ordered: [Definition] = []
        var done: Set<String> = []
        func visit(_ name: String, path: [String]) throws(MigrationError) {
            if done.contains(name) { return }
            if path.contains(name) { throw .dependencyCycle(path + [name]) }
            let definition = byName[name]!
            for dependency in definition.dependsOn.sorted() {
                try visit(dependency, path: path + [name])
            }
            done.insert(name)
            ordered.append(definition)
        }
        for name in byName.keys.sorted() {
            try visit(name, path: [])
        }
        return ordered
    }

    private func sqlFiles(in directory: URL) throws(MigrationError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        } catch {
            throw .folderMissing(directory.path)
        }
    }

    private func read(_ fileName: String, in directory: URL) throws(MigrationError) -> String {
        guard let sql = try? String(contentsOf: directory.appendingPathComponent(fileName), encoding: .utf8) else {
            throw .unreadable(fileName)
        }
        return sql
    }

    /// The comma-separated values of every `-- key: …` line at the top of a file.
    static func header(_ key: String, in sql: String) -> [String] {
        var values: [String] = []
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("--") else { if trimmed.isEmpty { continue } else { break } }
            let text = trimmed.dropFirst(2).trimmingCharacters(in: .whitespaces)
            guard text.lowercased().hasPrefix(key + ":") else { continue }
            values += text.dropFirst(key.count + 1).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return values
    }

    private static func afterVersion(in sql: String, fileName: String) throws(MigrationError) -> Int {
        let values = header("after version", in: sql)
        guard let value = values.last else { return 1 }
        guard let version = Int(value), version > 0 else { throw .badHeader(fileName: fileName, line: "-- after version: \(value)") }
        return version
    }
}
