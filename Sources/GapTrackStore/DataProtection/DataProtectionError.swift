import Foundation

/// What stops a data-protection step, in words a school data lead can act on.
public enum DataProtectionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The identifier names no single student of the provider (unknown, shared or misshapen).
    case student(identifier: String, problem: String)
    /// The law, or a legal hold, requires the student's record to be kept (UK GDPR Art. 17(3)).
    case erasureRefused(identifier: String, reasons: [String])
    /// A rule was written in a way gaptrack cannot read.
    case badRule(String)
    /// A rule shorter than the law allows.
    case belowStatutoryMinimum(String)
    /// The research export's output folder already holds files.
    case outputNotEmpty(path: String)
    /// A cohort with no students in the year.
    case emptyCohort(cohort: String, year: String)

    public var description: String {
        switch self {
        case .student(_, let problem):
            return problem
        case .erasureRefused(let identifier, let reasons):
            return "student '\(identifier)' cannot be erased: " + reasons.joined(separator: "; ")
        case .badRule(let message):
            return message
        case .belowStatutoryMinimum(let message):
            return message
        case .outputNotEmpty(let path):
            return "the output folder '\(path)' is not empty; name a new or empty folder, so that no earlier export is mixed with this one"
        case .emptyCohort(let cohort, let year):
            return "cohort '\(cohort)' has no students in \(year); check the cohort code (e.g. year-11, intake-2024) and the year"
        }
    }
}
