/// An assessment point as users name it: `maths@2024/25-autumn`, or with the assessment's name
/// when a subject has several in a term, `maths:Autumn mock@2024/25-autumn`. Without a name it
/// stands for every assessment of the subject in the term (one per year group, usually), and each
/// student is taken at their own (docs/methodology.md §6).
public struct AssessmentPointName: Sendable, Hashable, CustomStringConvertible {
    public var subject: String
    public var name: String?
    public var term: AcademicTerm

    public init(subject: String, name: String? = nil, term: AcademicTerm) {
        self.subject = subject
        self.name = name
        self.term = term
    }

    /// Reads `SUBJECT[:NAME]@YYYY/YY-TERM`; nil when the text is not written so.
    public init?(text: String) {
        let trimmed = text.trimmingWhitespace()
        guard let at = trimmed.lastIndex(of: "@"),
              let term = try? AcademicTerm(parsing: String(trimmed[trimmed.index(after: at)...]).trimmingWhitespace()) else { return nil }
        let point = String(trimmed[..<at]).trimmingWhitespace()
        var subject = point
        var name: String?
        if let colon = point.firstIndex(of: ":") {
            subject = String(point[..<colon]).trimmingWhitespace()
            name = String(point[point.index(after: colon)...]).trimmingWhitespace()
            if name?.isEmpty == true { name = nil }
        }
        guard !subject.isEmpty else { return nil }
        self.init(subject: subject, name: name, term: term)
    }

    /// The text `init(text:)` reads back.
    public var text: String { subject + (name.map { ":" + $0 } ?? "") + "@" + term.description }

    /// "maths (Autumn mock), 2024/25 autumn" or "maths, 2024/25 autumn".
    public var description: String { subject + (name.map { " (\($0))" } ?? "") + ", \(term.year) \(term.term)" }
}

/// What a support record aims to change, so that its impact is judged on it
/// (docs/methodology.md §6.6): attainment in a subject, one named assessment, or attendance.
public enum SupportTarget: Sendable, Hashable, CustomStringConvertible {
    case subject(String)
    case assessment(AssessmentPointName)
    case attendance

    /// The word that names an attendance target where a subject or an assessment could stand.
    public static let attendanceWord = "attendance"

    /// Reads `attendance`, an assessment point (`maths:Year 8 summer assessment@2024/25-summer`)
    /// or a subject (`maths`); nil for empty text or an assessment point not written as one.
    public init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty { return nil }
        if trimmed.lowercased() == Self.attendanceWord { self = .attendance; return }
        if trimmed.contains("@") {
            guard let point = AssessmentPointName(text: trimmed) else { return nil }
            self = .assessment(point)
            return
        }
        self = .subject(trimmed)
    }

    /// The subject whose results judge the support; nil for attendance.
    public var subject: String? {
        switch self {
        case let .subject(subject): subject
        case let .assessment(point): point.subject
        case .attendance: nil
        }
    }

    /// The text `init(parsing:)` reads back.
    public var text: String {
        switch self {
        case let .subject(subject): subject
        case let .assessment(point): point.text
        case .attendance: Self.attendanceWord
        }
    }

    public var description: String {
        switch self {
        case let .subject(subject): subject
        case let .assessment(point): point.description
        case .attendance: Self.attendanceWord
        }
    }
}
