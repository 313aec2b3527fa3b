import GapTrackDomain

/// A group of students a report counts or compares, with a stable id (used in CSV and JSON,
/// and for ordering) and the label a reader sees.
///
/// Groups follow docs/methodology.md §1: the DfE "disadvantaged" definition (FSM Ever 6, looked after or
/// previously looked after) and the others; the subgroups schools report; for higher education
/// the OfS access and participation groups; and the Social Mobility Commission's three
/// socio-economic groups with those who did not declare.
public struct ReportGroup: Sendable, Hashable, Codable {
    public let id: String
    public let label: String
    public let family: Family

    public init(id: String, label: String, family: Family) {
        self.id = id
        self.label = label
        self.family = family
    }

    /// Groups that belong together in a table; the renderers draw a rule between families.
    public enum Family: String, Sendable, Hashable, Codable, CaseIterable {
        case cohort
        case disadvantage
        case characteristics
        case areaQuintiles = "area_quintiles"
        case higherEducation = "higher_education"
        case socioEconomic = "socio_economic"
    }

    public static let cohort = ReportGroup(id: "cohort", label: "Whole cohort", family: .cohort)
    public static let disadvantaged = ReportGroup(id: "disadvantaged", label: "Disadvantaged", family: .disadvantage)
    public static let others = ReportGroup(id: "others", label: "Other students", family: .disadvantage)
    public static let fsm = ReportGroup(id: "fsm", label: "FSM eligible in the term", family: .disadvantage)
    public static let fsmEver6 = ReportGroup(id: "fsm_ever_6", label: "FSM Ever 6", family: .disadvantage)
    public static let lookedAfter = ReportGroup(
        id: "looked_after", label: "Looked after or previously looked after (LAC/PLAC)", family: .disadvantage)
    public static let eal = ReportGroup(id: "eal", label: "EAL", family: .characteristics)
    public static let sen = ReportGroup(id: "sen", label: "SEN (EHC plan or SEN support)", family: .characteristics)
    public static let senEHCPlan = ReportGroup(id: "sen_ehc_plan", label: "SEN: EHC plan (E)", family: .characteristics)
    public static let senSupport = ReportGroup(id: "sen_support", label: "SEN support (K)", family: .characteristics)
    public static let refugee = ReportGroup(id: "refugee_or_asylum_seeker", label: "Refugee or asylum seeker", family: .characteristics)
    public static let youngCarer = ReportGroup(id: "young_carer", label: "Young carer", family: .characteristics)
    public static let serviceChild = ReportGroup(id: "service_child", label: "Service child", family: .characteristics)
    public static let firstInFamily = ReportGroup(id: "first_in_family", label: "First in family", family: .higherEducation)
    public static let careLeaver = ReportGroup(id: "care_leaver", label: "Care leaver", family: .higherEducation)
    public static let estranged = ReportGroup(id: "estranged", label: "Estranged", family: .higherEducation)
    public static let smcNotDeclared = ReportGroup(
        id: "smc_not_declared", label: "SMC: not declared or no group", family: .socioEconomic)
    /// All who gave a parental occupation that places them in an SMC group: the declaration rate.
    public static let smcDeclared = ReportGroup(id: "smc_declared", label: "SMC: declared (declaration rate)", family: .socioEconomic)

    /// IMD quintile 1 is the most deprived fifth of neighbourhoods (English Indices of Deprivation).
    public static func imdQuintile(_ quintile: Int) -> ReportGroup {
        ReportGroup(
            id: "imd_q\(quintile)", label: "IMD quintile \(quintile)\(quintile == 1 ? " (most deprived)" : "")",
            family: .areaQuintiles)
    }

    /// POLAR4 quintile 1 is the fifth of areas with the lowest young participation in HE (OfS).
    public static func polar4Quintile(_ quintile: Int) -> ReportGroup {
        ReportGroup(
            id: "polar4_q\(quintile)", label: "POLAR4 quintile \(quintile)\(quintile == 1 ? " (lowest participation)" : "")",
            family: .areaQuintiles)
    }

    public static func smc(_ group: SMCSocioEconomicGroup) -> ReportGroup {
        switch group {
        case .professional: ReportGroup(id: "smc_professional", label: "SMC: professional background", family: .socioEconomic)
        case .intermediate: ReportGroup(id: "smc_intermediate", label: "SMC: intermediate background", family: .socioEconomic)
        case .lowerSocioEconomic:
            ReportGroup(id: "smc_lower_socio_economic", label: "SMC: lower socio-economic background", family: .socioEconomic)
        }
    }

    /// Every group id a report may contain, in the order reports list them.
    public static let standardOrder: [ReportGroup] = [
        .cohort, .disadvantaged, .others, .fsm, .fsmEver6, .lookedAfter,
        .eal, .sen, .senEHCPlan, .senSupport, .refugee, .youngCarer, .serviceChild,
    ] + (1...5).map(imdQuintile) + (1...5).map(polar4Quintile) + [
        .firstInFamily, .careLeaver, .estranged,
        .smc(.professional), .smc(.intermediate), .smc(.lowerSocioEconomic), .smcDeclared, .smcNotDeclared,
    ]
}
