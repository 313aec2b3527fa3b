import GapStatistics
import GapTrackDomain
import GapTrackStore

/// The yearly pupil premium review of one school, in the sections of the DfE's pupil premium
/// strategy statement template (docs/methodology.md §6.5): school overview, funding overview,
/// part A (challenges, intended outcomes, activity by tier with its evidence and budget), part B
/// (spend against plan by tier, externally provided programmes, service pupil premium).
///
/// Built from the provider's full data, then shaped for its audience like every report: staff
/// see the true counts, marked † under 10; governors and the public see `c`, audited.
public struct PupilPremiumReview: Sendable, Equatable, Codable {
    public var provider: ReportProvider
    public var audience: ReportAudience
    /// The academic year the statement is for.
    public var year: AcademicYear
    /// The census the counts are taken at: the January census of `year`.
    public var census: CalendarDate
    /// The rates of the financial year the census funds (docs/methodology.md §1.4).
    public var rates: PupilPremiumRates
    public var pupilsOnRoll: ReportedFigure<Int>
    /// One line per funding ground: pupils and the allocation they attract.
    public var allocation: [AllocationLine]
    /// What the school receives: every ground but looked-after children, whose premium is paid to
    /// the local authority.
    public var allocationToSchool: ReportedFigure<PoundsAndPence>
    /// The allocation in words, as every format and the governors' pack print it
    /// (`allocationSentence`): JSON carries it so a reader of the JSON gets the same sentence.
    public var allocationText: String = ""
    /// Pupils eligible on a disadvantage ground (FSM Ever 6, looked after, previously looked after)
    /// as a percentage of pupils on roll, to one decimal.
    public var eligiblePercent: ReportedFigure<Double>
    public var tiers: [TierLine]
    /// Spend on support types with no tier; nil when there is none.
    public var unassignedSpend: ReportedFigure<PoundsAndPence>?
    public var totalPlanned: PoundsAndPence
    public var totalSpent: ReportedFigure<PoundsAndPence>
    public var challenges: [PupilPremiumStatementRow]
    public var intendedOutcomes: [PupilPremiumStatementRow]
    public var activities: [PupilPremiumStatementRow]
    public var tierAssignments: [PupilPremiumTierAssignment]
    public var suppressionThreshold: Int
    public var suppressionNotes: [String]
    public var method: [MethodNote]

    public struct AllocationLine: Sendable, Equatable, Codable {
        public enum Ground: String, Sendable, Equatable, Codable, CaseIterable {
            case fsmEver6Primary = "fsm_ever6_primary"
            case fsmEver6Secondary = "fsm_ever6_secondary"
            case previouslyLookedAfter = "previously_looked_after"
            case lookedAfter = "looked_after"
            case serviceChild = "service_child"

            public var label: String {
                switch self {
                case .fsmEver6Primary: "FSM Ever 6, reception to year 6"
                case .fsmEver6Secondary: "FSM Ever 6, years 7 to 11"
                case .previouslyLookedAfter: "Previously looked after (PLAC)"
                case .lookedAfter: "Looked after (LAC; paid to the local authority)"
                case .serviceChild: "Service children (service pupil premium)"
                }
            }

            /// Whether the premium is paid to the school (looked-after children's is paid to the
            /// local authority's virtual school head).
            public var paidToSchool: Bool { self != .lookedAfter }

            /// A disadvantage ground (the DfE "disadvantaged"); service children are not.
            public var isDisadvantage: Bool { self != .serviceChild }

            public func rate(_ rates: PupilPremiumRates) -> PoundsAndPence {
                switch self {
                case .fsmEver6Primary: rates.fsmEver6Primary
                case .fsmEver6Secondary: rates.fsmEver6Secondary
                case .previouslyLookedAfter, .lookedAfter: rates.lookedAfterOrPreviouslyLookedAfter
                case .serviceChild: rates.servicePupil
                }
            }
        }

        public var ground: Ground
        public var rate: PoundsAndPence
        public var pupils: ReportedFigure<Int>
        public var amount: ReportedFigure<PoundsAndPence>
    }

    public struct TierLine: Sendable, Equatable, Codable {
        public var tier: PupilPremiumTier
        /// The planned budget; nil when none was set.
        public var planned: PoundsAndPence?
        public var spent: ReportedFigure<PoundsAndPence>
        /// Pupils with pupil-premium-funded support of this tier.
        public var students: ReportedFigure<Int>
    }

    /// "Pupil premium review: Demo Academy, 2024/25".
    public var title: String { "Pupil premium review: \(provider.name), \(year)" }

    /// The statement's activities of one tier.
    public func activities(in tier: PupilPremiumTier) -> [PupilPremiumStatementRow] {
        activities.filter { $0.tier == tier }
    }

    /// Externally provided programmes (template part B): activities with a provider named.
    public var externalProgrammes: [PupilPremiumStatementRow] { activities.filter { $0.externalProvider != nil } }

    public func line(_ ground: AllocationLine.Ground) -> AllocationLine? { allocation.first { $0.ground == ground } }

    public func tier(_ tier: PupilPremiumTier) -> TierLine? { tiers.first { $0.tier == tier } }
}
