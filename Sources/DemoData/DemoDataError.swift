import CSVFormat

/// Why the demo data could not be generated.
public enum DemoDataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option outside what the generator can make.
    case invalidOption(name: String, value: String, expected: String)
    /// The output folder could not be created.
    case cannotCreateFolder(path: String, reason: String)
    /// A CSV file could not be written.
    case writeFailed(CSVError)
    /// Another file (the demo CTF) could not be written.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidOption(let name, let value, let expected):
            return "\(name) '\(value)' cannot be used: it should be \(expected)"
        case .cannotCreateFolder(let path, let reason):
            return "cannot create the folder '\(path)' (\(reason)); choose another --out folder or check its permissions"
        case .writeFailed(let error):
            return "cannot write the demo data: \(error) (check that the disk has space)"
        case .cannotWrite(let path, let reason):
            return "cannot write '\(path)' (\(reason)); check that the disk has space and the folder can be written"
        }
    }
}
