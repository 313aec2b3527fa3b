import GapTrackDomain

/// The fields support.csv and support-applications.csv share, read by one set of rules: the
/// student as the provider's kind identifies them, and a funding source from the provider's list
/// (`SupportRecordRules`, as the API checks them). Each distinct text is checked once per file.
struct SupportRowParsers {
    let rules: SupportRecordRules
    private let providerKind: ProviderKind
    private var students = Memo<String>()
    private var sourceCodes = Memo<String>()

    init(context: ImportContext) throws {
        providerKind = context.provider.kind
        rules = try SupportRecordRules.load(context.connection, providerID: context.providerID)
    }

    mutating func student(_ row: inout RowContext) -> String? {
        let kind = providerKind
        return row.parse("student", required: true, expected: "the student's identifier") { (text: String) throws(FieldProblem) -> String in
            try students(text) { (text: String) throws(FieldProblem) -> String in try StudentIdentifiers.normalise(text, providerKind: kind) }
        }
    }

    mutating func fundingSource(_ row: inout RowContext, column: String, required: Bool = false) -> String? {
        let rules = self.rules
        return row.parse(column, required: required, expected: "a funding source") { (text: String) throws(FieldProblem) -> String in
            try sourceCodes(text, rules.fundingSource)
        }
    }
}
