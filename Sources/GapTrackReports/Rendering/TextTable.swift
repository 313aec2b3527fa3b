/// A plain-text table with aligned columns, for terminals (monospaced fonts).
///
/// Widths are counted in Characters; every character the report prints (ASCII, "£", "–", "÷")
/// takes one terminal column.
struct TextTable {
    enum Alignment { case left, right }

    struct Column {
        var title: String
        var alignment: Alignment
        init(_ title: String, _ alignment: Alignment = .right) {
            self.title = title
            self.alignment = alignment
        }
    }

    var columns: [Column]
    var rows: [[String]] = []
    /// Row indices before which a light rule is drawn (a new family of groups).
    var rulesBefore: Set<Int> = []

    init(_ columns: [Column]) {
        self.columns = columns
    }

    mutating func add(_ row: [String], ruleBefore: Bool = false) {
        precondition(row.count == columns.count, "a table row needs one cell per column")
        if ruleBefore, !rows.isEmpty { rulesBefore.insert(rows.count) }
        rows.append(row)
    }

    /// The table as lines no wider than `maxWidth` where possible: when the columns are too wide,
    /// the first column (names, which are left-aligned) is narrowed and its text wrapped onto
    /// further lines.
    func render(indent: String = "  ", maxWidth: Int = 100) -> String {
        var widths = columns.map(\.title.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        let natural = indent.count + widths.reduce(0, +) + 2 * (widths.count - 1)
        if natural > maxWidth, columns[0].alignment == .left {
            widths[0] = max(12, widths[0] - (natural - maxWidth))
        }
        func lines(_ cells: [String]) -> [String] {
            let first = wrapWords(cells[0], width: widths[0])
            var out = [String]()
            for (lineIndex, firstPart) in first.enumerated() {
                var parts = [String]()
                for (index, cell) in cells.enumerated() {
                    let text = index == 0 ? firstPart : (lineIndex == 0 ? cell : "")
                    let padding = String(repeating: " ", count: max(0, widths[index] - text.count))
                    parts.append(columns[index].alignment == .left ? text + padding : padding + text)
                }
                var text = indent + parts.joined(separator: "  ")
                while text.hasSuffix(" ") { text.removeLast() }
                out.append(text)
            }
            return out
        }
        let totalWidth = widths.reduce(0, +) + 2 * (widths.count - 1)
        var output = lines(columns.map(\.title)) + [indent + String(repeating: "-", count: totalWidth)]
        for (index, row) in rows.enumerated() {
            if rulesBefore.contains(index) { output.append(indent + String(repeating: "·", count: totalWidth)) }
            output += lines(row)
        }
        return output.joined(separator: "\n") + "\n"
    }
}

/// Splits `text` into lines of at most `width` characters at spaces (a longer word is cut).
func wrapWords(_ text: String, width: Int) -> [String] {
    guard text.count > width else { return [text] }
    var lines = [String]()
    var current = ""
    for word in text.split(separator: " ") {
        var word = Substring(word)
        if current.isEmpty {
            while word.count > width {
                lines.append(String(word.prefix(width)))
                word = word.dropFirst(width)
            }
            current = String(word)
        } else if current.count + 1 + word.count <= width {
            current += " " + word
        } else {
            lines.append(current)
            current = ""
            while word.count > width {
                lines.append(String(word.prefix(width)))
                word = word.dropFirst(width)
            }
            current = String(word)
        }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
}

/// Wraps running text at `width` columns on spaces, for notes under terminal tables.
func wrapText(_ text: String, width: Int, indent: String = "  ", hangingIndent: String? = nil) -> String {
    var lines = [String]()
    var current = indent
    let continuation = hangingIndent ?? indent
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        let prefixLength = lines.isEmpty ? indent.count : continuation.count
        if current.count > prefixLength, current.count + 1 + word.count > width {
            lines.append(current)
            current = continuation + word
        } else {
            current += (current.count > prefixLength ? " " : "") + word
        }
    }
    lines.append(current)
    return lines.joined(separator: "\n") + "\n"
}
