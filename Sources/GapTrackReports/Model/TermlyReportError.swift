/// Why a termly report could not be made, in words a school data lead can act on: each message
/// names what was asked for and lists what would have worked.
public enum TermlyReportError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownProvider(code: String, known: [String])
    /// A well-formed term in an academic year with no enrolments at the provider.
    case termWithoutEnrolments(term: String, provider: String, valid: [String])
    /// No cohort of that name has students in the term; `valid` lists those that do, with sizes.
    case unknownCohort(cohort: String, term: String, valid: [String])
    /// The filter leaves no student of the cohort (docs/methodology.md §7.8).
    case filterLeavesNobody(cohort: String, filter: String, term: String)
    /// A filter names a pupil group the provider does not have; `known` lists those it has.
    case unknownPupilGroup(code: String, known: [String])
    /// A filter of more than one condition for governors or the public: two filtered views differ
    /// by a group that can be small (docs/disclosure-control.md §7.7).
    case combinedFilter(filter: String, audience: String)
    /// A form group's view for governors or the public: the forms add up to the year group and
    /// each is small, so one form's figures could be worked out from the others'
    /// (docs/disclosure-control.md §7.7).
    case formGroupView(filter: String, audience: String)
    /// SEN support or EHC plan alone for governors or the public: each is the SEN view less the
    /// other (docs/disclosure-control.md §7.7).
    case senPartView(filter: String, audience: String)
    /// An EAL, SEN or marker view of a cohort of several year groups for governors or the public:
    /// it is tied to its year groups' views, and could not also be shaped beside the other
    /// dimensions' views of the same pupils (docs/disclosure-control.md §7.8).
    case multiYearDimensionView(filter: String, cohort: String, audience: String)

    public var description: String {
        switch self {
        case let .unknownProvider(code, known):
            let list = known.isEmpty ? "there are no providers yet" : "known providers: " + known.joined(separator: ", ")
            return "no provider with code '\(code)'; \(list)"
        case let .termWithoutEnrolments(term, provider, valid):
            return "\(provider) has no enrolments in \(term)" + Self.list("terms with enrolments", valid)
        case let .unknownCohort(cohort, term, valid):
            return "no students in cohort '\(cohort)' in \(term)" + Self.list("cohorts with students in \(term)", valid)
        case let .filterLeavesNobody(cohort, filter, term):
            return "no student of \(cohort) in \(term) is \(filter): loosen the filter (check the form group is spelt as the MIS has it)"
        case let .combinedFilter(filter, audience):
            return "a report for \(audience) takes one filter at a time, not '\(filter)': two filtered views can be subtracted to reveal a "
                + "small group; use one filter, or ask for the staff report (--audience staff) for the combination"
        case let .formGroupView(filter, audience):
            return "a report for \(audience) is not made by form group ('\(filter)'): form groups are small and add up to the year group, so "
                + "one form's figures could be worked out from the others'; ask for the year group's report, or the staff report (--audience staff)"
        case let .senPartView(filter, audience):
            return "a report for \(audience) is not made for SEN support or EHC plan pupils alone ('\(filter)'): each is the SEN view less "
                + "the other, and EHC plan pupils are often a handful; use sen=any (its tables show both) or sen=none, or ask for the staff "
                + "report (--audience staff)"
        case let .multiYearDimensionView(filter, cohort, audience):
            return "a report for \(audience) of cohort '\(cohort)' is not made for the view '\(filter)': across several year groups its figures could be set "
                + "against the EAL, SEN and marker views of the same pupils; ask for one year group's view (for example --cohort year-11), "
                + "the unfiltered report (its tables show the group), or the staff report (--audience staff)"
        case let .unknownPupilGroup(code, known):
            return "no pupil group '\(code)' at this provider; "
                + (known.isEmpty ? "there are none yet (gaptrack pupil-group add)" : "its groups: " + known.joined(separator: ", "))
        }
    }

    private static func list(_ what: String, _ items: [String]) -> String {
        items.isEmpty ? "; there are none yet (import students.csv first)" : "; \(what): " + items.joined(separator: ", ")
    }
}
