/// Values of one column that an export writes in its own codes, mapped to gaptrack's
/// (`--map-values 'SEN Provisions:K - SEN Support=K,E - EHC Plan=E'`, or a mapping file's
/// `[values]` section), so a code list (a MIS's SEN descriptions, HESA's leaving reasons) loads
/// without editing the file (docs/import-formats.md, "Value maps").
///
/// Values are compared ignoring case and surrounding spaces. A value the map does not list is
/// passed on unchanged, so the column's own check still refuses it naming line, column and value;
/// mapping to nothing (`Not known=`) makes the field blank.
public struct ValueMap: Sendable, Hashable {
    /// The file's column name, or gaptrack's.
    public let column: String
    /// From (lower-cased, trimmed) to gaptrack's value.
    public let values: [String: String]

    public init(column: String, values: [String: String]) {
        self.column = column
        self.values = Dictionary(values.map { (Self.key($0.key), $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Reads `column:from=to,from=to`.
    public init(parsing text: String) throws(ImportError) {
        let example = "write it as 'Column:from=to,from=to', e.g. 'FSM:T=Y,F=N'"
        guard let colon = text.firstIndex(of: ":") else {
            throw .mapping("value map '\(text.prefix(60))' has no ':' after the column name; \(example)")
        }
        let column = text[..<colon].trimmingCharacters(in: .whitespaces)
        guard !column.isEmpty else { throw .mapping("value map '\(text.prefix(60))' names no column; \(example)") }
        var values: [String: String] = [:]
        // A comma inside a value ("E - Education, Health and Care Plan=E") belongs to the pair:
        // a piece without '=' joins the piece after it.
        var pairs: [String] = []
        var pending = ""
        for piece in text[text.index(after: colon)...].split(separator: ",", omittingEmptySubsequences: false) {
            pending += pending.isEmpty ? String(piece) : "," + piece
            if piece.contains("=") {
                pairs.append(pending)
                pending = ""
            }
        }
        if !pending.trimmingCharacters(in: .whitespaces).isEmpty { pairs.append(pending) }
        for pair in pairs {
            guard let equals = pair.lastIndex(of: "=") else {
                throw .mapping("value map for '\(column)': '\(pair.prefix(60))' has no '='; \(example)")
            }
            let from = Self.key(String(pair[..<equals]))
            guard !from.isEmpty else { throw .mapping("value map for '\(column)': '\(pair.prefix(60))' has nothing before '='; \(example)") }
            if let earlier = values[from], earlier != pair[pair.index(after: equals)...].trimmingCharacters(in: .whitespaces) {
                throw .mapping("value map for '\(column)' maps '\(from)' twice ('\(earlier)' and '\(pair[pair.index(after: equals)...])'); keep one")
            }
            values[from] = pair[pair.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        guard !values.isEmpty else { throw .mapping("value map for '\(column)' maps no values; \(example)") }
        self.init(column: column, values: values)
    }

    static func key(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
