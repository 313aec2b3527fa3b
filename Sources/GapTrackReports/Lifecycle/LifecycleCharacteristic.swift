import GapTrackStore

/// A way of splitting entrants into a group whose outcomes the OfS watches and the group it is
/// compared with (docs/methodology.md §11.6): quintile 1 against quintile 5 for the area measures,
/// those with a characteristic against those without it otherwise. Students in neither (middle
/// quintiles, not known) are counted in the stage's total only.
public struct LifecycleCharacteristic: Sendable {
    /// A short stable name for CSV, JSON and `--split`: imd, polar4, fsm-at-school, ...
    public let id: String
    /// The heading a reader sees.
    public let name: String
    public let groupLabel: String
    public let comparisonLabel: String
    /// true: in the group; false: in the comparison group; nil: in neither.
    let side: @Sendable (LifecycleStudent) -> Bool?

    public static let all: [LifecycleCharacteristic] = [
        quintile("imd", "Index of Multiple Deprivation", "IMD") { $0.imdQuintile },
        quintile("polar4", "POLAR4 (young participation by area)", "POLAR4") { $0.polar4Quintile },
        quintile("tundra", "TUNDRA (young participation by area, state-school leavers)", "TUNDRA") { $0.tundraQuintile },
        quintile("abcs", "ABCS (associations between characteristics of students)", "ABCS") { $0.abcsQuintile },
        flag("fsm-at-school", "Free school meals at school", "Had free school meals at school", "Did not have free school meals at school") { $0.fsmAtSchool },
        flag("care-leaver", "Care leavers", "Care leaver", "Not a care leaver") { $0.careLeaver },
        flag("estranged", "Estranged students", "Estranged", "Not estranged") { $0.estranged },
        flag("first-in-family", "First in family", "First in family to go to university", "A parent went to university") { $0.firstInFamily },
        LifecycleCharacteristic(id: "mature", name: "Age on entry", groupLabel: "Mature (21 or over)", comparisonLabel: "Young (under 21)") { $0.mature },
        flag("disabled", "Disability", "Disabled", "No known disability") { $0.disabled },
        LifecycleCharacteristic(id: "ethnicity", name: "Ethnicity", groupLabel: "Asian, Black, mixed or other", comparisonLabel: "White") {
            $0.ethnicityGroup.map { $0 == "abmo" }
        },
        LifecycleCharacteristic(id: "sex", name: "Sex", groupLabel: "Male", comparisonLabel: "Female") {
            $0.sex.map { $0 == "M" }
        },
    ]

    static func quintile(_ id: String, _ name: String, _ short: String,
                         _ value: @escaping @Sendable (LifecycleStudent) -> Int?) -> LifecycleCharacteristic {
        LifecycleCharacteristic(id: id, name: name, groupLabel: "\(short) quintile 1", comparisonLabel: "\(short) quintile 5") {
            switch value($0) {
            case 1: true
            case 5: false
            default: nil
            }
        }
    }

    static func flag(_ id: String, _ name: String, _ group: String, _ comparison: String,
                     _ value: @escaping @Sendable (LifecycleStudent) -> Bool?) -> LifecycleCharacteristic {
        LifecycleCharacteristic(id: id, name: name, groupLabel: group, comparisonLabel: comparison, side: value)
    }
}

/// The stages of the student lifecycle the OfS measures (docs/methodology.md §11.3–§11.5).
public enum LifecycleStage: String, Sendable, Codable, CaseIterable {
    case access
    case continuation
    case completion
    case attainment
    case progression

    public var title: String {
        switch self {
        case .access: "Access: who enters"
        case .continuation: "Continuation"
        case .completion: "Completion"
        case .attainment: "Attainment: firsts and upper seconds"
        case .progression: "Progression"
        }
    }

    /// What the rate counts, and over whom, in the OfS's terms.
    public var definition: String {
        switch self {
        case .access:
            "Share of the year's entrants in each group (entrants: course instances that began in the academic year)."
        case .continuation:
            "Entrants still studying, or qualified, one year and 15 days after they began (two years and 15 days part-time); OfS condition B3 measure."
        case .completion:
            "Entrants qualified, or still studying, four years and 15 days after they began (six years and 15 days part-time); OfS condition B3 measure."
        case .attainment:
            "Of classified first degrees awarded, the share that were a first or an upper second (2:1), by year of entry."
        case .progression:
            "Of qualifiers whose Graduate Outcomes activity is recorded, the share in managerial or professional work, further study or another positive outcome."
        }
    }

    /// The instance's outcome for this stage: nil when it is not in the stage's population.
    func outcome(_ student: LifecycleStudent) -> Bool? {
        switch self {
        case .access: true
        case .continuation: student.continued
        case .completion: student.completed
        case .attainment: student.goodHonours
        case .progression: student.progressed
        }
    }
}
