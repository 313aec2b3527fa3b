import GapTrackDomain

/// Why an impact report could not be made, in words a school data lead can act on.
///
/// Groups too small to say anything are not an error: the report is made, and says so in place
/// of the figures (`ImpactOutcome.refusal`). These are the requests that cannot be answered at
/// all. (An unknown provider is `TermlyReportError.unknownProvider`, as for the termly report.)
public enum ImpactError: Error, Sendable, Equatable, CustomStringConvertible {
    case badAssessmentPoint(String)
    case unknownCohort(String, term: AcademicTerm, valid: [String])
    case missingAssessmentPoints
    case noSuchAssessment(AssessmentPointSelector, provider: String)
    case afterNotLater(before: AssessmentPointSelector, after: AssessmentPointSelector)
    case badPeriod(from: String, to: String)
    case costOfLivingNeedsAYear
    case unknownProgramme(String, provider: String)
    case noInterventionChosen
    case badTermlySection(String)

    public var description: String {
        switch self {
        case let .badAssessmentPoint(text):
            "'\(text)' is not an assessment point; write SUBJECT@YYYY/YY-TERM, e.g. maths@2024/25-autumn, "
                + "or SUBJECT:ASSESSMENT NAME@YYYY/YY-TERM, e.g. 'maths:Autumn mock@2024/25-autumn'"
        case let .unknownCohort(code, term, valid):
            "no students in cohort '\(code)' in \(term.year) \(term.term), the term of the before assessment"
                + (valid.isEmpty ? "; there are none yet (import students.csv first)" : "; cohorts with students then: " + valid.joined(separator: ", "))
        case .missingAssessmentPoints:
            "an impact report for a school or college needs --before and --after, e.g. "
                + "--before maths@2024/25-autumn --after maths@2024/25-summer"
        case let .noSuchAssessment(point, provider):
            "\(provider) has no results for \(point); check the subject and term (and the assessment name, if given) "
                + "against the assessments import"
        case let .afterNotLater(before, after):
            "the after assessment (\(after)) must be in a later term than the before assessment (\(before))"
        case let .badPeriod(from, to):
            "the period runs from \(from) to \(to); --from must not be after --to"
        case .costOfLivingNeedsAYear:
            "a cost-of-living report needs the academic year, e.g. --year 2024/25"
        case let .unknownProgramme(prefix, provider):
            "\(provider) has no support record whose reference starts with '\(prefix)'; check the reference column of the support import"
        case let .badTermlySection(text):
            "'\(text)' is not an impact section; write TYPE,BEFORE,AFTER, e.g. tutoring,maths@2024/25-autumn,maths@2024/25-summer"
        case .noInterventionChosen:
            "name what to evaluate: --type (e.g. tutoring), --programme (a reference prefix) or --support cost-of-living"
        }
    }
}
