import Foundation

/// The subject-access document (docs/data-protection.md §5) as one self-contained HTML page a
/// person can read: every section of the JSON in the same order, arrays of records as tables,
/// nothing fetched from elsewhere (no scripts, no external styles or fonts).
public enum SubjectAccessPage {
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
        guard let document = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt)
        }
        let studentName = (document["student"] as? [String: Any]).map { "\($0["forename"] ?? "") \($0["legal_surname"] ?? "")" } ?? ""
        var html = """
            <!DOCTYPE html>
            <html lang="en-GB"><head><meta charset="utf-8">
            <title>Everything held on \(escape(studentName))</title>
            <style>body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;margin-bottom:1.5em}
            th,td{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top;font-size:.9em}th{background:#eee}
            h2{margin-top:1.5em}</style></head><body>
            <h1>Everything held on \(escape(studentName))</h1>
            <p>\(escape(document["format"] as? String ?? "")). A subject access export under UK GDPR Article 15.</p>

            """
        var shown: Set<String> = ["format"]
        for (path, heading) in sections {
            shown.insert(path[0])
            html += "<h2>\(escape(heading))</h2>\n" + block(value(at: path, in: document))
        }
        if let attendance = document["attendance"] as? [String: Any] {
            for key in attendance.keys.sorted() where !["summary", "marks", "replaced_marks"].contains(key) {
                html += "<h2>Attendance: \(escape(key))</h2>\n" + block(attendance[key])
            }
        }
        for key in document.keys.sorted() where !shown.contains(key) {
            html += "<h2>\(escape(key))</h2>\n" + block(document[key])
        }
        return html + "</body></html>\n"
    }

    static func value(at path: [String], in document: [String: Any]) -> Any? {
        var current: Any? = document
        for key in path { current = (current as? [String: Any])?[key] }
        return current
    }

    static func block(_ value: Any?) -> String {
        switch value {
        case let records as [[String: Any]]:
            guard !records.isEmpty else { return "<p>None held.</p>\n" }
            let columns = Array(Set(records.flatMap(\.keys))).sorted()
            let header = "<tr>" + columns.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
            let rows = records.map { record in "<tr>" + columns.map { "<td>\(escape(text(record[$0])))</td>" }.joined() + "</tr>\n" }
            return "<table>\n\(header)\(rows.joined())</table>\n"
        case let array as [Any]:
            return array.isEmpty ? "<p>None held.</p>\n" : "<p>\(escape(text(array)))</p>\n"
        case let object as [String: Any]:
            let rows = object.keys.sorted().map { "<tr><th>\(escape($0))</th><td>\(escape(text(object[$0])))</td></tr>\n" }
            return "<table>\n\(rows.joined())</table>\n"
        case nil, is NSNull:
            return "<p>None held.</p>\n"
        default:
            return "<p>\(escape(text(value)))</p>\n"
        }
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return ""
        case let string as String: return string
        case let number as NSNumber: return number.stringValue
        default:
            guard let value, JSONSerialization.isValidJSONObject(value),
                  let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "\(value ?? "")" }
            return String(decoding: data, as: UTF8.self)
        }
    }

    static func escape(_ text: String) -> String { HTML.escape(text) }
}
