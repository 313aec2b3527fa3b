import Foundation

/// The subject-access document (docs/data-protection.md §5) as one self-contained HTML page a
/// person can read: every section of the JSON in the same order, arrays of records as tables,
/// nothing fetched from elsewhere (no scripts, no external styles or fonts).
public enum SubjectAccessPage {
    /// A JSON value as decoded strictly (JSONDecoder), so that true and 1 stay apart.
    indirect enum Value: Decodable {
        case null, bool(Bool), number(Decimal), string(String), array([Value]), object([String: Value])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let bool = try? container.decode(Bool.self) { self = .bool(bool) }
            else if let number = try? container.decode(Decimal.self) { self = .number(number) }
            else if let string = try? container.decode(String.self) { self = .string(string) }
            else if let array = try? container.decode([Value].self) { self = .array(array) }
            else { self = .object(try container.decode([String: Value].self)) }
        }

        subscript(key: String) -> Value? {
            if case .object(let object) = self { return object[key] }
            return nil
        }

        /// The value as a person reads it in a table cell.
        var text: String {
            switch self {
            case .null: return ""
            case .bool(let bool): return bool ? "yes" : "no"
            case .number(let number): return "\(number)"
            case .string(let string): return string
            case .array(let items): return items.map(\.text).joined(separator: "; ")
            case .object(let object): return object.keys.sorted().map { "\($0): \(object[$0]!.text)" }.joined(separator: ", ")
            }
        }
    }

    /// The sections in reading order, with their headings; anything else in the document follows
    /// under its own key, so nothing held is left off the page.
    static let sections: [(path: [String], heading: String)] = [
        (["provider"], "Provider"), (["student"], "Student"), (["legal_hold"], "Legal hold"),
        (["enrolments"], "Enrolments"), (["markers"], "Markers (with dates and sources)"),
        (["attendance", "summary"], "Attendance by academic year"), (["attendance", "marks"], "Attendance marks"),
        (["attendance", "replaced_marks"], "Replaced attendance marks"), (["results"], "Assessment results"),
        (["support"], "Support and interventions"), (["support_spend"], "Support spend (£)"),
        (["audit_entries"], "Audit log entries about this student"), (["imports"], "Import files the records came from"),
    ]

    public static func render(json: Data) throws -> String {
        let document = try JSONDecoder().decode(Value.self, from: json)
        guard case .object(let top) = document else { throw CocoaError(.coderReadCorrupt) }
        let studentName = [document["student"]?["forename"]?.text, document["student"]?["legal_surname"]?.text]
            .compactMap { $0 }.joined(separator: " ")
        var html = """
            <!DOCTYPE html>
            <html lang="en-GB"><head><meta charset="utf-8">
            <title>Everything held on \(escape(studentName))</title>
            <style>body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;margin-bottom:1.5em}
            th,td{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top;font-size:.9em}th{background:#eee}
            h2{margin-top:1.5em}</style></head><body>
            <h1>Everything held on \(escape(studentName))</h1>
            <p>\(escape(document["format"]?.text ?? "")). A subject access export under UK GDPR Article 15.</p>

            """
        var shown: Set<String> = ["format"]
        for (path, heading) in sections {
            shown.insert(path[0])
            html += "<h2>\(escape(heading))</h2>\n" + block(path.reduce(Optional(document)) { $0?[$1] })
        }
        if case .object(let attendance)? = document["attendance"] {
            for key in attendance.keys.sorted() where !["summary", "marks", "replaced_marks"].contains(key) {
                html += "<h2>Attendance: \(escape(key))</h2>\n" + block(attendance[key])
            }
        }
        for key in top.keys.sorted() where !shown.contains(key) {
            html += "<h2>\(escape(key))</h2>\n" + block(top[key])
        }
        return html + "</body></html>\n"
    }

    static func block(_ value: Value?) -> String {
        switch value {
        case .array(let items)? where items.isEmpty:
            return "<p>None held.</p>\n"
        case .array(let items)?:
            let records = items.compactMap { item -> [String: Value]? in
                if case .object(let object) = item { return object }
                return nil
            }
            guard records.count == items.count else { return "<p>\(escape(Value.array(items).text))</p>\n" }
            let columns = Array(Set(records.flatMap(\.keys))).sorted()
            let header = "<tr>" + columns.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
            let rows = records.map { record in "<tr>" + columns.map { "<td>\(escape(record[$0]?.text ?? ""))</td>" }.joined() + "</tr>\n" }
            return "<table>\n\(header)\(rows.joined())</table>\n"
        case .object(let object)?:
            let rows = object.keys.sorted().map { "<tr><th>\(escape($0))</th><td>\(escape(object[$0]!.text))</td></tr>\n" }
            return "<table>\n\(rows.joined())</table>\n"
        case nil, .null?:
            return "<p>None held.</p>\n"
        case let other?:
            return "<p>\(escape(other.text))</p>\n"
        }
    }

    static func escape(_ text: String) -> String { HTML.escape(text) }
}
