import Foundation
import GapTrackDomain

/// Writes Demo University's files, one student at a time (see `SchoolFilesWriter`).
/// Universities do not keep session registers with DfE codes, so there is no attendance file.
struct UniversityFilesWriter {
    let options: DemoOptions
    let provider = DemoProvider.university

    func write(into folder: URL) throws(DemoDataError) -> GeneratedProvider {
        try DemoFileWriter.makeFolder(folder)
        let students = try DemoFileWriter(.students, in: folder, header: DemoHeaders.universityStudents)
        let markers = try DemoFileWriter(.markers, in: folder, header: DemoHeaders.markers)
        let assessments = try DemoFileWriter(.assessments, in: folder, header: DemoHeaders.assessments)
        let support = try DemoFileWriter(.support, in: folder, header: DemoHeaders.support)
        var count = 0
        for student in UniversityStudents(options: options) {
            count += 1
            for enrolment in student.enrolments {
                try students.write([
                    student.hesaID, student.institutionID, student.uln ?? "", student.surname, student.forename,
                    student.dateOfBirth.isoString, student.gender, student.ethnicity, enrolment.academicYear.description,
                    student.course.code, enrolment.start.isoString, enrolment.leave?.isoString ?? "", enrolment.leaveReason ?? "",
                ])
            }
            for marker in student.markers {
                try markers.write([student.hesaID, marker.marker, marker.value, marker.start.isoString, marker.end?.isoString ?? ""])
            }
            for row in UniversityRecords.assessments(for: student, seed: options.seed) {
                try assessments.write([student.hesaID] + row.fields)
            }
            for row in UniversityRecords.support(for: student, seed: options.seed) {
                try support.write(row.fields(student: student.hesaID))
            }
        }
        let files = [try students.close(), try markers.close(), try assessments.close(), try support.close()]
            + (try UniversityHistoryWriter(options: options).write(into: folder))
            + [try UniversitySupportApplications.write(options: options, into: folder)]
        // The earlier intakes are in the student-record extract only.
        count += UniversityHistory.earlierIntakes.count * options.universityIntakeSize
        return GeneratedProvider(provider: provider, folder: folder, files: files, studentCount: count)
    }
}

/// Every university student of a run: the 2023/24 intake, then the 2024/25 intake.
public struct UniversityStudents: Sequence, Sendable {
    let options: DemoOptions
    static let intakes = [AcademicYear(startYear: 2023), AcademicYear(startYear: 2024)]

    public init(options: DemoOptions) {
        self.options = options
    }

    public struct Iterator: IteratorProtocol {
        let factory: UniversityStudentFactory
        var intake = 0
        var index = 0

        public mutating func next() -> UniversityStudent? {
            guard intake < UniversityStudents.intakes.count else { return nil }
            let student = factory.student(intake: UniversityStudents.intakes[intake], intakeOrdinal: intake, index: index)
            index += 1
            if index == factory.intakeSize {
                index = 0
                intake += 1
            }
            return student
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(factory: UniversityStudentFactory(seed: options.seed, intakeSize: options.universityIntakeSize))
    }
}
