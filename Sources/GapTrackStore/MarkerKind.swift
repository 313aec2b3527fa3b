import GapTrackDomain

/// The markers the database stores (`marker_kind` in sql/004_markers.sql): the domain's
/// `DisadvantageMarkerKind`, plus pupil premium (eligible or funded, which the DfE derives rather
/// than the school observes) and an MIS-reported FSM Ever 6 status.
enum MarkerKind: String, Sendable, Hashable, CaseIterable {
    case fsm
    case fsmEver6 = "fsm_ever_6"
    case pupilPremium = "pupil_premium"
    case lookedAfter = "looked_after"
    case previouslyLookedAfter = "previously_looked_after"
    case eal
    case refugeeOrAsylumSeeker = "refugee_or_asylum_seeker"
    case sen
    case youngCarer = "young_carer"
    case serviceChild = "service_child"
    case imdQuintile = "imd_quintile"
    case polar4Quintile = "polar4_quintile"
    case firstInFamily = "first_in_family"
    case careLeaver = "care_leaver"
    case estranged
    case smcParentalOccupation = "smc_parental_occupation"

    /// Reads a marker name as a spreadsheet might write it ("Looked after", "PP", "SEND").
    static func parse(_ text: String) throws(FieldProblem) -> MarkerKind {
        let key = ColumnMapping.key(text)
        switch key {
        case "pupilpremium", "pp", "ppg", "pupilpremiumeligible": return .pupilPremium
        case "fsmever6", "ever6", "fsm6", "ever6fsm": return .fsmEver6
        default: break
        }
        if let direct = MarkerKind.allCases.first(where: { ColumnMapping.key($0.rawValue) == key }) { return direct }
        if let domain = try? DisadvantageMarkerKind.parse(text), let kind = MarkerKind(rawValue: domain.rawValue) { return kind }
        throw FieldProblem("'\(text)' is not a marker; expected one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
    }

    /// The stored value for this marker from the file's `value` field, or nil where the marker
    /// carries none. Throws with what was expected.
    func storedValue(_ text: String?) throws(FieldProblem) -> String? {
        switch self {
        case .sen:
            guard let text else { throw FieldProblem("is empty; an SEN marker needs E (EHC plan) or K (SEN support)") }
            let status: SENStatus
            do { status = try SENStatus.parse(text) } catch { throw FieldProblem(String(describing: error)) }
            guard status.hasSEN else {
                throw FieldProblem("'\(text)' means no SEN; a marker row records a spell of SEN, so give E or K, or leave the row out")
            }
            return status.censusCode
        case .eal:
            guard let text, (try? FieldParsers.yesNo(text)) != true else { return nil }
            do { return try EALProficiency.parse(text).band } catch {
                throw FieldProblem("'\(text)' is not an EAL proficiency band; expected A (new to English) to E (fluent), or leave it blank")
            }
        case .imdQuintile:
            guard let text else { throw FieldProblem("is empty; an IMD quintile marker needs 1 (most deprived) to 5") }
            do { return String(try IMDQuintile(parsing: text).value) } catch { throw FieldProblem(String(describing: error)) }
        case .polar4Quintile:
            guard let text else { throw FieldProblem("is empty; a POLAR4 quintile marker needs 1 (lowest participation) to 5") }
            do { return String(try POLAR4Quintile(parsing: text).value) } catch { throw FieldProblem(String(describing: error)) }
        case .smcParentalOccupation:
            guard let text else { throw FieldProblem("is empty; give the answer to the SMC key question, e.g. technical_and_craft or prefer_not_to_say") }
            do { return try SMCParentalOccupation.parse(text).rawValue } catch { throw FieldProblem(String(describing: error)) }
        case .pupilPremium:
            switch ColumnMapping.key(text ?? "") {
            case "eligible", "eligibility", "y", "yes": return "eligible"
            case "funded", "allocated", "funding": return "funded"
            default: throw FieldProblem("'\(text ?? "")' is not a pupil premium value; expected eligible (recorded as eligible) or funded (in the DfE allocation)")
            }
        default:
            guard let text else { return nil }
            if (try? FieldParsers.yesNo(text)) == true { return nil }
            throw FieldProblem("'\(text)' is not used for the \(rawValue) marker; leave it blank (a row records that the marker applies from start_date to end_date)")
        }
    }

    /// Pupil premium 'eligible' and 'funded' spells may overlap; every other marker has one
    /// spell at a time (the `overlap_key` of student_markers).
    func overlapKey(value: String?) -> String {
        self == .pupilPremium ? (value ?? "") : ""
    }
}
