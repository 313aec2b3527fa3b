import GapTrackDomain

extension AttendanceImport {
    /// Refuses the marks the school's calendar or the pupil's on-roll dates rule out
    /// (`AttendanceMarkPlacement`), naming the line and the date; with skip-invalid they are
    /// dropped. Runs after the duplicate check, over the file's valid marks only.
    func placeInCalendar(_ reading: inout AttendanceFileReader.Reading, directory: StudentDirectory) throws {
        let rows = reading.rows
        guard !rows.keys.isEmpty else { return }
        var marks: [AttendanceMarkPlacement.Mark] = []
        var ordinals: [Int] = []
        marks.reserveCapacity(rows.keys.count)
        ordinals.reserveCapacity(rows.keys.count)
        var first = Int.max
        var last = Int.min
        for key in rows.keys {
            let mark = rows.decode(key)
            let day = AttendanceTerm(index: mark.term).firstDay + mark.dayInTerm
            first = min(first, day)
            last = max(last, day)
            marks.append(AttendanceMarkPlacement.Mark(
                studentID: Int(directory.studentIDs[mark.studentRank]), date: CalendarDate(daysSinceEpoch: day),
                code: AttendanceCodeTable.codes[Int(rows.code(at: mark.ordinal))]))
            ordinals.append(mark.ordinal)
        }
        let placement = try AttendanceMarkPlacement.load(
            providerID: context.providerID, from: CalendarDate(daysSinceEpoch: first), to: CalendarDate(daysSinceEpoch: last),
            connection: context.connection)
        let problems = placement.problems(marks)
        guard !problems.isEmpty else { return }
        var dropped = Set<Int>()
        for (index, message) in problems.sorted(by: { $0.key < $1.key }) {
            reading.errors.add(line: rows.line(at: ordinals[index]), column: reading.dateColumn, message)
            dropped.insert(ordinals[index])
        }
        reading.rows.remove(ordinals: dropped)
    }
}
