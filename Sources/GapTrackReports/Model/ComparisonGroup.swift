import GapTrackDomain
import GapTrackStore
/// Which students a termly report compares with the others: the DfE "disadvantaged" definition
/// for schools, or, where that group is empty (universities, colleges without school markers), a
/// higher-education definition (docs/methodology.md §1). `gaptrack report termly --compare` takes `rawValue`.
///
/// The SQL side is `report_use_comparison`, which takes `sqlKey`; students a
/// definition cannot place (no IMD or POLAR4 quintile recorded, no SMC answer that places them)
/// are in neither group and left out of both sides of every gap.
public enum ComparisonGroup: String, Sendable, Equatable, Codable, CaseIterable {
    /// FSM Ever 6, looked after or previously looked after (DfE performance measures).
    case dfeDisadvantaged = "dfe-disadvantaged"
    /// Lower socio-economic background: IMD or POLAR4 quintile 1–2, first in family, care leaver
    /// or estranged (the cost-of-living impact report's definition).
    case lseb
    /// IMD quintile 1 against quintiles 2–5.
    case imdQuintile1 = "imd-q1"
    /// POLAR4 quintile 1 against quintiles 2–5.
    case polar4Quintile1 = "polar4-q1"
    /// The Social Mobility Commission's lower socio-economic background against professional and
    /// intermediate backgrounds.
    case smcLower = "smc-lower"
    case firstInFamily = "first-in-family"
    /// Care leaver, looked after or previously looked after.
    case careExperienced = "care-experienced"

    /// The markers whose every holder is in the compared group by this definition
    /// (`report_use_comparison`): in a view of such a marker the other side is empty.
    public var impliedByMarkers: Set<DisadvantageMarkerKind> {
        switch self {
        case .dfeDisadvantaged: [.fsm, .fsmEver6, .lookedAfter, .previouslyLookedAfter]
        case .lseb: [.firstInFamily, .careLeaver, .estranged]
        case .firstInFamily: [.firstInFamily]
        case .careExperienced: [.careLeaver, .lookedAfter, .previouslyLookedAfter]
        case .imdQuintile1, .polar4Quintile1, .smcLower: []
        }
    }

    /// The value `report_use_comparison` takes.
    public var sqlKey: String {
        switch self {
        case .dfeDisadvantaged: "dfe_disadvantaged"
        case .lseb: "lseb"
        case .imdQuintile1: "imd_q1"
        case .polar4Quintile1: "polar4_q1"
        case .smcLower: "smc_lower"
        case .firstInFamily: "first_in_family"
        case .careExperienced: "care_experienced"
        }
    }

    /// The compared group's row in the group-size and attendance tables.
    public var groupLabel: String {
        switch self {
        case .dfeDisadvantaged: "Disadvantaged"
        case .lseb: "LSEB (lower socio-economic background)"
        case .imdQuintile1: "Compared: IMD quintile 1"
        case .polar4Quintile1: "Compared: POLAR4 quintile 1"
        case .smcLower: "Compared: SMC lower socio-economic"
        case .firstInFamily: "Compared: first in family"
        case .careExperienced: "Care-experienced"
        }
    }

    /// The other side's row: everyone else, or, where some students cannot be placed, the
    /// students the definition places outside the group.
    public var othersLabel: String {
        switch self {
        case .imdQuintile1: "Others: IMD quintiles 2–5"
        case .polar4Quintile1: "Others: POLAR4 quintiles 2–5"
        case .smcLower: "Others: SMC professional or intermediate"
        default: "Other students"
        }
    }

    /// In running text: "disadvantaged students", "LSEB students".
    public var students: String {
        switch self {
        case .dfeDisadvantaged: "disadvantaged students"
        case .lseb: "LSEB students"
        case .imdQuintile1: "IMD quintile 1 students"
        case .polar4Quintile1: "POLAR4 quintile 1 students"
        case .smcLower: "students from lower socio-economic backgrounds (SMC)"
        case .firstInFamily: "first-in-family students"
        case .careExperienced: "care-experienced students"
        }
    }

    /// The group in a suppression reason: "the LSEB group has fewer than 10 students".
    public var groupWord: String {
        switch self {
        case .dfeDisadvantaged: "disadvantaged"
        case .lseb: "LSEB"
        case .imdQuintile1: "IMD quintile 1"
        case .polar4Quintile1: "POLAR4 quintile 1"
        case .smcLower: "SMC lower socio-economic"
        case .firstInFamily: "first-in-family"
        case .careExperienced: "care-experienced"
        }
    }

    /// The other side in running text: "all others", "students in IMD quintiles 2–5".
    public var othersStudents: String {
        switch self {
        case .imdQuintile1: "students in IMD quintiles 2–5"
        case .polar4Quintile1: "students in POLAR4 quintiles 2–5"
        case .smcLower: "students from professional or intermediate backgrounds"
        default: "all others"
        }
    }

    /// For narrow column headings: "disadv.", "LSEB".
    public var shortLabel: String {
        switch self {
        case .dfeDisadvantaged: "disadv."
        case .lseb: "LSEB"
        case .imdQuintile1: "IMD Q1"
        case .polar4Quintile1: "POLAR4 Q1"
        case .smcLower: "SMC lower"
        case .firstInFamily: "first in fam."
        case .careExperienced: "care-exp."
        }
    }

    /// The definition with its source, for the method notes and the CSV.
    public var definition: String {
        switch self {
        case .dfeDisadvantaged:
            "Disadvantaged follows the DfE performance-table definition: eligible for free school meals at any point in the last six years (FSM Ever 6), "
                + "looked after, or previously looked after. Service children are not counted as disadvantaged."
        case .lseb:
            "LSEB (students from lower socio-economic backgrounds) as gaptrack defines them for higher education and its cost-of-living impact report: "
                + "IMD quintile 1 or 2, or POLAR4 quintile 1 or 2, or first in family, or care leaver, or estranged (Office for Students access and "
                + "participation characteristics; the OfS publishes no single LSEB definition, so this one is stated). A quintile not recorded does not "
                + "place a student in the group. The others are every other student of the cohort."
        case .imdQuintile1:
            "Students living in the most deprived fifth of neighbourhoods (IMD quintile 1, English Indices of Deprivation) against those in quintiles 2–5; "
                + "students with no IMD quintile recorded are in neither group."
        case .polar4Quintile1:
            "Students from the fifth of areas with the lowest young participation in higher education (POLAR4 quintile 1, Office for Students) against "
                + "quintiles 2–5; students with no POLAR4 quintile recorded are in neither group."
        case .smcLower:
            "The Social Mobility Commission's lower socio-economic background (parental occupation at about 14: technical and craft, routine and "
                + "semi-routine, long-term unemployed) against the professional and intermediate backgrounds; students who did not declare, or whose "
                + "answer places them in no group, are in neither group, as the Commission asks."
        case .firstInFamily:
            "First in their family to go to university (no parent with a higher-education qualification) against every other student."
        case .careExperienced:
            "Care-experienced: care leavers, and students looked after or previously looked after, against every other student."
        }
    }

    /// The comparison a report uses when none is asked for: the DfE definition at a school; LSEB
    /// at a university, and at a college whose cohort holds no school markers (nobody FSM Ever 6,
    /// looked after or previously looked after), where the DfE group would be empty.
    public static func defaultFor(_ kind: ReportProvider.Kind, dfeDisadvantagedStudents: Int) -> ComparisonGroup {
        switch kind {
        case .school: .dfeDisadvantaged
        case .college: dfeDisadvantagedStudents > 0 ? .dfeDisadvantaged : .lseb
        case .university: .lseb
        }
    }

    /// The group sizes that must add up for the compared pair, besides "compared + others ≤
    /// cohort": the cells of each side that a reader could subtract from it.
    var partitions: [GroupPartition] {
        let compared = ReportGroup.disadvantaged.id
        let others = ReportGroup.others.id
        switch self {
        case .imdQuintile1:
            return [.init(cells: (2...5).map { ReportGroup.imdQuintile($0).id }, total: others)]
        case .polar4Quintile1:
            return [.init(cells: (2...5).map { ReportGroup.polar4Quintile($0).id }, total: others)]
        case .smcLower:
            return [
                .init(cells: [compared, others], total: ReportGroup.smcDeclared.id),
                .init(cells: [ReportGroup.smc(.professional).id, ReportGroup.smc(.intermediate).id], total: others),
            ]
        default:
            return []
        }
    }
}
