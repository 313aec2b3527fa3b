import CSVFormat
import GapTrackDomain

/// The academic year of an import file whose rows do not all carry one: MIS exports have no
/// `academic_year` column (docs/import-formats.md, "The academic year").
///
/// `--academic-year` wins. Otherwise the year is read from the file's dates that belong to the
/// year itself (an enrolment's start and leave dates, an assessment's date): when they all fall in
/// one academic year, that is the file's year. Admission dates are not evidence, because a
/// pupil's admission date is often years before the export, so a file with only those (or with
/// dates in several years) is refused with a message that names the option.
enum FileAcademicYear {
    /// nil when every row names its own year (the file then needs none).
    static func resolve(context: ImportContext, yearColumn: String, dateColumns: [String],
                        columns formatColumns: [ImportColumn]? = nil) throws -> AcademicYear? {
        if let given = context.options.academicYear { return given }
        let reader: CSVReader
        do {
            reader = try CSVReader(path: context.url.path)
        } catch {
            throw ImportError.unreadable(fileName: context.fileName, error)
        }
        guard let header = try next(reader, context) else { return nil }
        let columns = try context.options.mapping.resolve(header: header.fields, kind: context.kind, columns: formatColumns)
        var rowsWithoutYear = 0
        var years = Set<AcademicYear>()
        while let row = try next(reader, context) {
            func field(_ name: String) -> String? {
                guard let index = columns.index[name], index < row.fields.count else { return columns.constants[name] }
                let text = RowContext.trimmed(row.fields[index])
                return text.isEmpty ? nil : text
            }
            if field(yearColumn) != nil { continue }
            rowsWithoutYear += 1
            for name in dateColumns {
                if let text = field(name), let date = try? CalendarDate(parsing: text) {
                    years.insert(AcademicYear(containing: date))
                }
            }
        }
        guard rowsWithoutYear > 0 else { return nil }
        let what = columns.contains(yearColumn)
            ? "\(rowsWithoutYear) row\(rowsWithoutYear == 1 ? " has" : "s have") a blank \(columns.fileName(of: yearColumn))"
            : "it has no \(yearColumn) column (MIS exports have none)"
        let dates = dateColumns.map { "'\(columns.fileName(of: $0))'" }.joined(separator: " or ")
        switch years.count {
        case 1:
            return years.first!
        case 0:
            throw ImportError.academicYearUnknown(
                fileName: context.fileName,
                reason: "\(what), and no \(dates) date says which (admission dates do not: a pupil may have joined years ago)")
        default:
            let sorted = years.sorted()
            throw ImportError.academicYearUnknown(
                fileName: context.fileName,
                reason: "\(what), and its \(dates) dates fall in \(sorted.count) academic years (\(sorted.first!) to \(sorted.last!))")
        }
    }

    private static func next(_ reader: CSVReader, _ context: ImportContext) throws -> CSVRow? {
        do {
            return try reader.nextRow()
        } catch {
            throw ImportError.unreadable(fileName: context.fileName, error)
        }
    }
}
