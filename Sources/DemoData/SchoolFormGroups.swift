import CSVFormat
import Foundation
import GapStatistics

/// Demo Academy's form (registration) groups, so that `--filter form=7A` has something to find
/// (docs/methodology.md §7.8): every enrolment of `students.csv` again, with a `form_group` column,
/// `7A` to `7H` for a year group of 200 (one form per 25 pupils, at least two).
///
/// A file of its own (`forms.csv`), imported by `gaptrack demo load` after the students file as a
/// students import, which replaces each enrolment's fields with the row's, the same but for the
/// form; each pupil's form comes from a random stream of its own (`RandomStream.schoolFormGroups`),
/// so adding forms changes no other demo file.
public struct SchoolFormGroups: Sendable {
    public static let fileName = "forms.csv"
    static let letters = Array("ABCDEFGH").map(String.init)

    let options: DemoOptions

    public init(options: DemoOptions) {
        self.options = options
    }

    /// How many forms a year group of `pupils` has.
    static func forms(pupils: Int) -> Int { min(letters.count, max(2, pupils / 25)) }

    /// "7C": the pupil's year group and a letter drawn from the pupil's own stream.
    func form(yearGroup: String, line: Int) -> String {
        var g = RandomStream.schoolFormGroups.generator(seed: options.seed, cohort: Int(yearGroup) ?? 0, index: line)
        return yearGroup + Self.letters[g.integer(in: 0...(Self.forms(pupils: options.schoolCohortSize) - 1))]
    }

    /// Writes `forms.csv` beside `students.csv` in `folder` and returns its URL.
    @discardableResult
    public func write(into folder: URL) throws(DemoDataError) -> URL {
        let students = folder.appendingPathComponent("students.csv")
        let url = folder.appendingPathComponent(Self.fileName)
        do {
            let reader = try CSVReader(path: students.path)
            let writer = try CSVFileWriter(path: url.path)
            guard let header = try reader.nextRow()?.fields, let year = header.firstIndex(of: "year_group") else {
                throw DemoDataError.cannotWrite(path: url.path, reason: "students.csv has no year_group column")
            }
            try writer.writeRow(header + ["form_group"])
            while let row = try reader.nextRow() {
                try writer.writeRow(row.fields + [form(yearGroup: row.fields[year], line: row.lineNumber)])
            }
            try writer.close()
        } catch let error as DemoDataError {
            throw error
        } catch let error as CSVError {
            throw .writeFailed(error)
        } catch {
            throw .cannotWrite(path: url.path, reason: String(describing: error))
        }
        return url
    }
}
