import GapTrackDomain
import Postgres

/// A marksheet in the wide layout (`--layout wide`): one row per pupil and a column per subject
/// or aspect, each non-empty cell one result (docs/import-formats.md, "Wide files").
///
/// A subject column's header names the subject and may also name the point's academic year and
/// term (`Maths 2024/25 Autumn`); the rest of the point (assessment, scale, date, and the year
/// and term where the header has none) comes from the row's columns or from `--fill`. The
/// results are validated, checked and merged as a long assessments file's are
/// (`AssessmentsImport`), one staging row per cell keyed by line and column, so that a line is
/// kept or dropped whole and re-importing the file changes nothing.
struct AssessmentsWideImport: TabularFormat {
    static let columns: [ImportColumn] = [
        ImportColumn("student", required: true), ImportColumn("assessment"), ImportColumn("scale"),
        ImportColumn("academic_year"), ImportColumn("term"), ImportColumn("date"),
    ]
    static let stagingTable = AssessmentsImport.stagingTable
    static let stagingColumns: [(name: String, type: String)] = [("cell", "integer")] + AssessmentsImport.stagingColumns
    static let stagingKey = "line, cell"
    static let stagedName = "results"

    /// Columns a marksheet export carries about the pupil rather than a result, beyond those a
    /// pupils file reads (which are recognised with the same presets).
    static let pupilDetails: Set<String> = Set(["Name", "Pupil Name", "Student Name", "Full Name", "Adno", "Admission Number",
                                                "Class", "Teaching Group", "Set", "Group", "House"].map(ColumnMapping.key))

    /// One subject column: where it is, and what its header says.
    struct SubjectColumn {
        let index: Int
        let header: String
        let subject: String
        let year: AcademicYear?
        let term: Term?
    }

    private var results: AssessmentsImport
    private var subjects: [SubjectColumn] = []

    init(context: ImportContext) throws {
        // The year of rows that name none is resolved in `prepare`, once the headers show
        // whether any column needs it.
        results = try AssessmentsImport(context: context, fileYear: nil)
    }

    mutating func prepare(columns: ResolvedColumns, context: ImportContext) throws -> ResolvedColumns {
        let read = Set(columns.index.values)
        let pupilColumns = Set(try ColumnMapping(presets: context.options.mapping.presets)
            .resolve(header: columns.header, kind: .students).index.values)
        let chosen = Set(context.options.subjectColumns.map(ColumnMapping.key))
        for name in context.options.subjectColumns where !columns.header.contains(where: { ColumnMapping.key($0) == ColumnMapping.key(name) }) {
            throw ImportError.mapping("--subject '\(name)' names a column the file does not have; its columns are: "
                + columns.header.map { "'\($0)'" }.joined(separator: ", "))
        }
        var seen: [String: String] = [:]
        for (index, header) in columns.header.enumerated() where !read.contains(index) {
            let key = ColumnMapping.key(header)
            guard !key.isEmpty else { continue }
            if chosen.isEmpty ? pupilColumns.contains(index) || Self.pupilDetails.contains(key) : !chosen.contains(key) { continue }
            let column = try Self.subjectColumn(index: index, header: header, fileName: context.fileName)
            let point = "\(column.subject)|\(column.year?.description ?? "")|\(column.term?.rawValue ?? "")"
            if let earlier = seen[point] {
                throw ImportError.badHeader(fileName: context.fileName, column: header,
                                            message: "names the same subject as the column '\(earlier)'; a marksheet has one column per subject and point")
            }
            seen[point] = header
            subjects.append(column)
        }
        guard !subjects.isEmpty else {
            throw ImportError.badHeader(fileName: context.fileName, column: columns.header.last ?? "",
                                        message: "the file has no subject columns: a wide marksheet has a column per subject (e.g. UPN,Maths,English)")
        }
        // The rest of every point must come from somewhere: say so once, not on every line.
        let examples = ["assessment": "'Autumn mock'", "scale": "gcse", "date": "2024-11-15", "term": "autumn"]
        let needed = ["assessment", "scale", "date"] + (subjects.contains { $0.term == nil } ? ["term"] : [])
        let missing = needed.filter { !columns.contains($0) }
        if !missing.isEmpty {
            throw ImportError.mapping("\(context.fileName) has no \(missing.map { "'\($0)'" }.joined(separator: ", ")) column, which a marksheet's results need: "
                + "give the column, or one value for the whole file with \(missing.map { "--fill \($0)=\(examples[$0]!)" }.joined(separator: " ")); nothing was imported")
        }
        if subjects.contains(where: { $0.year == nil }) {
            let fileYear = try FileAcademicYear.resolve(context: context, yearColumn: "academic_year", dateColumns: ["date"], columns: Self.columns)
            results = try AssessmentsImport(context: context, fileYear: fileYear)
        }
        var shown = columns
        let subjectIndices = Set(subjects.map(\.index))
        shown.ignored = columns.header.indices.filter { !read.contains($0) && !subjectIndices.contains($0) && !ColumnMapping.key(columns.header[$0]).isEmpty }
            .map { columns.header[$0] }
        return shown
    }

    /// A subject column's header: an academic year (`2024/25`) and a term (`Autumn`) among its
    /// words name the point's; the other words, in lower case, name the subject, so that `Maths`
    /// and a long file's `maths` are one subject.
    static func subjectColumn(index: Int, header: String, fileName: String) throws(ImportError) -> SubjectColumn {
        var year: AcademicYear?
        var term: Term?
        var words: [Substring] = []
        for word in header.split(whereSeparator: \.isWhitespace) {
            if year == nil, word.contains(where: \.isNumber), let found = try? FieldParsers.academicYear(String(word)) {
                year = found
            } else if term == nil, let found = try? FieldParsers.term(String(word)) {
                term = found
            } else {
                words.append(word)
            }
        }
        let subject = words.joined(separator: " ").lowercased()
        guard !subject.isEmpty else {
            throw .badHeader(fileName: fileName, column: header, message: "names no subject, only a year or term; write it as e.g. 'Maths 2024/25 Autumn'")
        }
        if let problem = TextLimit.subject.problem(subject) {
            throw .badHeader(fileName: fileName, column: header, message: "as a subject \(problem)")
        }
        return SubjectColumn(index: index, header: header, subject: subject, year: year, term: term)
    }

    /// Never called by the driver, which stages a marksheet's line through `validateRows`: its
    /// first result, for a caller that wants one row.
    mutating func validate(_ row: inout RowContext) -> [String?]? {
        validateRows(&row).first
    }

    /// One staging row per non-empty cell; a blank cell is no result, never zero.
    mutating func validateRows(_ row: inout RowContext) -> [[String?]] {
        let student = results.student(&row)
        let cells = subjects.compactMap { column -> (SubjectColumn, String)? in
            let text = column.index < row.fields.count ? RowContext.trimmed(row.fields[column.index]) : ""
            return text.isEmpty ? nil : (column, text)
        }
        guard let student, !cells.isEmpty, results.studentID(&row, student: student) != nil else { return [] }
        let base = results.pointFields(&row, readSubject: false, readYear: cells.contains { $0.0.year == nil },
                                       readTerm: cells.contains { $0.0.term == nil })
        var staged: [[String?]] = []
        // Two columns can name one point only through the row: `Maths` with the row's term and
        // `Maths Autumn` on a row whose term is autumn.
        var columnOfPoint: [String: String] = [:]
        for (column, text) in cells {
            var point = base
            point.subject = column.subject
            if let year = column.year { point.year = year }
            if let term = column.term { point.term = term }
            guard let fields = results.stage(&row, student: student, point: point, result: text, resultColumn: column.header),
                  let number = fields[2] else { continue }
            if let earlier = columnOfPoint[number] {
                row.fail(column.header, "gives a second result for the assessment the column '\(earlier)' gives on this row; "
                    + "name the year or term in the headers so that each column is one assessment")
                continue
            }
            columnOfPoint[number] = column.header
            staged.append([String(column.index)] + fields)
        }
        return row.isValid ? staged : []
    }

    mutating func finishReading(errors: inout RowErrors, context: ImportContext) throws {
        try results.finishReading(errors: &errors, context: context)
    }

    func databaseChecks(context: ImportContext) throws -> [RowError] {
        try results.databaseChecks(context: context)
    }

    func merge(importID: Int, context: ImportContext) throws -> (inserted: Int, updated: Int)? {
        try results.merge(importID: importID, context: context)
    }
}
