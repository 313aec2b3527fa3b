/// One problem with one element of a CTF, told the way a data lead can find and fix it:
/// `CTfile/CTFpupilData/Pupil[17]/FSMhistory/FSMinstance[2]/FSMstartDate (line 412): '2024-13-01' is not a date; expected YYYY-MM-DD`.
public struct CTFProblem: Sendable, Hashable, CustomStringConvertible {
    /// The element's path from the root, with a 1-based index wherever the parent has more than
    /// one child of that name, or the element is one of a repeating kind (Pupil, FSMinstance, ...).
    public let path: String
    /// The line the element starts on.
    public let line: Int
    /// What is wrong and what was expected; it quotes at most 40 characters of the value.
    public let message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { "\(path) (line \(line)): \(message)" }

    /// A value as an error quotes it: at most 40 characters, so that a pasted essay or binary
    /// junk cannot flood the message.
    public static func quoted(_ value: String) -> String {
        let characters = Array(value)
        return characters.count <= 40 ? "'\(value)'" : "'\(String(characters.prefix(40)))…'"
    }
}

/// Why a CTF could not be read. Nothing is imported from a file that gives any of these.
public enum CTFError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not well-formed XML: the parser's own position and reason.
    case malformed(line: Int, column: Int, reason: String)
    /// Bigger than `CTFLimits.maximumBytes`.
    case tooLarge(bytes: Int, limit: Int)
    /// Nested deeper than `CTFLimits.maximumDepth`.
    case tooDeep(path: String, line: Int, limit: Int)
    /// Bytes that are not UTF-8, the encoding of every CTF.
    case notUTF8(line: Int, column: Int)
    /// The file declares a document type (which could define entities).
    case documentTypeDeclaration(line: Int)
    /// A processing instruction (`<?target ...?>`) other than the XML declaration.
    case processingInstruction(line: Int)
    /// The root element is not `CTfile`.
    case notACommonTransferFile(root: String)
    /// Elements with missing or invalid values.
    case invalid([CTFProblem])

    public var description: String {
        switch self {
        case .malformed(let line, let column, let reason):
            return "line \(line), column \(column): the file is not well-formed XML (\(reason)); export the CTF again from the MIS"
        case .tooLarge(let bytes, let limit):
            return "the file has \(bytes) bytes, more than the \(limit) a CTF may have here; a CTF of a whole school is a few megabytes, so this is probably not a CTF"
        case .tooDeep(let path, let line, let limit):
            return "\(path) (line \(line)): elements nest more than \(limit) deep, which no CTF does; refused"
        case .notUTF8(let line, let column):
            return "line \(line), column \(column): the file is not UTF-8 text, which every CTF is; export the CTF again from the MIS rather than opening and saving it in another program"
        case .documentTypeDeclaration(let line):
            return "line \(line): the file has a document type declaration (<!DOCTYPE ...>), which a CTF never has and which could define entities; refused"
        case .processingInstruction(let line):
            return "line \(line): the file has a processing instruction (<?...?>) other than the XML declaration, which a CTF never has; refused"
        case .notACommonTransferFile(let root):
            return "the root element is \(CTFProblem.quoted(root)), not CTfile: this is not a common transfer file"
        case .invalid(let problems):
            return problems.map(\.description).joined(separator: "\n")
        }
    }
}
