import Foundation

/// How an import file's column names map onto gaptrack's, so that an MIS export loads without
/// editing.
///
/// A column is found, in this order: an explicit `Their Name=our_name` pair (`--map` or a
/// mapping file); the aliases of the chosen presets, in their order of preference (so that a
/// SIMS export's "Legal Forename" is preferred to its "Forename", the preferred name); a header
/// that is our name ignoring case, spaces and punctuation ("Legal Surname", "LEGAL_SURNAME" and
/// "legal surname" all match `legal_surname`). Columns that match nothing are ignored and
/// listed in the summary, because MIS exports carry many columns gaptrack does not need.
public struct ColumnMapping: Sendable, Hashable {
    /// Built-in alias lists for typical MIS exports (see `MISPresets`).
    public enum Preset: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case sims
        case arbor
        case bromcom
        case scholarpack
        /// A student-record extract with HESA field names, or one from SITS (`StudentRecordsPresets`).
        case hesa
        case sits

        public var description: String { rawValue }
    }

    /// One explicit mapping: the file's column name and gaptrack's.
    public struct Pair: Sendable, Hashable {
        public let theirs: String
        public let ours: String

        public init(theirs: String, ours: String) {
            self.theirs = theirs
            self.ours = ours
        }

        /// Reads `Their Name=our_name` (spaces around either side are ignored).
        public init(parsing text: String) throws(ImportError) {
            guard let equals = text.lastIndex(of: "=") else {
                throw .mapping("column mapping '\(text)' has no '='; write it as 'Their Column Name=our_name', e.g. 'Legal Surname=legal_surname'")
            }
            let theirs = text[..<equals].trimmingCharacters(in: .whitespaces)
            let ours = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !theirs.isEmpty, !ours.isEmpty else {
                throw .mapping("column mapping '\(text)' needs a name on both sides of '=', e.g. 'Legal Surname=legal_surname'")
            }
            self.init(theirs: theirs, ours: ours)
        }
    }

    public var presets: [Preset]
    public var pairs: [Pair]
    public var valueMaps: [ValueMap]
    /// Columns the file lacks, given one value for every row (`--fill 'term=autumn'`): a
    /// marksheet exported for one assessment names its subjects but not the assessment.
    /// Each pair is gaptrack's column name (`ours`) and the value (`theirs`).
    public var fills: [Pair]

    public init(presets: [Preset] = [], pairs: [Pair] = [], valueMaps: [ValueMap] = [], fills: [Pair] = []) {
        self.presets = presets
        self.pairs = pairs
        self.valueMaps = valueMaps
        self.fills = fills
    }

    /// `--fill 'our_name=value'`: gaptrack's column, then the value every row takes.
    public static func fill(parsing text: String) throws(ImportError) -> Pair {
        guard let equals = text.firstIndex(of: "=") else {
            throw .mapping("'\(text)' has no '='; write a filled column as 'our_name=value', e.g. 'term=autumn'")
        }
        let column = text[..<equals].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard !column.isEmpty, !value.isEmpty else {
            throw .mapping("'\(text)' needs a column and a value on either side of '=', e.g. 'term=autumn'")
        }
        return Pair(theirs: value, ours: column)
    }

    /// What a mapping file holds (see `read(fromFile:)`).
    public struct File: Sendable {
        public var pairs: [Pair] = []
        public var valueMaps: [ValueMap] = []
        public var fills: [Pair] = []
        /// The file's shape when the mapping file declares one (`[layout]` then `wide`).
        public var layout: ImportLayout?
    }

    /// Reads a mapping file: one `Their Name=our_name` per line; then optionally a `[values]`
    /// section of value maps `Column:from=to,from=to`, a `[fill]` section of `our_name=value`
    /// lines, and a `[layout]` section whose line is `wide` or `long`; blank lines and lines
    /// starting with `#` are ignored.
    public static func read(fromFile url: URL) throws -> File {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ImportError.mapping("cannot read the mapping file '\(url.path)': \(error.localizedDescription)")
        }
        var file = File()
        var section = ""
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = line.lowercased()
                guard ["[values]", "[fill]", "[layout]"].contains(section) else {
                    throw ImportError.mapping("\(url.lastPathComponent) line \(index + 1): '\(line)' is not a section; use [values], [fill] or [layout]")
                }
                continue
            }
            do {
                switch section {
                case "[values]": file.valueMaps.append(try ValueMap(parsing: line))
                case "[fill]": file.fills.append(try fill(parsing: line))
                case "[layout]":
                    guard let layout = ImportLayout(rawValue: line.lowercased()) else {
                        throw ImportError.mapping("'\(line)' is not a layout; write wide or long")
                    }
                    file.layout = layout
                default: file.pairs.append(try Pair(parsing: line))
                }
            } catch {
                throw ImportError.mapping("\(url.lastPathComponent) line \(index + 1): \(error)")
            }
        }
        return file
    }

    /// The column pairs of a mapping file (see `read(fromFile:)`).
    public static func pairs(fromFile url: URL) throws -> [Pair] {
        try read(fromFile: url).pairs
    }

    /// The matching key of a column name: lower-case letters and digits only.
    static func key(_ name: String) -> String {
        String(String.UnicodeScalarView(name.lowercased().unicodeScalars.filter {
            ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || ($0.value > 127 && $0.properties.isAlphabetic)
        }))
    }

    /// Decides which file column feeds each of gaptrack's columns for a file of `kind`.
    func resolve(header: [String], kind: ImportKind, columns: [ImportColumn]? = nil) throws(ImportError) -> ResolvedColumns {
        let ourNames = (columns ?? kind.columns).map(\.name)
        let headerKeys = header.map(Self.key)
        var chosen: [String: Int] = [:]
        var used = Set<Int>()

        for pair in pairs {
            guard let ours = ourNames.first(where: { Self.key($0) == Self.key(pair.ours) }) else {
                throw .mapping("the mapping '\(pair.theirs)=\(pair.ours)' names '\(pair.ours)', which is not a column of a \(kind) file; "
                    + "its columns are: \(ourNames.joined(separator: ", "))")
            }
            guard let index = headerKeys.firstIndex(of: Self.key(pair.theirs)) else {
                throw .mapping("the mapping '\(pair.theirs)=\(pair.ours)' names the column '\(pair.theirs)', which the file does not have; "
                    + "its columns are: \(header.map { "'\($0)'" }.joined(separator: ", "))")
            }
            if let other = chosen[ours], other != index {
                throw .mapping("two mappings give gaptrack's '\(ours)': '\(header[other])' and '\(header[index])'; keep one")
            }
            if used.contains(index), chosen[ours] != index {
                throw .mapping("the column '\(header[index])' is mapped to two of gaptrack's columns; map it once")
            }
            chosen[ours] = index
            used.insert(index)
        }
        // A preset alias never takes a column that is literally another of gaptrack's names.
        let ourKeys = Set(ourNames.map(Self.key))
        for preset in presets {
            let aliases = MISPresets.aliases(preset, kind: kind)
            for ours in ourNames where chosen[ours] == nil {
                for alias in aliases[ours] ?? [] {
                    if let index = headerKeys.indices.first(where: {
                        headerKeys[$0] == Self.key(alias) && !used.contains($0)
                            && (!ourKeys.contains(headerKeys[$0]) || headerKeys[$0] == Self.key(ours))
                    }) {
                        chosen[ours] = index
                        used.insert(index)
                        break
                    }
                }
            }
        }
        for ours in ourNames where chosen[ours] == nil {
            if let index = headerKeys.indices.first(where: { headerKeys[$0] == Self.key(ours) && !used.contains($0) }) {
                chosen[ours] = index
                used.insert(index)
            }
        }
        let ignored = header.indices.filter { !used.contains($0) && !headerKeys[$0].isEmpty }.map { header[$0] }
        var constants: [String: String] = [:]
        for fill in fills {
            guard let ours = ourNames.first(where: { Self.key($0) == Self.key(fill.ours) }) else {
                throw .mapping("--fill '\(fill.ours)=\(fill.theirs)' names '\(fill.ours)', which is not a column of a \(kind) file; "
                    + "its columns are: \(ourNames.joined(separator: ", "))")
            }
            if let index = chosen[ours] {
                throw .mapping("--fill '\(fill.ours)=\(fill.theirs)' gives '\(ours)', which the file's column '\(header[index])' already gives; keep one")
            }
            constants[ours] = fill.theirs
        }
        var values: [String: [String: String]] = [:]
        for map in valueMaps {
            // gaptrack's name first, then the file's name of a column that feeds one of ours.
            let ours = ourNames.first { Self.key($0) == Self.key(map.column) && chosen[$0] != nil }
                ?? chosen.first { Self.key(header[$0.value]) == Self.key(map.column) }?.key
            guard let ours else {
                throw .mapping("the value map for '\(map.column)' names no column of the file that gaptrack reads; "
                    + "the columns it reads are: \(chosen.values.sorted().map { "'\(header[$0])'" }.joined(separator: ", "))")
            }
            values[ours, default: [:]].merge(map.values) { _, new in new }
        }
        return ResolvedColumns(index: chosen, header: header, ignored: ignored, valueMaps: values, constants: constants)
    }
}

/// Which column of the file feeds each of gaptrack's columns.
struct ResolvedColumns: Sendable {
    /// gaptrack column name -> field index.
    let index: [String: Int]
    /// The file's header as written.
    let header: [String]
    /// File columns that feed nothing.
    var ignored: [String]
    /// gaptrack column name -> the file's values (`ValueMap.key`) -> gaptrack's.
    var valueMaps: [String: [String: String]] = [:]
    /// gaptrack column name -> the value every row takes (`ColumnMapping.fills`).
    var constants: [String: String] = [:]

    /// The file's own name for one of gaptrack's columns (for error messages).
    func fileName(of column: String) -> String {
        index[column].map { header[$0] } ?? column
    }

    func contains(_ column: String) -> Bool { index[column] != nil || constants[column] != nil }

    /// Throws when a required column has no source.
    func requireColumns(of kind: ImportKind, fileName: String) throws(ImportError) {
        try requireColumns(kind.columns, of: kind, fileName: fileName)
    }

    func requireColumns(_ columns: [ImportColumn], of kind: ImportKind, fileName: String) throws(ImportError) {
        let missing = columns.filter { $0.isRequired && !contains($0.name) }.map(\.name)
        if !missing.isEmpty {
            throw .missingColumns(fileName: fileName, kind: kind, missing: missing, found: header)
        }
    }
}
