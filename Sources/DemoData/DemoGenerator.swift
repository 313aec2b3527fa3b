import Foundation

/// Generates the demo data set: a secondary school and a university, written as the import
/// files of docs/import-formats.md, one folder per provider, from a fixed seed.
///
/// The same options give byte-identical files on the same platform: every draw comes from a
/// `SeededGenerator` stream keyed by (seed, purpose, cohort, student), no output depends on
/// dictionary order or the clock, and dates are calendar days with no time zone. (Normal and
/// beta draws go through the C library's `log`, `cos` and `pow`, which could in principle
/// differ in the last bit between operating systems.)
public struct DemoGenerator: Sendable {
    public let options: DemoOptions

    public init(options: DemoOptions = DemoOptions()) throws(DemoDataError) {
        try options.validate()
        self.options = options
    }

    /// Writes the files under `folder`: `folder/demo-academy/*.csv` and
    /// `folder/demo-university/*.csv` (as chosen by `options.providers`). Existing files of
    /// the same names are replaced.
    public func write(to folder: URL) throws(DemoDataError) -> DemoDataSet {
        try DemoFileWriter.makeFolder(folder)
        var providers: [GeneratedProvider] = []
        if options.includesSchool {
            providers.append(try SchoolFilesWriter(options: options)
                .write(into: folder.appendingPathComponent(DemoProvider.academy.code)))
            try SchoolPupilPremiumPlan(options: options).write(into: folder.appendingPathComponent(DemoProvider.academy.code))
            _ = try SchoolSupportReviews(options: options).write(into: folder.appendingPathComponent(DemoProvider.academy.code))
            try SchoolFormGroups(options: options).write(into: folder.appendingPathComponent(DemoProvider.academy.code))
            try SchoolPupilGroups(options: options).write(into: folder.appendingPathComponent(DemoProvider.academy.code))
        }
        if options.includesUniversity {
            providers.append(try UniversityFilesWriter(options: options)
                .write(into: folder.appendingPathComponent(DemoProvider.university.code)))
        }
        return DemoDataSet(options: options, folder: folder, providers: providers)
    }

    /// The school's pupils, made on demand in file order (for tests and tools that want the
    /// hidden quantities behind the files).
    public var schoolPupils: SchoolPupils { SchoolPupils(options: options) }

    /// The university's students, made on demand in file order.
    public var universityStudents: UniversityStudents { UniversityStudents(options: options) }
}
