/// A cohort as reports name it: a year group at a school (`year-11`, `year-r`, `year-n1`), a
/// course at a college or university (`course-bsc-psy`), an intake (`intake-2024`), a key stage
/// (`ks2`) or everyone on roll (`all`): the students enrolled in it in a term
/// (docs/methodology.md §7.2).
///
/// This is the one place the cohort grammar is written; the SQL function `report_cohort_codes`
/// produces the same codes from enrolments, so a parsed code can be compared with them as text.
public enum CohortCode: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A school year group: "r" (reception), "n1"/"n2" (nursery) or "1" to "14".
    case yearGroup(String)
    /// A course code, lower case.
    case course(String)
    /// The academic year of entry, by its first calendar year (2024 = the 2024/25 intake).
    case intake(Int)
    /// A key stage, 1 to 5: the year groups the DfE counts in it (`keyStageYears`).
    case keyStage(Int)
    /// Every student on roll in the term, whatever their year group or course.
    case all

    /// The DfE's year groups of each key stage (docs/methodology.md §7.2); key stage 5 is the
    /// schools' name for 16–19 study in years 12 and 13. sql/functions/report_load_cohort.sql
    /// (`report_key_stage_years`) holds the same list.
    public static let keyStageYears: [Int: ClosedRange<Int>] = [1: 1...2, 2: 3...6, 3: 7...9, 4: 10...11, 5: 12...13]

    /// Parses what a user types. `year-11`, "Year 11", "Y11" and "11" are year 11; `year-r`,
    /// "R" and "Reception" are reception; `course-X` and `intake-YYYY` are as written; any
    /// other text is taken as a course code. Case and surrounding white space do not matter.
    public init(parsing text: String) throws(CohortCodeError) {
        let lowered = text.trimmingWhitespace().lowercased()
        guard !lowered.isEmpty else { throw .empty }
        if ["all", "whole-school", "whole school"].contains(lowered) { self = .all; return }
        for prefix in ["key stage ", "key-stage-", "ks-", "ks"] where lowered.hasPrefix(prefix) {
            let rest = String(lowered.dropFirst(prefix.count)).trimmingWhitespace()
            guard rest.utf8.count == 1, let stage = Int(rest) else { continue }
            guard Self.keyStageYears[stage] != nil else { throw .unknownKeyStage(text) }
            self = .keyStage(stage)
            return
        }
        if lowered.hasPrefix("year-") {
            let rest = String(lowered.dropFirst("year-".count))
            guard Self.isYearGroup(rest) else { throw .unknownYearGroup(text) }
            self = .yearGroup(rest)
            return
        }
        if lowered.hasPrefix("course-") {
            let rest = String(lowered.dropFirst("course-".count))
            guard Self.isCourseCode(rest) else { throw .badCourse(text) }
            self = .course(rest)
            return
        }
        if lowered.hasPrefix("intake-") {
            let rest = lowered.dropFirst("intake-".count)
            guard rest.count == 4, let year = Int(rest), (1900...2999).contains(year) else { throw .badIntake(text) }
            self = .intake(year)
            return
        }
        if lowered == "reception" { self = .yearGroup("r"); return }
        for prefix in ["year ", "y", ""] where lowered.hasPrefix(prefix) {
            let rest = String(lowered.dropFirst(prefix.count)).trimmingWhitespace()
            if Self.isYearGroup(rest) { self = .yearGroup(rest); return }
        }
        guard Self.isCourseCode(lowered) else { throw .badCourse(text) }
        self = .course(lowered)
    }

    /// The code as enrolments produce it: `year-11`, `course-bsc-psy`, `intake-2024`.
    public var code: String {
        switch self {
        case .yearGroup(let group): "year-" + group
        case .course(let course): "course-" + course
        case .intake(let year): "intake-\(year)"
        case .keyStage(let stage): "ks\(stage)"
        case .all: "all"
        }
    }

    /// Whether the cohort spans several year groups (a key stage, the whole school), so that a
    /// report breaks its figures down by year group too.
    public var spansYearGroups: Bool {
        switch self {
        case .keyStage, .all: true
        case .yearGroup, .course, .intake: false
        }
    }

    /// "Whole school", "Key stage 2 (years 3–6)"; nil for the cohorts the database labels.
    public var wholeSchoolLabel: String? {
        switch self {
        case .all: return "Whole school"
        case .keyStage(let stage):
            guard let years = Self.keyStageYears[stage] else { return nil }
            return "Key stage \(stage) (years \(years.lowerBound)–\(years.upperBound))"
        case .yearGroup, .course, .intake: return nil
        }
    }

    /// The year-group cohorts a multi-year cohort is made of, in order (for a key stage, its
    /// years; for the whole school, nil: whatever year groups have pupils).
    public var yearGroups: [CohortCode]? {
        guard case .keyStage(let stage) = self, let years = Self.keyStageYears[stage] else { return nil }
        return years.map { .yearGroup(String($0)) }
    }

    public var description: String { code }

    /// The school year number (reception = 0, nursery = -1 or -2), for choosing the national
    /// figures of the right phase; nil for courses and intakes.
    public var schoolYear: Int? {
        // A key stage is placed by its last year: the phase whose results its pupils sit or last sat.
        if case .keyStage(let stage) = self { return Self.keyStageYears[stage]?.upperBound }
        guard case .yearGroup(let group) = self else { return nil }
        switch group {
        case "r": return 0
        case "n1": return -2
        case "n2": return -1
        default: return Int(group)
        }
    }

    private static func isYearGroup(_ text: String) -> Bool {
        ["r", "n1", "n2"].contains(text) || (text.utf8.count <= 2 && Int(text).map { (1...14).contains($0) } ?? false)
    }

    /// Course codes are as the provider writes them (letters, digits, hyphens, dots, slashes,
    /// underscores), up to 64 characters; spaces are not allowed inside a code.
    private static func isCourseCode(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        return (1...64).contains(scalars.count) && scalars.allSatisfy { scalar in
            (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._/".unicodeScalars.contains(scalar))
        }
    }

    public init(from decoder: any Decoder) throws { self = try decodeValidated(decoder, CohortCode.init(parsing:)) }
    public func encode(to encoder: any Encoder) throws { try encodeString(code, to: encoder) }
}

public enum CohortCodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case unknownYearGroup(String)
    case badCourse(String)
    case badIntake(String)
    case unknownKeyStage(String)

    public var description: String {
        switch self {
        case .empty:
            return "no cohort given: name a year group (year-11, year-r), a key stage (ks2), the whole school (all), a course (course-bsc-psy) or an intake (intake-2024)"
        case .unknownYearGroup(let text):
            return "'\(text.prefix(80))' is not a year group: use year-r, year-n1, year-n2 or year-1 to year-14"
        case .badCourse(let text):
            return "'\(text.prefix(80))' is not a cohort: a course code has letters, digits, hyphens, dots or slashes "
                + "and no spaces (e.g. course-bsc-psy); a year group is written year-11, an intake intake-2024"
        case .unknownKeyStage(let text):
            return "'\(text.prefix(80))' is not a key stage: use ks1 (years 1–2), ks2 (3–6), ks3 (7–9), ks4 (10–11) or ks5 (12–13)"
        case .badIntake(let text):
            return "'\(text.prefix(80))' is not an intake: write the first year of the academic year of entry, e.g. intake-2024"
        }
    }
}
