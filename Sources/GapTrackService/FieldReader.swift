import Foundation
import GapTrackDomain
import GapTrackStore

/// Reads and checks the fields of one JSON object, collecting a `FieldProblem` for each bad
/// field instead of stopping at the first. The messages are the domain types' own (the same
/// as the CSV imports give), with the field's JSON path in place of the file's line and column.
struct FieldReader {
    let object: [String: JSONValue]
    /// The object's own path, e.g. `marks[3]`; nil for the top level.
    let path: String?
    private(set) var problems: [FieldProblem] = []

    init(_ object: [String: JSONValue], path: String? = nil) {
        self.object = object
        self.path = path
    }

    func name(_ key: String) -> String { path.map { "\($0).\(key)" } ?? key }

    mutating func report(_ key: String, _ value: JSONValue?, _ message: String) {
        problems.append(FieldProblem(field: name(key), value: value.map { TextLimit.quoted($0.shown) }, message: message))
    }

    mutating func absorb(_ other: FieldReader) {
        problems.append(contentsOf: other.problems)
    }

    /// Whether the key is present at all (even as null): PATCH tells "leave alone" from "clear".
    func has(_ key: String) -> Bool { object[key] != nil }

    func isNull(_ key: String) -> Bool { object[key] == .null }

    /// A non-blank string, trimmed, within its field's `TextLimit` (the same as the imports').
    /// Required fields report a missing or null value.
    mutating func text(_ key: String, required: Bool = false) -> String? {
        switch object[key] {
        case nil, .null?:
            if required { report(key, object[key], "is required") }
            return nil
        case .string(let raw)?:
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty {
                report(key, object[key], required ? "is required and must not be blank" : "must not be blank; leave it out or send null")
                return nil
            }
            if let problem = TextLimit.of(key).problem(trimmed) {
                report(key, nil, problem)
                return nil
            }
            return trimmed
        case let other?:
            report(key, other, "should be a string, not \(other.kind)")
            return nil
        }
    }

    /// A value checked by one of the rules the imports share, given as a JSON string or number
    /// (a number is read as its plain decimal text, as a CSV field would carry it).
    mutating func checked<Value>(
        _ key: String, required: Bool = false, _ check: (String) throws(FieldProblem) -> Value
    ) -> Value? {
        let text: String
        switch object[key] {
        case .number(let value)?: text = JSONValue.plain(value)
        case nil, .null?, .string?: guard let given = self.text(key, required: required) else { return nil }; text = given
        case let other?:
            report(key, other, "should be a string or a number, not \(other.kind)")
            return nil
        }
        do {
            return try check(text)
        } catch {
            report(key, .string(text), error.message)
            return nil
        }
    }

    mutating func bool(_ key: String) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?:
            report(key, other, "should be true or false")
            return nil
        }
    }

    /// An array of objects, each read by `read` with its own path (`marks[3]`); nil unless every
    /// one of them was read without a problem.
    mutating func objects<Item>(
        _ key: String, maximumCount: Int, fields: Set<String>, _ read: (inout FieldReader) -> Item?
    ) -> [Item]? {
        guard case .array(let values)? = object[key] else {
            report(key, object[key], object[key] == nil ? "is required" : "should be an array of objects")
            return nil
        }
        if values.isEmpty {
            report(key, nil, "is empty; send at least one")
            return nil
        }
        if values.count > maximumCount {
            report(key, nil, "has \(values.count) entries; send at most \(maximumCount) per request")
            return nil
        }
        var items: [Item] = []
        for (index, value) in values.enumerated() {
            let itemPath = "\(name(key))[\(index)]"
            guard case .object(let itemObject) = value else {
                problems.append(FieldProblem(field: itemPath, value: value.shown, message: "should be an object"))
                continue
            }
            for unknown in Set(itemObject.keys).subtracting(fields).sorted() {
                problems.append(FieldProblem(
                    field: "\(itemPath).\(unknown)", value: nil,
                    message: "is not a field here; the fields are: \(fields.sorted().joined(separator: ", "))"))
            }
            var reader = FieldReader(itemObject, path: itemPath)
            let item = read(&reader)
            absorb(reader)
            if let item { items.append(item) }
        }
        // Only a complete list, so that positions in it are the positions in the request.
        return items.count == values.count && problems.isEmpty ? items : nil
    }

    /// Throws every problem found, if any.
    func finish() throws(APIError) {
        if !problems.isEmpty { throw .invalidFields(problems) }
    }
}
