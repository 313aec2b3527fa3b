/// A CSV cell made safe to open in a spreadsheet (CSV or formula injection, CWE-1236).
///
/// Excel, LibreOffice Calc and Google Sheets read a cell that starts with `=`, `+`, `-` or `@`
/// as a formula, and a leading tab or carriage return can hide such a start; a report cell
/// holding text that someone typed (a provider, an intervention type, a subject, a file name)
/// could then run `=HYPERLINK(...)` or worse on the computer of whoever opens the report.
/// OWASP's advice (CSV Injection; ASVS 5.0 requirement 1.2.10) is to start such a cell with a
/// single quote, which every spreadsheet shows as text and does not evaluate.
///
/// Numbers are left alone: a negative figure such as `-0.42` starts with a minus sign, yet is a
/// number, not a formula, and must stay one so that it can be summed and charted. Only a cell
/// that is wholly a plain decimal number (`-0.42`, `-3`, `+1.5`) counts as one; `-1+2` or
/// `-0.42)` is text.
///
/// For files that people open, such as reports. Not for import files that gaptrack reads back
/// (`gaptrack demo generate` writes them with `CSVWriter` alone): there a leading quote would
/// change the data.
public enum SpreadsheetSafeText {
    /// The first characters that make a spreadsheet treat a cell as a formula, per OWASP.
    public static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// The quote put in front of a cell that would otherwise be read as a formula.
    public static let guardMark = "'"

    /// `text` as it is safe to write in a spreadsheet's cell: unchanged unless it starts with one
    /// of `formulaStarts` and is not a plain number, in which case with `guardMark` in front.
    public static func cell(_ text: String) -> String {
        needsGuard(text) ? guardMark + text : text
    }

    /// Whether a spreadsheet would read `text` as a formula.
    public static func needsGuard(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, formulaStarts.contains(first) else { return false }
        return !isPlainNumber(text)
    }

    /// A sign, then digits with at most one decimal point and at least one digit: how gaptrack
    /// writes every figure (`FixedDecimal`), never with an exponent or a thousands separator.
    static func isPlainNumber(_ text: String) -> Bool {
        var scalars = text.unicodeScalars[...]
        if let sign = scalars.first, sign == "-" || sign == "+" { scalars = scalars.dropFirst() }
        var digits = 0
        var points = 0
        for scalar in scalars {
            switch scalar {
            case "0"..."9": digits += 1
            case ".": points += 1
            default: return false
            }
        }
        return digits > 0 && points <= 1
    }
}
