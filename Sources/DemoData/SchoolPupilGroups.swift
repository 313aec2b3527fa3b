import Foundation
import GapStatistics
import GapTrackDomain

/// Demo Academy's own group of pupils, so that `--filter group=y7-literacy` has one to find
/// (docs/methodology.md §7.8): "Year 7 literacy catch-up", about one Year 7 pupil in five of the
/// demo's last academic year, as a school keeps a list of the pupils in a catch-up programme.
///
/// A file of its own (`pupil-groups.csv`: group code, group name, UPN), loaded by `gaptrack demo
/// load` as `gaptrack pupil-group add` and `pupil-group members` would; who is in the group comes
/// from a random stream of its own (`RandomStream.schoolPupilGroups`), so adding the group changes
/// no other demo file.
public struct SchoolPupilGroups: Sendable {
    public static let fileName = "pupil-groups.csv"
    public static let header = ["group", "name", "upn"]
    public static let code = "y7-literacy"
    public static let name = "Year 7 literacy catch-up"

    let options: DemoOptions

    public init(options: DemoOptions) {
        self.options = options
    }

    /// The pupil's row, when the pupil is in the group.
    func row(for pupil: SchoolPupil) -> [String]? {
        let year = AcademicYear(containing: SchoolSupportPlan.dataCut)
        guard pupil.enrolments.contains(where: { $0.academicYear == year && $0.yearGroup == 7 }) else { return nil }
        var g = RandomStream.schoolPupilGroups.generator(seed: options.seed, cohort: pupil.cohort.receptionYear, index: pupil.index)
        return g.integer(in: 0...4) == 0 ? [Self.code, Self.name, pupil.upn] : nil
    }

    /// Writes the file into the school's folder; returns its URL.
    @discardableResult
    public func write(into folder: URL) throws(DemoDataError) -> URL {
        try SchoolSupportReviews.writeSmallFile(Self.fileName, header: Self.header, rows: SchoolPupils(options: options).compactMap(row(for:)), into: folder)
    }
}
