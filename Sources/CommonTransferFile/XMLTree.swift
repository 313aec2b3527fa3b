import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One element of a parsed file: its name, its own text, where it starts, and its children.
/// The whole file is held, because a CTF is small (a school's leavers, a few megabytes) and
/// reading it as a tree lets every error name the element's full path.
struct XMLElementNode: Sendable {
    let name: String
    var text: String
    let line: Int
    let column: Int
    var children: [XMLElementNode]

    /// The children called `name`, in file order.
    func all(_ name: String) -> [XMLElementNode] { children.filter { $0.name == name } }

    /// The first child called `name`.
    func first(_ name: String) -> XMLElementNode? { children.first { $0.name == name } }
}

/// The limits that keep a hostile or broken file from exhausting memory (docs/import-formats.md,
/// "Common Transfer File"): a size cap, a nesting cap, and no document type declaration at all, so
/// neither entity expansion ("billion laughs") nor external entities can happen.
public struct CTFLimits: Sendable, Hashable {
    /// 64 MiB: a CTF of a whole secondary school's roll is a few megabytes.
    public var maximumBytes: Int = 64 * 1024 * 1024
    /// The CTF nests about eight deep (CTfile/CTFpupilData/Pupil/StageAssessments/KeyStage/StageAssessment/Result).
    public var maximumDepth: Int = 32

    public init(maximumBytes: Int = 64 * 1024 * 1024, maximumDepth: Int = 32) {
        self.maximumBytes = maximumBytes
        self.maximumDepth = maximumDepth
    }
}

/// Builds the tree with Foundation's XMLParser, with external entities off.
final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    private var stack: [XMLElementNode] = []
    private var root: XMLElementNode?
    private var limitError: CTFError?
    /// Where the parser was when it first reported an error: after it gives up, its position is
    /// the end of what it read, which is not where the fault is.
    private var errorPosition: (line: Int, column: Int, reason: String)?
    private let limits: CTFLimits

    private init(limits: CTFLimits) {
        self.limits = limits
    }

    /// Parses `data` into its root element, or throws `CTFError` (malformed, too large, too deep,
    /// or with a document type declaration).
    static func parse(_ data: Data, limits: CTFLimits) throws(CTFError) -> XMLElementNode {
        guard data.count <= limits.maximumBytes else {
            throw .tooLarge(bytes: data.count, limit: limits.maximumBytes)
        }
        if let line = doctypeLine(in: data) { throw .documentTypeDeclaration(line: line) }
        if let line = processingInstructionLine(in: data) { throw .processingInstruction(line: line) }
        if let position = firstInvalidUTF8(in: data) { throw .notUTF8(line: position.line, column: position.column) }
        let builder = XMLTreeBuilder(limits: limits)
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.delegate = builder
        let parsed = parser.parse()
        if let limitError = builder.limitError { throw limitError }
        guard parsed, let root = builder.root else {
            if let position = builder.errorPosition {
                throw .malformed(line: position.line, column: position.column, reason: position.reason)
            }
            let message = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "the file ended before its root element closed"
            throw .malformed(line: parser.lineNumber, column: parser.columnNumber, reason: message)
        }
        return root
    }

    /// Where the first byte that is not UTF-8 is, if any. A CTF is UTF-8, and Foundation's
    /// XMLParser on Linux stops the whole process on an element name that is not (found by
    /// Fuzz/run.sh ctf), so the bytes are checked before the parser sees them.
    static func firstInvalidUTF8(in data: Data) -> (line: Int, column: Int)? {
        var line = 1
        var column = 1
        var iterator = data.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
            case .emptyInput:
                return nil
            case .error:
                return (line, column)
            }
        }
    }

    /// The line of the first processing instruction other than the XML declaration, if any. A CTF
    /// has none, and Foundation's XMLParser on Linux crashes the process on one without data
    /// (`<?xm?>`, found by Fuzz/run.sh ctf), so they are refused before the parser sees them.
    /// Comments and CDATA sections are skipped: a `<?` inside them is text.
    static func processingInstructionLine(in data: Data) -> Int? {
        let bytes = [UInt8](data)
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func matches(_ text: String, at index: Int) -> Bool {
            let marker = Array(text.utf8)
            return index + marker.count <= bytes.count && bytes[index..<(index + marker.count)].elementsEqual(marker)
        }
        func skip(to end: String, from index: Int, line: inout Int) -> Int {
            var at = index
            while at < bytes.count, !matches(end, at: at) {
                if bytes[at] == UInt8(ascii: "\n") { line += 1 }
                at += 1
            }
            return at + end.utf8.count
        }
        var line = 1
        var index = start
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            if matches("<!--", at: index) {
                index = skip(to: "-->", from: index + 4, line: &line)
                continue
            }
            if matches("<![CDATA[", at: index) {
                index = skip(to: "]]>", from: index + 9, line: &line)
                continue
            }
            if matches("<?", at: index) {
                let isDeclaration = index == start && matches("<?xml", at: index) && index + 5 < bytes.count
                    && [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")].contains(bytes[index + 5])
                guard isDeclaration else { return line }
                // The declaration runs to its first "?>" and holds no markup. One with a "<"
                // before it (an unclosed declaration, as `<?xml version="1.0<x><?xm?>`) is refused
                // here too: the parser reads such a file differently and reaches the inner one.
                let declarationLine = line
                let end = skip(to: "?>", from: index + 2, line: &line)
                if bytes[(index + 2)..<min(end, bytes.count)].contains(UInt8(ascii: "<")) {
                    return declarationLine
                }
                index = end
                continue
            }
            index += 1
        }
        return nil
    }

    /// The line of a `<!DOCTYPE`, if the file has one. A CTF never does; refusing it outright is
    /// simpler and safer than trusting every parser setting to stop entity expansion.
    private static func doctypeLine(in data: Data) -> Int? {
        let marker = Array("<!DOCTYPE".utf8)
        let bytes = [UInt8](data)
        guard bytes.count >= marker.count else { return nil }
        var line = 1
        for index in 0...(bytes.count - marker.count) {
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            if bytes[index] == marker[0] && Array(bytes[index..<(index + marker.count)]) == marker { return line }
        }
        return nil
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        guard stack.count < limits.maximumDepth else {
            let path = (stack.map(\.name) + [elementName]).joined(separator: "/")
            limitError = .tooDeep(path: path, line: parser.lineNumber, limit: limits.maximumDepth)
            parser.abortParsing()
            return
        }
        stack.append(XMLElementNode(name: elementName, text: "", line: parser.lineNumber, column: parser.columnNumber, children: []))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard var element = stack.popLast() else { return }
        element.text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard errorPosition == nil else { return }
        errorPosition = (parser.lineNumber, parser.columnNumber, Self.reason(parseError))
    }

    /// The parser's error in words a data lead can act on (its own text is often only a number).
    /// The codes are libxml2's `xmlParserErrors`, which Foundation's XMLParser passes on.
    static func reason(_ error: any Error) -> String {
        let code = (error as NSError).code
        switch code {
        case 76: return "an end tag does not match the element it closes"
        case 5, 77, 85: return "the file ends before all its elements are closed"
        case 4: return "the file is empty"
        case 23, 26, 27, 68: return "a bare '&' or an entity reference (&...;) that XML does not define; a CTF writes & as &amp;"
        case 72, 73, 74: return "a tag is not opened or closed properly"
        case 9: return "a character that XML does not allow"
        default: return "XML parser error \(code)"
        }
    }

    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        nil
    }
}
