import GapTrackDomain

/// One synthetic pupil: everything the five school files say about them, and the hidden
/// quantities the files were drawn from (so tests can check what was planted).
///
/// Made by `SchoolPupilFactory` from the seed, the cohort and the pupil's index alone, so the
/// files are written one pupil at a time, with memory that does not grow with the roll.
public struct SchoolPupil: Sendable {
    public let cohort: SchoolCohort
    public let index: Int
    public let upn: String
    public let forename: String
    public let surname: String
    public let gender: String
    public let ethnicity: String
    public let dateOfBirth: CalendarDate
    public let enrolments: [SchoolEnrolment]
    public let markers: [DemoMarker]

    /// Disadvantaged as DfE performance measures count it (FSM Ever 6, looked after or
    /// previously looked after) at the spring census of the pupil's last year at the school.
    public let isDisadvantaged: Bool
    /// How much of the disadvantage shift in attainment applies: 1 for disadvantaged pupils,
    /// 0.5 for pupils with some FSM history that does not count (ended more than six years
    /// ago, never on a census day, or starting after the census), 0 otherwise.
    let disadvantageWeight: Double
    public let isRefugee: Bool
    public let isLookedAfter: Bool
    public let isPreviouslyLookedAfter: Bool
    /// E (EHC plan), K (SEN support) or nil, as at the pupil's last spring census.
    public let senStatus: String?
    /// A-E, or nil for pupils whose first language is English.
    public let ealBand: String?
    /// Arrived in England after the KS2 tests, so has no KS2 results.
    public let arrivedFromAbroad: Bool

    /// The pupil's underlying share of sessions missed (before day-to-day chance).
    public let absencePropensity: Double
    /// Attainment in standard deviations of the national distribution at the end of KS4,
    /// before test noise; disadvantaged pupils are shifted down (see `SchoolAttainmentModel`).
    public let latentAttainment: Double
    /// Tutoring in the spring term of 2024/25, if any was arranged.
    public let tutoring: SupportStatus?

    /// The 2024/25 enrolment, if the pupil is on roll in 2024/25.
    public var enrolment2024: SchoolEnrolment? { enrolments.first { $0.academicYear.startYear == 2024 } }

    /// Whether the pupil's tutoring was delivered (and so has its effect).
    public var wasTutored: Bool { tutoring?.wasDelivered ?? false }

    /// Months older than the cohort's average pupil (Sept-born +5.5, Aug-born -5.5).
    var monthsOlderThanAverage: Double {
        Double(dateOfBirth.days(to: cohort.youngestBirthday)) / 30.44 - 5.5
    }

    func marker(_ kind: DisadvantageMarkerKind, on day: CalendarDate) -> DemoMarker? {
        markers.first { $0.marker == kind.rawValue && $0.covers(day) }
    }
}
