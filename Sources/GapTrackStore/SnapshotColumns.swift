import GapTrackDomain

/// The MIS snapshot columns a pupils file or a wide markers file carries (SEN status, FSM,
/// FSM Ever 6, EAL, looked after, pupil premium), read the same way by both
/// (docs/import-formats.md, "Snapshot columns" and "Wide files").
struct SnapshotColumns {
    static let names = ["sen_status", "fsm", "fsm_ever_6", "eal", "looked_after", "pupil_premium"]
    /// The staging columns, in the order `read` returns them.
    static let staging: [(name: String, type: String)] = [
        ("sen", "text"), ("fsm", "boolean"), ("fsm_ever_6", "boolean"), ("eal", "boolean"), ("eal_band", "text"),
        ("looked_after", "boolean"), ("pupil_premium", "boolean"),
    ]

    private var senStatuses = Memo<String>()

    /// The row's snapshot fields as staged, in the order of `staging`.
    mutating func read(_ row: inout RowContext) -> [String?] {
        let sen = row.parse("sen_status", expected: "E, K or N") { (text: String) throws(FieldProblem) -> String in
            try senStatuses(text) { (text: String) throws(FieldProblem) -> String in
                do { return try SENStatus.parse(text).censusCode } catch { throw FieldProblem(String(describing: error)) }
            }
        }
        let fsm = row.parse("fsm", expected: "Y or N", FieldParsers.yesNo)
        let fsmEver6 = row.parse("fsm_ever_6", expected: "Y or N", FieldParsers.yesNo)
        let lookedAfter = row.parse("looked_after", expected: "Y or N", FieldParsers.yesNo)
        let pupilPremium = row.parse("pupil_premium", expected: "Y or N", FieldParsers.yesNo)
        let eal = row.parse("eal", expected: "Y or N, or a proficiency band A to E") { (text: String) throws(FieldProblem) -> (Bool, String?) in
            if let yes = try? FieldParsers.yesNo(text) { return (yes, nil) }
            do { return (true, try EALProficiency.parse(text).band) } catch {
                throw FieldProblem("'\(text)' is not an EAL value; expected Y or N, or a proficiency band A (new to English) to E (fluent)")
            }
        }
        return [sen, fsm.map(String.init), fsmEver6.map(String.init), eal.map { String($0.0) }, eal?.1,
                lookedAfter.map(String.init), pupilPremium.map(String.init)]
    }
}
