import GapTrackDomain

/// What gaptrack reads from a Common Transfer File (docs/import-formats.md, "Common Transfer
/// File"): the header and, per pupil, identifiers, names, markers, attendance summaries and KS2
/// scaled scores. Every value has been checked where it entered.
public struct CTFDocument: Sendable {
    public let header: CTFHeader
    public let pupils: [CTFPupil]
    /// Paths (without indices) of elements the specification does not define, each listed once.
    public let undefinedElements: [String]
    /// Key stage results that are not KS2 scaled scores (teacher assessments, other key stages),
    /// which gaptrack does not store.
    public let resultsNotRead: Int
}

/// `CTfile/Header`: who sent the file, to whom, and when.
public struct CTFHeader: Sendable, Hashable {
    /// `CTFversion`, e.g. "25.0".
    public let version: String
    /// The date of `DateTime`: the day the file was made, as at which its snapshot facts hold.
    public let madeOn: CalendarDate
    /// `SourceSchool/LEA` and `Estab`: the DfE number of the sending school (LLL/EEEE).
    public let sourceLA: String
    public let sourceEstab: String
    public let sourceSchoolName: String?
    /// `DestSchool/LEA` and `Estab`, when the destination was known.
    public let destinationLA: String?
    public let destinationEstab: String?
}

/// One `CTfile/CTFpupilData/Pupil`.
public struct CTFPupil: Sendable, Hashable {
    /// The element's path (`CTfile/CTFpupilData/Pupil[17]`) and line, for errors the database finds.
    public let path: String
    public let line: Int
    public let upn: UPN
    /// `BasicDetails/FormerUPN`: the UPN the pupil had before (often a temporary one).
    public let formerUPN: UPN?
    public let surname: String
    public let forename: String
    public let dateOfBirth: CalendarDate
    /// F, M (and X, U where the MIS holds them), as the school census records gender.
    public let gender: String
    public let ethnicity: String?
    /// `BasicDetails/NCyearActual`, as written (R, 1-14, N1, N2, X).
    public let yearGroup: String?
    /// The first language code (`Languages/Type` with `LanguageType` F), e.g. ENG, POL.
    public let firstLanguage: String?
    public let fsmSpells: [CTFSpell]
    /// SEN provision spells: value E (EHC plan) or K (SEN support); N records nothing.
    public let senSpells: [CTFSpell]
    /// `LookedAfter/InCare`, and the `CareAuthority` (an LA number) when in care.
    public let inCare: Bool?
    public let careAuthority: String?
    public let attendance: [CTFAttendanceYear]
    public let ks2Scores: [CTFKS2Score]

    /// English as an additional language, derived from the first language as the school census
    /// does (docs/methodology.md §1.5): English (ENG) or believed English (ENB) is not EAL; not
    /// obtained (NOT) or refused (REF) is unknown (nil); any other language is EAL.
    public var isEAL: Bool? {
        switch firstLanguage {
        case nil, "NOT", "REF": return nil
        case "ENG", "ENB": return false
        default: return true
        }
    }
}

/// A dated spell (FSM eligibility, SEN provision), both days included; `end` nil = still applies.
public struct CTFSpell: Sendable, Hashable {
    public let path: String
    public let line: Int
    public let start: CalendarDate
    public let end: CalendarDate?
    /// SEN provision (E or K); nil for FSM.
    public let value: String?
    /// FSM: `UKCountry` (ENG, WLS, SCT, NIR) when given.
    public let country: String?
}

/// `Attendance/YearData`: one year's session totals at one school.
public struct CTFAttendanceYear: Sendable, Hashable {
    public let path: String
    /// `Year`: the calendar year the academic year starts in, as the CTF writes it.
    public let year: Int
    public let sessionsPossible: Int
    public let sessionsAuthorised: Int
    public let sessionsUnauthorised: Int
}

/// A KS2 test scaled score (80-120) in one subject.
public struct CTFKS2Score: Sendable, Hashable {
    public let path: String
    public let line: Int
    /// gaptrack's subject name: reading, maths, or grammar, punctuation and spelling.
    public let subject: String
    /// The academic year of the tests (the CTF's `Year` 2024 is 2023/24).
    public let academicYear: AcademicYear
    public let score: Int
    /// `ResultDate`, or 1 July of the test year when it is not given (results are returned in July).
    public let date: CalendarDate
}
