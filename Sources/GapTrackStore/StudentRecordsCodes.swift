/// HESA code lists a student-record extract carries, read into what the OfS lifecycle measures
/// need (docs/methodology.md §11, docs/import-formats.md "Student records (HESA / SITS)").
///
/// Each reader accepts HESA's code and the words a SITS report or a spreadsheet uses for the
/// same thing, and throws a `FieldProblem` that quotes the value and lists what was expected.
enum StudentRecordsCodes {
    /// The two leaving-reason lists: the HESA Student record's RSNEND (to 2021/22) and Data
    /// Futures' RSNENGEND (from 2022/23), whose codes differ (docs/methodology.md §11.3).
    enum LeavingCodeList: String, Sendable {
        case rsnend = "RSNEND"
        case rsnengend = "RSNENGEND"
    }

    /// A leaving reason and what it means for continuation: `he_leaving_outcome`.
    static func leavingOutcome(_ text: String, list: LeavingCodeList) throws(FieldProblem) -> (code: String, outcome: String) {
        let code = text.count == 1 ? "0" + text : text
        let outcome: String?
        switch list {
        case .rsnend:
            // 01 successful completion; 98 completion, result unknown; 03 transferred to another
            // provider; 05 death; 99 unknown; every other code is leaving without completing.
            switch code {
            case "01": outcome = "qualified"
            case "98": outcome = "award_pending"
            case "03": outcome = "transferred"
            case "05": outcome = "died"
            case "99": outcome = "unknown"
            case "02", "04", "06", "07", "08", "09", "10", "11": outcome = "left"
            default: outcome = nil
            }
        case .rsnengend:
            switch code {
            case "01": outcome = "qualified"
            case "98": outcome = "award_pending"
            case "03", "12": outcome = "transferred"
            case "05": outcome = "died"
            case "11": outcome = "left"
            default: outcome = nil
            }
        }
        guard let outcome else {
            let valid = list == .rsnend ? "01-11, 98 or 99" : "01, 03, 05, 11, 12 or 98"
            throw FieldProblem("'\(String(text.prefix(20)))' is not a \(list.rawValue) code; expected \(valid) (HESA's list; docs/import-formats.md)")
        }
        return (code, outcome)
    }

    /// HESA MODE / SCSMODE, or FT/PT. Returns `he_study_mode`. Dormant and sabbatical codes are
    /// refused: a year with no study is not a year of the course.
    static func mode(_ text: String) throws(FieldProblem) -> String {
        switch text.lowercased() {
        case "01", "02", "03", "1", "2", "3", "23", "24", "25", "43", "ft", "full-time", "full time", "fulltime", "f": return "full_time"
        case "31", "38", "39", "44", "pt", "part-time", "part time", "parttime", "p": return "part_time"
        default:
            throw FieldProblem("'\(String(text.prefix(20)))' is not a mode of study gaptrack uses; expected FT or PT, or a HESA mode code "
                + "(01, 02, 03, 23, 24, 25, 43 full-time; 31, 38, 39, 44 part-time); dormant years (63, 64, 73, 74) and sabbaticals (51) are not study years")
        }
    }

    /// A quintile 1 (least advantaged fifth) to 5.
    static func quintile(_ text: String) throws(FieldProblem) -> Int {
        guard let value = Int(text.hasPrefix("Q") || text.hasPrefix("q") ? String(text.dropFirst()) : text), (1...5).contains(value) else {
            throw FieldProblem("'\(String(text.prefix(20)))' is not a quintile; expected 1 (least advantaged fifth) to 5")
        }
        return value
    }

    /// Yes/no, or a HESA-style 01 yes / 02 no; 03 and above (not known, refused, not sought) are unknown.
    static func yesNoOrCode(_ text: String) throws(FieldProblem) -> Bool? {
        switch text.lowercased() {
        case "01": return true
        case "02": return false
        case "03", "04", "05", "97", "98", "99", "unknown", "not known", "refused": return nil
        default:
            do { return try FieldParsers.yesNo(text) } catch {
                throw FieldProblem("'\(String(text.prefix(20)))' is not yes or no; write Y or N, or HESA's 01 (yes) / 02 (no), or leave it blank")
            }
        }
    }

    /// HESA PARED (does a parent hold a higher-education qualification?): 01 yes, 02 no. First in
    /// family is the answer "no".
    static func firstInFamilyFromParentalEducation(_ text: String) throws(FieldProblem) -> Bool? {
        try yesNoOrCode(text).map { !$0 }
    }

    /// Disability: Y/N, or a HESA DISABLE code (00 or 95 no known disability; 97–99 not known,
    /// refused or not sought; any other code a disability).
    static func disabled(_ text: String) throws(FieldProblem) -> Bool? {
        if text.count == 2, text.allSatisfy(\.isNumber) {
            switch text {
            case "00", "95": return false
            case "97", "98", "99": return nil
            default: return true
            }
        }
        do { return try FieldParsers.yesNo(text) } catch {
            throw FieldProblem("'\(String(text.prefix(20)))' is not a disability value; write Y or N, or a HESA DISABLE code (00 none known)")
        }
    }

    /// Degree classification: HESA CLASS codes or words. Returns `he_classification`.
    static func classification(_ text: String) throws(FieldProblem) -> String {
        switch text.lowercased() {
        case "01", "first", "1st", "first class", "first-class honours": return "first"
        case "02", "2:1", "2.1", "upper second", "upper second-class honours": return "upper_second"
        case "03", "2:2", "2.2", "lower second", "lower second-class honours": return "lower_second"
        case "05", "third", "3rd", "third-class honours", "pass", "09": return "third_or_pass"
        case "07", "14", "unclassified", "unclassified honours": return "unclassified"
        default:
            throw FieldProblem("'\(String(text.prefix(20)))' is not a degree classification; expected First, 2:1, 2:2, Third, Pass or Unclassified (or HESA CLASS 01, 02, 03, 05, 09, 07, 14)")
        }
    }

    /// Graduate Outcomes activity as the OfS progression measure groups it: `he_progression`.
    static func progression(_ text: String) throws(FieldProblem) -> String {
        let key = text.lowercased().replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
        switch key {
        case "managerial_or_professional", "professional", "highly_skilled": return "managerial_or_professional"
        case "further_study", "study": return "further_study"
        case "other_positive", "positive": return "other_positive"
        case "other", "none", "negative": return "other"
        default:
            throw FieldProblem("'\(String(text.prefix(20)))' is not a progression outcome; expected managerial_or_professional, further_study, other_positive or other")
        }
    }

    /// Sex: F/M/X, Female/Male/Other, or Data Futures SEXID 10/11/12.
    static func sex(_ text: String) throws(FieldProblem) -> String {
        switch text.lowercased() {
        case "10", "f", "female": return "F"
        case "11", "m", "male": return "M"
        case "12", "x", "other": return "X"
        case "u", "unknown": return "U"
        default: throw FieldProblem("'\(String(text.prefix(20)))' is not a sex; expected F, M or X (or SEXID 10, 11, 12)")
        }
    }

    /// OfS level of study of a course, from words or a HESA qualification-aim family.
    static func courseLevel(_ text: String) throws(FieldProblem) -> String {
        let key = text.lowercased().replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
        switch key {
        case "first_degree", "ug", "undergraduate", "degree", "ba", "bsc", "beng": return "first_degree"
        case "other_undergraduate", "foundation_degree", "hnd", "hnc", "certhe", "diphe": return "other_undergraduate"
        case "undergraduate_apprenticeship", "apprenticeship": return "undergraduate_apprenticeship"
        case "postgraduate_taught", "pgt", "ma", "msc": return "postgraduate_taught"
        case "postgraduate_research", "pgr", "phd", "mphil": return "postgraduate_research"
        default:
            throw FieldProblem("'\(String(text.prefix(20)))' is not a level of study; expected first_degree, other_undergraduate, undergraduate_apprenticeship, postgraduate_taught or postgraduate_research")
        }
    }
}
