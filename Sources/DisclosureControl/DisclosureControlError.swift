/// Why a table set could not be audited or protected.
///
/// Messages are written for a school data lead: they name the figure and say what to check.
public enum DisclosureControlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Two figures were given the same name.
    case duplicateCell(CellID)
    /// A relation or a sum names a figure the table set does not have.
    case unknownCell(CellID, usedIn: String)
    /// A figure below zero: counts and sums of sessions or money cannot be negative.
    case negativeValue(label: String, value: Int)
    /// A figure above the maximum it was said to have.
    case aboveKnownMaximum(label: String, value: Int, maximum: Int)
    /// The true figures do not satisfy a relation: the report's figures do not add up, so the
    /// relation or a figure is wrong, and no audit of it would mean anything.
    case relationDoesNotHold(String)
    /// Complementary suppression ran out of figures to hide and a suppressed figure can still be
    /// worked out; the tables need to be published with less detail.
    case cannotProtect(label: String, value: Int, interval: String)
    /// A published rate was given with a negative number of decimals or a negative percentage.
    case invalidRate(String)
    /// The linear program behind the audit did not finish (numerical trouble); nothing is
    /// claimed about the tables. Report it with the tables that caused it.
    case auditDidNotFinish(String)

    public var description: String {
        switch self {
        case let .duplicateCell(id):
            "two figures are both called \(id); each figure of a report needs its own name"
        case let .unknownCell(id, usedIn):
            "\(usedIn) uses the figure \(id), which is not in the report's tables"
        case let .negativeValue(label, value):
            "\(label) is \(value); counts, sessions and spend cannot be below zero"
        case let .aboveKnownMaximum(label, value, maximum):
            "\(label) is \(value), more than its known maximum of \(maximum)"
        case let .relationDoesNotHold(name):
            "the figures do not add up: \(name) does not hold for the true values"
        case let .cannotProtect(label, value, interval):
            "\(label) (\(value)) can still be narrowed to \(interval) with every other figure hidden; publish these tables with less detail"
        case let .invalidRate(detail):
            "invalid published rate: \(detail)"
        case let .auditDidNotFinish(detail):
            "the disclosure audit could not finish (\(detail)); the tables have not been checked"
        }
    }
}
