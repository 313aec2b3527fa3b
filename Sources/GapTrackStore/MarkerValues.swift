import GapTrackDomain

/// How markers.csv rows become `student_markers` rows: the value each marker carries, and which
/// spells of it may overlap.
extension DisadvantageMarkerKind {
    /// Reads a marker name as a spreadsheet might write it ("Looked after", "PP", "SEND").
    static func parseImported(_ text: String) throws(FieldProblem) -> DisadvantageMarkerKind {
        do { return try parse(text) } catch {
            throw FieldProblem("'\(text)' is not a marker; expected one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
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
