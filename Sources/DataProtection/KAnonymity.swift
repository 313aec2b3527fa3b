import Foundation

/// k-anonymity for a research export's students (docs/data-protection.md §6): every combination
/// of quasi-identifiers released is shared by at least k students, so no row can be narrowed to
/// fewer than k people by someone who knows a pupil's birth month, gender, ethnicity,
/// disadvantage, SEN and EAL status.
///
/// Method (the generalise-then-suppress approach of Sweeney's Datafly): the whole table is
/// generalised one level at a time until the students in classes smaller than k are at most
/// `maxSuppressedShare` of the cohort; those students' quasi-identifiers are then all replaced by
/// `*` (local suppression). If the suppressed students are themselves fewer than k, they are
/// withheld from the export altogether, since `*` in every column would otherwise be a class of
/// fewer than k.
public enum KAnonymity {
    /// One student's quasi-identifiers as held.
    public struct Record: Sendable, Equatable {
        public let id: Int
        public let birthYear: Int
        public let birthMonth: Int
        public let gender: String?
        /// The DfE ethnicity code (e.g. WBRI).
        public let ethnicity: String?
        public let disadvantaged: Bool
        /// E (EHC plan), K (SEN support) or nil.
        public let sen: String?
        /// English as an additional language.
        public let eal: Bool

        public init(id: Int, birthYear: Int, birthMonth: Int, gender: String?, ethnicity: String?, disadvantaged: Bool, sen: String?, eal: Bool) {
            self.id = id
            self.birthYear = birthYear
            self.birthMonth = birthMonth
            self.gender = gender
            self.ethnicity = ethnicity
            self.disadvantaged = disadvantaged
            self.sen = sen
            self.eal = eal
        }
    }

    /// The quasi-identifiers as released; `*` where suppressed or dropped.
    public struct Released: Sendable, Hashable {
        public let birth: String
        public let gender: String
        public let ethnicity: String
        public let disadvantaged: String
        public let sen: String
        public let eal: String

        public var fields: [String] { [birth, gender, ethnicity, disadvantaged, sen, eal] }
        public static let header = ["birth", "gender", "ethnicity", "disadvantaged", "sen", "eal"]
        static let suppressed = Released(birth: "*", gender: "*", ethnicity: "*", disadvantaged: "*", sen: "*", eal: "*")
    }

    /// How coarse the release is: 0 birth month, ethnicity code, SEN type; 1 birth year and
    /// ethnicity group; 2 no birth date and SEN yes/no; 3 no ethnicity either.
    public static let levels = [
        "birth year and month, DfE ethnicity code, SEN E/K",
        "birth year, ethnicity major group, SEN E/K",
        "no birth date (the cohort gives the age), ethnicity major group, SEN yes/no",
        "no birth date, no ethnicity, SEN yes/no",
    ]

    public struct Outcome: Sendable, Equatable {
        /// The level applied (an index into `levels`).
        public let level: Int
        /// Released quasi-identifiers by student id, for the students kept.
        public let released: [Int: Released]
        /// Students whose quasi-identifiers were all suppressed.
        public let suppressed: Int
        /// Students left out of the export.
        public let withheld: [Int]
    }

    public static func anonymise(_ records: [Record], k: Int, maxSuppressedShare: Double = 0.05) -> Outcome {
        precondition(k >= 2, "k-anonymity needs k of at least 2")
        var chosen = levels.count - 1
        for level in levels.indices {
            let small = smallClassMembers(records, level: level, k: k)
            if Double(small.count) <= maxSuppressedShare * Double(records.count) {
                chosen = level
                break
            }
        }
        let small = Set(smallClassMembers(records, level: chosen, k: k))
        var released: [Int: Released] = [:]
        var withheld: [Int] = []
        let withholdSuppressed = small.count < k
        for record in records {
            if small.contains(record.id) {
                if withholdSuppressed { withheld.append(record.id) } else { released[record.id] = .suppressed }
            } else {
                released[record.id] = generalise(record, level: chosen)
            }
        }
        return Outcome(level: chosen, released: released, suppressed: withholdSuppressed ? 0 : small.count, withheld: withheld.sorted())
    }

    /// The ids of the students in classes of fewer than k at a level.
    static func smallClassMembers(_ records: [Record], level: Int, k: Int) -> [Int] {
        var classes: [Released: [Int]] = [:]
        for record in records { classes[generalise(record, level: level), default: []].append(record.id) }
        return classes.values.filter { $0.count < k }.flatMap { $0 }
    }

    static func generalise(_ record: Record, level: Int) -> Released {
        let birth: String
        switch level {
        case 0: birth = String(format: "%04d-%02d", record.birthYear, record.birthMonth)
        case 1: birth = String(record.birthYear)
        default: birth = "*"
        }
        let ethnicity: String
        switch level {
        case 0: ethnicity = record.ethnicity?.uppercased() ?? "unknown"
        case 1, 2: ethnicity = majorGroup(record.ethnicity)
        default: ethnicity = "*"
        }
        let sen: String
        if level <= 1 { sen = record.sen ?? "N" } else { sen = record.sen == nil ? "N" : "Y" }
        return Released(birth: birth, gender: record.gender ?? "unknown", ethnicity: ethnicity,
                        disadvantaged: record.disadvantaged ? "Y" : "N", sen: sen, eal: record.eal ? "Y" : "N")
    }

    /// The DfE major ethnic group of a census code, by its first letter (WBRI → white, MWBC → mixed,
    /// APKN → asian, BCRB → black, CHNE → chinese, OOTH → other); refused or not obtained → unknown.
    static func majorGroup(_ code: String?) -> String {
        guard let code = code?.uppercased(), !["REFU", "NOBT"].contains(code), let first = code.first else { return "unknown" }
        switch first {
        case "W": return "white"
        case "M": return "mixed"
        case "A": return "asian"
        case "B": return "black"
        case "C": return "chinese"
        case "O": return "other"
        default: return "unknown"
        }
    }
}
