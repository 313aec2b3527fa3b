/// Session counts for one enrolment over a period, and the absence measures built on them.
///
/// Definitions (DfE, "Pupil absence in schools in England" methodology; docs/methodology.md
/// §3.2):
/// - overall absence rate = (authorised + unauthorised absent sessions) / possible sessions;
/// - persistently absent: 10% or more of the enrolment's own possible sessions missed;
/// - severely absent: 50% or more missed.
/// The thresholds are compared in whole numbers (absent x 10 >= possible), never in floating
/// point, so a pupil on exactly 10% is always counted, as the DfE counts them.
public struct AbsenceSummary: Sendable, Hashable, Codable {
    public private(set) var possibleSessions: Int
    /// Present or at an approved educational activity.
    public private(set) var attendedSessions: Int
    public private(set) var authorisedAbsences: Int
    public private(set) var unauthorisedAbsences: Int

    public static let zero = AbsenceSummary()

    private init() {
        possibleSessions = 0
        attendedSessions = 0
        authorisedAbsences = 0
        unauthorisedAbsences = 0
    }

    /// Counts as reported (e.g. from a census-style export). Every possible session is either
    /// attended or an absence, so the parts must add up to the possible sessions.
    public init(possible: Int, attended: Int, authorised: Int, unauthorised: Int) throws(AbsenceSummaryError) {
        guard possible >= 0, attended >= 0, authorised >= 0, unauthorised >= 0 else {
            throw .negativeCount
        }
        guard attended + authorised + unauthorised == possible else {
            throw .partsDoNotAddUp(possible: possible, attended: attended, authorised: authorised, unauthorised: unauthorised)
        }
        possibleSessions = possible
        attendedSessions = attended
        authorisedAbsences = authorised
        unauthorisedAbsences = unauthorised
    }

    /// Tallies register codes, one per session.
    public init(codes: some Sequence<AttendanceCode>) {
        self.init()
        for code in codes { record(code) }
    }

    /// Adds one session's code.
    public mutating func record(_ code: AttendanceCode) {
        switch code.category {
        case .present, .approvedEducationalActivity:
            possibleSessions += 1
            attendedSessions += 1
        case .authorisedAbsence:
            possibleSessions += 1
            authorisedAbsences += 1
        case .unauthorisedAbsence:
            possibleSessions += 1
            unauthorisedAbsences += 1
        case .notPossible:
            break
        }
    }

    public var absentSessions: Int { authorisedAbsences + unauthorisedAbsences }

    /// Absent sessions / possible sessions, or nil when there were no possible sessions.
    public var absenceRate: Double? {
        possibleSessions == 0 ? nil : Double(absentSessions) / Double(possibleSessions)
    }

    public var authorisedAbsenceRate: Double? {
        possibleSessions == 0 ? nil : Double(authorisedAbsences) / Double(possibleSessions)
    }

    public var unauthorisedAbsenceRate: Double? {
        possibleSessions == 0 ? nil : Double(unauthorisedAbsences) / Double(possibleSessions)
    }

    /// 10% or more of possible sessions missed (false when there were no possible sessions).
    public var isPersistentlyAbsent: Bool {
        possibleSessions > 0 && absentSessions * 10 >= possibleSessions
    }

    /// 50% or more of possible sessions missed (false when there were no possible sessions).
    public var isSeverelyAbsent: Bool {
        possibleSessions > 0 && absentSessions * 2 >= possibleSessions
    }

    private enum CodingKeys: String, CodingKey {
        case possibleSessions, attendedSessions, authorisedAbsences, unauthorisedAbsences
    }

    /// Decoding checks the same rules as `init(possible:attended:authorised:unauthorised:)`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(possible: try container.decode(Int.self, forKey: .possibleSessions),
                          attended: try container.decode(Int.self, forKey: .attendedSessions),
                          authorised: try container.decode(Int.self, forKey: .authorisedAbsences),
                          unauthorised: try container.decode(Int.self, forKey: .unauthorisedAbsences))
        } catch let error as AbsenceSummaryError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Combines two periods of the same enrolment (e.g. autumn and spring terms).
    public static func + (lhs: AbsenceSummary, rhs: AbsenceSummary) -> AbsenceSummary {
        var sum = lhs
        sum.possibleSessions += rhs.possibleSessions
        sum.attendedSessions += rhs.attendedSessions
        sum.authorisedAbsences += rhs.authorisedAbsences
        sum.unauthorisedAbsences += rhs.unauthorisedAbsences
        return sum
    }
}

public enum AbsenceSummaryError: Error, Equatable, Sendable, CustomStringConvertible {
    case negativeCount
    case partsDoNotAddUp(possible: Int, attended: Int, authorised: Int, unauthorised: Int)

    public var description: String {
        switch self {
        case .negativeCount:
            return "session counts cannot be negative"
        case .partsDoNotAddUp(let possible, let attended, let authorised, let unauthorised):
            return "attended (\(attended)) + authorised absences (\(authorised)) + unauthorised absences (\(unauthorised)) = \(attended + authorised + unauthorised), but possible sessions is \(possible); every possible session must be either attended or an absence"
        }
    }
}
