import Foundation
import GapTrackDomain

/// Writes Demo Academy's five files, one pupil at a time: each pupil is made from the seed,
/// their rows go to all five files, and nothing is kept, so memory stays flat however large
/// the roll or the register.
struct SchoolFilesWriter {
    let options: DemoOptions
    let provider = DemoProvider.academy

    func write(into folder: URL) throws(DemoDataError) -> GeneratedProvider {
        try DemoFileWriter.makeFolder(folder)
        let students = try DemoFileWriter(.students, in: folder, header: DemoHeaders.schoolStudents)
        let markers = try DemoFileWriter(.markers, in: folder, header: DemoHeaders.markers)
        let attendance = try DemoFileWriter(.attendance, in: folder, header: DemoHeaders.attendance)
        let assessments = try DemoFileWriter(.assessments, in: folder, header: DemoHeaders.assessments)
        let support = try DemoFileWriter(.support, in: folder, header: DemoHeaders.schoolSupport)
        let calendarFile = try SchoolCalendarFile.write(SchoolCalendar.year2024, in: folder)

        let calendar = SchoolCalendar.year2024
        let register = SchoolAttendance(calendar: calendar, dayCount: options.attendanceDays ?? calendar.schoolDays.count,
                                        seed: options.seed)
        let dayText = calendar.schoolDays.map(\.isoString)
        var tripDays: [Int: Int] = [:]
        for cohort in options.schoolCohorts { tripDays[cohort.receptionYear] = register.tripDay(for: cohort) }
        var pupilCount = 0
        for pupil in SchoolPupils(options: options) {
            pupilCount += 1
            for enrolment in pupil.enrolments {
                try students.write([
                    pupil.upn, pupil.surname, pupil.forename, pupil.dateOfBirth.isoString, pupil.gender, pupil.ethnicity,
                    enrolment.academicYear.description, String(enrolment.yearGroup), enrolment.start.isoString,
                    enrolment.leave?.isoString ?? "", enrolment.leaveReason ?? "",
                ])
            }
            for marker in pupil.markers {
                try markers.write([pupil.upn, marker.marker, marker.value, marker.start.isoString, marker.end?.isoString ?? ""])
            }
            for mark in register.marks(for: pupil, tripDay: tripDays[pupil.cohort.receptionYear]!) {
                try attendance.write([pupil.upn, dayText[mark.day], mark.isMorning ? "AM" : "PM", mark.code])
            }
            for row in SchoolAssessments.rows(for: pupil, seed: options.seed) {
                try assessments.write([pupil.upn] + row.fields)
            }
            for row in SchoolSupportPlan.rows(for: pupil, seed: options.seed) {
                try support.write(row.fields(student: pupil.upn) + [SchoolSupportTargets.target(of: row, pupil: pupil, seed: options.seed)])
            }
        }
        let files = [calendarFile, try students.close(), try markers.close(), try attendance.close(), try assessments.close(),
                     try support.close()]
        return GeneratedProvider(provider: provider, folder: folder, files: files, studentCount: pupilCount)
    }
}

/// Every pupil of a run, cohort by cohort, made on demand.
public struct SchoolPupils: Sequence, Sendable {
    let options: DemoOptions

    public init(options: DemoOptions) {
        self.options = options
    }

    public struct Iterator: IteratorProtocol {
        let factory: SchoolPupilFactory
        let plans: [SchoolPupilFactory.CohortPlan]
        var cohortIndex = 0
        var pupilIndex = 0

        public mutating func next() -> SchoolPupil? {
            guard cohortIndex < plans.count else { return nil }
            let pupil = factory.pupil(plans[cohortIndex], index: pupilIndex)
            pupilIndex += 1
            if pupilIndex == factory.cohortSize {
                pupilIndex = 0
                cohortIndex += 1
            }
            return pupil
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(factory: SchoolPupilFactory(seed: options.seed, cohortSize: options.schoolCohortSize, provider: .academy),
                 plans: options.schoolCohorts.map { SchoolPupilFactory.CohortPlan(cohort: $0, seed: options.seed) })
    }
}
