import GapTrackDomain
import Postgres

/// What a support record targets and the assessments planned to open and close it
/// (docs/methodology.md §6.6), as every door (import, API, web form) checks them.
public struct SupportPlan: Sendable, Equatable {
    public var target: SupportTarget?
    public var entry: AssessmentPointName?
    /// For an assessment target, the target itself.
    public var exit: AssessmentPointName?

    public init(target: SupportTarget? = nil, entry: AssessmentPointName? = nil, exit: AssessmentPointName? = nil) {
        self.target = target
        self.entry = entry
        self.exit = exit
    }

    public static let none = SupportPlan()

    /// The plan a record holds, as `SupportRecordRules.plan` checks it: an assessment target's
    /// exit is the target itself, so it is not repeated as an exit of its own.
    public init(stored record: SupportRecord) {
        target = record.target.flatMap(SupportTarget.init(parsing:))
        entry = record.entryAssessment.flatMap(AssessmentPointName.init(text:))
        exit = record.exitAssessment.flatMap(AssessmentPointName.init(text:))
        if case let .assessment(point) = target, exit == point { exit = nil }
    }

    /// The stored columns, in the order `SupportTargets.columnList` names them.
    var columnValues: [String?] {
        let kind: String? = switch target {
        case .subject: "subject"
        case .assessment: "assessment"
        case .attendance: "attendance"
        case nil: nil
        }
        let exit = self.exit ?? { if case let .assessment(point) = target { return point } else { return nil } }()
        return [kind, target?.subject, entry?.name, entry?.term.year.description, entry?.term.term.rawValue,
                exit?.name, exit?.term.year.description, exit?.term.term.rawValue]
    }
}

extension SupportRecordRules {
    /// The field names a plan is read from, at every door.
    public static let targetField = "target", entryField = "entry_assessment", exitField = "exit_assessment"

    /// `attendance`, a subject the provider assesses, or one of its assessment points.
    public func target(_ text: String) throws(FieldProblem) -> SupportTarget {
        guard let target = SupportTarget(parsing: text) else {
            throw FieldProblem("'\(text)' is not a target; write a subject (maths), an assessment (maths:Year 8 summer assessment@2024/25-summer) or attendance")
        }
        switch target {
        case .attendance:
            return target
        case let .subject(subject):
            return .subject(try knownSubject(subject, text: text))
        case let .assessment(point):
            return .assessment(try knownPoint(point, text: text))
        }
    }

    /// An entry or exit assessment: one of the provider's assessment points.
    public func assessmentPoint(_ text: String) throws(FieldProblem) -> AssessmentPointName {
        guard let point = AssessmentPointName(text: text) else {
            throw FieldProblem("'\(text)' is not an assessment point; write SUBJECT[:ASSESSMENT]@YYYY/YY-TERM, e.g. maths@2024/25-autumn")
        }
        return try knownPoint(point, text: text)
    }

    /// The checks between the three fields: entry and exit assessments are in the target's
    /// subject, the exit comes after the entry, and an assessment target is its own exit.
    /// Returns the field at fault with its problem.
    public static func plan(_ plan: SupportPlan) -> (field: String, problem: FieldProblem)? {
        for (field, point) in [(entryField, plan.entry), (exitField, plan.exit)] {
            guard let point else { continue }
            guard let subject = plan.target?.subject else {
                return (field, FieldProblem("'\(point.text)' needs a subject or assessment target; name the target (e.g. \(point.subject)) or leave \(field) empty"))
            }
            if key(point.subject) != key(subject) {
                return (field, FieldProblem("'\(point.text)' is in \(point.subject) but the target is \(subject); entry and exit assessments are in the target's subject"))
            }
        }
        if case let .assessment(target) = plan.target, let exit = plan.exit, exit != target {
            return (exitField, FieldProblem("'\(exit.text)' is not the target assessment \(target.text); an assessment target is its own exit, so leave \(exitField) empty"))
        }
        let exit = plan.exit ?? { if case let .assessment(point) = plan.target { return point } else { return nil } }()
        if let entry = plan.entry, let exit, exit.term <= entry.term {
            return (plan.exit == nil ? targetField : exitField,
                    FieldProblem("'\(exit.text)' is not after the entry assessment \(entry.text); the exit assessment comes after the entry"))
        }
        return nil
    }

    private static func key(_ text: String) -> String { text.lowercased().filter { !$0.isWhitespace } }

    private func knownSubject(_ subject: String, text: String) throws(FieldProblem) -> String {
        let wanted = Self.key(subject)
        if let known = assessmentPoints.first(where: { Self.key($0.subject) == wanted }) { return known.subject }
        var seen = Set<String>()
        let subjects = assessmentPoints.map(\.subject).filter { seen.insert(Self.key($0)).inserted }.sorted()
        throw FieldProblem("'\(text)' is not a subject this provider assesses; expected one of: "
            + (subjects.isEmpty ? "(none yet: import assessments first)" : subjects.joined(separator: ", ")) + ", or attendance")
    }

    private func knownPoint(_ point: AssessmentPointName, text: String) throws(FieldProblem) -> AssessmentPointName {
        let subject = try knownSubject(point.subject, text: text)
        let inTerm = assessmentPoints.filter { Self.key($0.subject) == Self.key(subject) && $0.term == point.term }
        guard let name = point.name else {
            if inTerm.isEmpty { throw FieldProblem("'\(text)': there is no \(subject) assessment in \(point.term.year) \(point.term.term)") }
            return AssessmentPointName(subject: subject, term: point.term)
        }
        guard let known = inTerm.first(where: { Self.key($0.name ?? "") == Self.key(name) }) else {
            throw FieldProblem("'\(text)': there is no \(subject) assessment named '\(name)' in \(point.term.year) \(point.term.term)"
                + (inTerm.isEmpty ? "" : "; expected one of: " + inTerm.compactMap(\.name).sorted().joined(separator: ", ")))
        }
        return known
    }
}

/// Reads what the plan's checks need from the database.
enum SupportTargets {
    /// The stored columns of a plan, in the order of `SupportPlan.columnValues`.
    static let columnList = "target_kind, target_subject, entry_assessment, entry_academic_year, entry_term, exit_assessment, exit_academic_year, exit_term"

    /// Every assessment point of the provider, named in full.
    static func assessmentPoints(_ connection: PostgresConnection, providerID: Int) throws -> [AssessmentPointName] {
        try assessmentPoints(try connection.query(assessmentPointsSQL, [providerID]))
    }

    /// `assessmentPoints`' statement, $1 the provider, for a caller that sends it with others.
    static let assessmentPointsSQL =
        "SELECT DISTINCT subject, name, academic_year, term::text AS term FROM assessment_points WHERE provider_id = $1 ORDER BY 1, 3, 4, 2"

    static func assessmentPoints(_ result: PostgresResult) throws -> [AssessmentPointName] {
        try result.rows.compactMap { row in
            guard let term = try? AcademicTerm(parsing: "\(try row.decode("academic_year", as: String.self))-\(try row.decode("term", as: String.self))")
            else { return nil }
            return AssessmentPointName(subject: try row.decode("subject"), name: try row.decode("name", as: String.self), term: term)
        }
    }

    /// The plan a stored row holds, as the API shows it: target, entry and exit as text.
    static func texts(_ row: PostgresRow) throws -> (target: String?, entry: String?, exit: String?) {
        func point(_ prefix: String) throws -> AssessmentPointName? {
            guard let subject = try row.decode("target_subject", as: String?.self),
                  let year = try row.decode("\(prefix)_academic_year", as: String?.self),
                  let term = try row.decode("\(prefix)_term", as: String?.self),
                  let academicTerm = try? AcademicTerm(parsing: "\(year)-\(term)") else { return nil }
            return AssessmentPointName(subject: subject, name: try row.decode("\(prefix)_assessment", as: String?.self), term: academicTerm)
        }
        let exit = try point("exit")
        let target: String? = switch try row.decode("target_kind", as: String?.self) {
        case "attendance": SupportTarget.attendance.text
        case "assessment": exit?.text
        case "subject": try row.decode("target_subject", as: String?.self)
        default: nil
        }
        return (target, try point("entry")?.text, exit?.text)
    }
}
