import Foundation

/// What the demo generator makes: which providers, how many students, how many days of
/// attendance, and from which seed.
///
/// Sizes:
/// - By default the school has five year groups (7 to 11 in 2024/25) of 200 pupils, about
///   1,000 pupils, plus last year's Year 11 (200 pupils who left in July 2024, so that the
///   KS4 gap has a 2023/24 point); the university has two intakes (2023/24 and 2024/25) of
///   1,500 students, about 3,000.
/// - `scale` multiplies both: scale 600 gives 120,000 pupils per year group and 900,000
///   students per intake.
/// - `cohortSize` sets the size of one cohort directly, overriding `scale`: the pupils in one
///   year group, and the students in one university intake. With `yearGroups: [11]` and
///   `includeLeavers: false` it makes a single cohort of exactly that many pupils, which is
///   what the 600,000-student benchmark asks for.
/// - `attendanceDays` bounds the register: the first N school days of 2024/25 (of 190), two
///   sessions each, for every pupil on roll that day. Marks = pupils x sessions, so
///   1,000,000 marks is, for example, 2,632 pupils x 190 days x 2, or 500,000 pupils x 1 day.
///   0 writes an attendance file with a header only.
public struct DemoOptions: Sendable, Hashable {
    /// The providers a run can generate.
    public enum ProviderChoice: String, Sendable, Hashable, CaseIterable {
        case school
        case university

        /// Parses `school` or `university`, in any case.
        public init(parsing text: String) throws(DemoDataError) {
            guard let choice = ProviderChoice(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw .invalidOption(name: "--only", value: text, expected: "school or university")
            }
            self = choice
        }
    }

    public var seed: UInt64
    public var scale: Int
    /// Pupils per school year group and students per university intake; nil means
    /// `scale` x the default (200 and 1,500).
    public var cohortSize: Int?
    /// The school's year groups in 2024/25, from 7 to 11.
    public var yearGroups: [Int]
    /// Whether to add the 2023/24 Year 11 (who left in July 2024); only when 11 is in `yearGroups`.
    public var includeLeavers: Bool
    /// School days of attendance, counted from the first day of 2024/25; nil means all of them.
    public var attendanceDays: Int?
    public var providers: [ProviderChoice]

    public static let defaultSeed: UInt64 = 2024
    public static let defaultSchoolCohortSize = 200
    public static let defaultUniversityIntakeSize = 1_500
    /// A UPN has room for 999 serials per establishment number, and the demo spreads a cohort
    /// over 2,000 primary-school establishment numbers; a HUSID has a six-digit serial.
    public static let largestCohortSize = 999_999

    public init(
        seed: UInt64 = DemoOptions.defaultSeed, scale: Int = 1, cohortSize: Int? = nil,
        yearGroups: [Int] = Array(7...11), includeLeavers: Bool = true, attendanceDays: Int? = nil,
        providers: [ProviderChoice] = ProviderChoice.allCases
    ) {
        self.seed = seed
        self.scale = scale
        self.cohortSize = cohortSize
        self.yearGroups = yearGroups
        self.includeLeavers = includeLeavers
        self.attendanceDays = attendanceDays
        self.providers = providers
    }

    /// Pupils in each school year group.
    public var schoolCohortSize: Int { cohortSize ?? Self.defaultSchoolCohortSize * scale }
    /// Students in each university intake.
    public var universityIntakeSize: Int { cohortSize ?? Self.defaultUniversityIntakeSize * scale }

    public var includesSchool: Bool { providers.contains(.school) }
    public var includesUniversity: Bool { providers.contains(.university) }

    /// Checks every option and says what is wrong in the words of the command line.
    public func validate() throws(DemoDataError) {
        guard scale >= 1 else {
            throw .invalidOption(name: "--scale", value: String(scale), expected: "a whole number of 1 or more")
        }
        if let cohortSize, !(1...Self.largestCohortSize).contains(cohortSize) {
            throw .invalidOption(name: "--cohort-size", value: String(cohortSize),
                                 expected: "a whole number from 1 to \(Self.largestCohortSize)")
        }
        if cohortSize == nil, Self.defaultUniversityIntakeSize * scale > Self.largestCohortSize {
            throw .invalidOption(name: "--scale", value: String(scale),
                                 expected: "at most \(Self.largestCohortSize / Self.defaultUniversityIntakeSize), so that a university intake stays within \(Self.largestCohortSize) students (use --cohort-size for a single large cohort)")
        }
        guard !providers.isEmpty else {
            throw .invalidOption(name: "--only", value: "", expected: "school or university")
        }
        if includesSchool {
            guard !yearGroups.isEmpty, yearGroups.allSatisfy({ (7...11).contains($0) }) else {
                throw .invalidOption(name: "--year-groups", value: yearGroups.map(String.init).joined(separator: ","),
                                     expected: "year groups from 7 to 11, e.g. 7-11 or 10,11")
            }
            guard Set(yearGroups).count == yearGroups.count else {
                throw .invalidOption(name: "--year-groups", value: yearGroups.map(String.init).joined(separator: ","),
                                     expected: "each year group once")
            }
        }
        if let attendanceDays {
            let available = SchoolCalendar.year2024.schoolDays.count
            guard (0...available).contains(attendanceDays) else {
                throw .invalidOption(name: "--attendance-days", value: String(attendanceDays),
                                     expected: "a number of school days from 0 to \(available) (the demo school year 2024/25 has \(available))")
            }
        }
    }

    /// The school cohorts to generate, in output order: the year groups of 2024/25 in order,
    /// then last year's leavers.
    var schoolCohorts: [SchoolCohort] {
        var cohorts = yearGroups.sorted().map { SchoolCohort(yearGroupIn2024: $0) }
        if includeLeavers, yearGroups.contains(11) { cohorts.append(SchoolCohort(yearGroupIn2024: 12)) }
        return cohorts
    }
}

extension DemoOptions {
    /// Reads a year-group list as typed on the command line: "7-11", "10,11" or "7,9-11".
    public static func yearGroups(parsing text: String) throws(DemoDataError) -> [Int] {
        let invalid = DemoDataError.invalidOption(name: "--year-groups", value: text, expected: "year groups such as 7-11 or 10,11")
        var groups: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
                .map { Int($0.trimmingCharacters(in: .whitespaces)) }
            switch bounds.count {
            case 1:
                guard let single = bounds[0] else { throw invalid }
                groups.append(single)
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { throw invalid }
                groups.append(contentsOf: low...high)
            default:
                throw invalid
            }
        }
        guard !groups.isEmpty else { throw invalid }
        return groups
    }
}
