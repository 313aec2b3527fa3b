/// How a register code counts in attendance statistics.
public enum AttendanceCategory: String, Sendable, Hashable, Codable, CaseIterable {
    /// In school: `/`, `\`, `L`.
    case present = "present"
    /// Attending a place other than the school; counted as attendance: `K`, `V`, `P`, `W`, `B`.
    case approvedEducationalActivity = "approved_educational_activity"
    case authorisedAbsence = "authorised_absence"
    case unauthorisedAbsence = "unauthorised_absence"
    /// Not counted as a possible session at all.
    case notPossible = "not_possible"
}

/// A national attendance register code for one session (a morning or an afternoon).
///
/// The set (docs/methodology.md §3.1) is the one in force from August 2024, in the School
/// Attendance (Pupil Registration) (England) Regulations 2024 and the DfE's statutory guidance
/// "Working together to improve school attendance" (August 2024, statutory from 19 August 2024),
/// as summarised by schools and MIS suppliers (e.g. schoolbusinessservices.co.uk "Overview of NEW
/// Attendance codes - Autumn 2024 onwards"; Keystone MIS "Attendance codes for 2024-2025 academic
/// year"). Raw values are the codes themselves, which are stable and stored in the database.
///
/// Three codes were withdrawn in 2024: `H` (holiday agreed by the school: authorised absence),
/// `J` (interview: an approved educational activity, counted as attendance; the 2024 code `J1`
/// makes an interview an authorised absence instead) and the single `Y` (unable to attend because
/// of exceptional circumstances: not a possible session). `F` (agreed extended family holiday:
/// authorised absence) was withdrawn in September 2013 (DfE "School attendance" advice 2013, as
/// reported by Buckinghamshire Council). Withdrawn codes are accepted only for sessions before
/// their withdrawal, with their old meaning, so that history imports correctly while new data with
/// an obsolete code is rejected. gaptrack takes 1 August 2024, the first day of academic year
/// 2024/25, as the cut-off for `H`, `J` and `Y` (no school sessions fall between 1 and 19 August).
public enum AttendanceCode: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    // Present
    case presentMorning = "/"
    case presentAfternoon = "\\"
    case lateBeforeRegisterClosed = "L"
    // Attending a place other than the school (counted as attendance)
    case educationArrangedByLocalAuthority = "K"
    case educationalVisitOrTrip = "V"
    case sportingActivity = "P"
    case workExperience = "W"
    case otherApprovedEducationalActivity = "B"
    // Authorised absence
    case leaveOfAbsenceExceptionalCircumstances = "C"
    case leaveOfAbsenceRegulatedPerformanceOrEmploymentAbroad = "C1"
    case leaveOfAbsencePartTimeTimetable = "C2"
    case suspendedOrExcluded = "E"
    case illness = "I"
    case leaveOfAbsenceInterview = "J1"
    case leaveOfAbsenceMedicalOrDentalAppointment = "M"
    case religiousObservance = "R"
    case leaveOfAbsenceStudyLeave = "S"
    case parentTravellingForOccupation = "T"
    // Unauthorised absence
    case holidayNotAuthorised = "G"
    case reasonNotYetProvided = "N"
    case absentOtherUnauthorised = "O"
    case lateAfterRegisterClosed = "U"
    // Not counted as a possible session
    case dualRegisteredAttendingOtherSchool = "D"
    case notRequiredToAttendNonCompulsorySchoolAge = "X"
    case unableToAttendLackOfAccessArrangements = "Q"
    case unableToAttendTransportNotAvailable = "Y1"
    case unableToAttendWidespreadTravelDisruption = "Y2"
    case unableToAttendPartOfSchoolPremisesClosed = "Y3"
    case unableToAttendWholeSchoolClosedUnexpectedly = "Y4"
    case unableToAttendCriminalJusticeDetention = "Y5"
    case unableToAttendPublicHealthGuidanceOrLaw = "Y6"
    case unableToAttendOtherUnavoidableCause = "Y7"
    case notOnRollYet = "Z"
    case plannedWholeOrPartialSchoolClosure = "#"
    // Withdrawn codes, accepted only for sessions before `withdrawnFrom`
    case withdrawnAgreedFamilyHoliday = "H"
    case withdrawnInterview = "J"
    case withdrawnUnableToAttendExceptionalCircumstances = "Y"
    case withdrawnAgreedExtendedFamilyHoliday = "F"

    public var category: AttendanceCategory {
        switch self {
        case .presentMorning, .presentAfternoon, .lateBeforeRegisterClosed:
            return .present
        case .educationArrangedByLocalAuthority, .educationalVisitOrTrip, .sportingActivity,
             .workExperience, .otherApprovedEducationalActivity, .withdrawnInterview:
            return .approvedEducationalActivity
        case .leaveOfAbsenceExceptionalCircumstances, .leaveOfAbsenceRegulatedPerformanceOrEmploymentAbroad,
             .leaveOfAbsencePartTimeTimetable, .suspendedOrExcluded, .illness, .leaveOfAbsenceInterview,
             .leaveOfAbsenceMedicalOrDentalAppointment, .religiousObservance, .leaveOfAbsenceStudyLeave,
             .parentTravellingForOccupation, .withdrawnAgreedFamilyHoliday, .withdrawnAgreedExtendedFamilyHoliday:
            return .authorisedAbsence
        case .holidayNotAuthorised, .reasonNotYetProvided, .absentOtherUnauthorised, .lateAfterRegisterClosed:
            return .unauthorisedAbsence
        case .dualRegisteredAttendingOtherSchool, .notRequiredToAttendNonCompulsorySchoolAge,
             .unableToAttendLackOfAccessArrangements, .unableToAttendTransportNotAvailable,
             .unableToAttendWidespreadTravelDisruption, .unableToAttendPartOfSchoolPremisesClosed,
             .unableToAttendWholeSchoolClosedUnexpectedly, .unableToAttendCriminalJusticeDetention,
             .unableToAttendPublicHealthGuidanceOrLaw, .unableToAttendOtherUnavoidableCause,
             .notOnRollYet, .plannedWholeOrPartialSchoolClosure,
             .withdrawnUnableToAttendExceptionalCircumstances:
            return .notPossible
        }
    }

    /// For a withdrawn code, the first day on which it may no longer be used.
    public var withdrawnFrom: CalendarDate? {
        switch self {
        case .withdrawnAgreedFamilyHoliday, .withdrawnInterview, .withdrawnUnableToAttendExceptionalCircumstances:
            return CalendarDate(year: 2024, month: 8, day: 1)!
        case .withdrawnAgreedExtendedFamilyHoliday:
            return CalendarDate(year: 2013, month: 9, day: 1)!
        default:
            return nil
        }
    }

    /// Whether the code may be recorded for a session on `date`.
    public func isValid(on date: CalendarDate) -> Bool {
        guard let withdrawn = withdrawnFrom else { return true }
        return date < withdrawn
    }

    /// Counts towards the denominator of the absence rate (every category except `notPossible`).
    public var countsAsPossibleSession: Bool { category != .notPossible }

    /// An absence (authorised or unauthorised) in a possible session.
    public var countsAsAbsence: Bool {
        category == .authorisedAbsence || category == .unauthorisedAbsence
    }

    /// Present, or at an approved educational activity.
    public var countsAsAttendance: Bool {
        category == .present || category == .approvedEducationalActivity
    }

    /// Reads a register code for a session on `date`. Surrounding spaces are ignored and letters
    /// may be lower case. Unknown codes, and withdrawn codes on or after their withdrawal, throw:
    /// an unknown code is an import error, never a silent default.
    public static func parse(_ text: String, on date: CalendarDate) throws(AttendanceCodeError) -> AttendanceCode {
        let trimmed = text.trimmingWhitespace()
        guard let code = AttendanceCode(rawValue: trimmed.uppercased()) else {
            throw .unknownCode(trimmed)
        }
        guard code.isValid(on: date) else {
            throw .withdrawnCode(code: code, date: date)
        }
        return code
    }

    public var description: String { rawValue }

    /// Codes in use from August 2024, for error messages and pick-lists.
    public static var currentCodes: [AttendanceCode] { allCases.filter { $0.withdrawnFrom == nil } }
}

/// Why a register code was rejected.
public enum AttendanceCodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownCode(String)
    case withdrawnCode(code: AttendanceCode, date: CalendarDate)

    public var description: String {
        switch self {
        case .unknownCode(let text):
            let codes = AttendanceCode.currentCodes.map(\.rawValue).joined(separator: " ")
            return "'\(text)' is not a national attendance code; the codes in use from August 2024 are: \(codes)"
        case .withdrawnCode(let code, let date):
            let replacement: String
            switch code {
            case .withdrawnAgreedFamilyHoliday: replacement = "use C (leave of absence in exceptional circumstances) or G (holiday not authorised)"
            case .withdrawnInterview: replacement = "use J1 (leave of absence for an interview)"
            case .withdrawnUnableToAttendExceptionalCircumstances: replacement = "use Q or one of Y1 to Y7 (unable to attend because of an unavoidable cause)"
            default: replacement = "use C (leave of absence in exceptional circumstances) or G (holiday not authorised)"
            }
            return "code '\(code.rawValue)' was withdrawn from \(code.withdrawnFrom!.ukString) and cannot be used for a session on \(date.ukString); \(replacement)"
        }
    }
}
