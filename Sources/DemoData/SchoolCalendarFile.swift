import Foundation
import GapTrackDomain

/// calendar.csv for Demo Academy: the terms, half terms and closures of `SchoolCalendar`, the
/// calendar its register is generated from, so that every demo mark falls on a school day of
/// the calendar the loader imports (docs/import-formats.md, "calendar.csv"). Nothing is drawn
/// at random: the file follows from the calendar's dates alone.
enum SchoolCalendarFile {
    static let header = ["date_from", "date_to", "kind", "description"]

    /// The rows, in date order within each term.
    static func rows(_ calendar: SchoolCalendar) -> [[String]] {
        var rows: [[String]] = []
        for term in calendar.terms {
            let name = term.term.rawValue.prefix(1).uppercased() + term.term.rawValue.dropFirst()
            rows.append([term.firstDay.isoString, term.lastDay.isoString, "term", "\(name) term"])
            rows.append([term.halfTermFirstDay.isoString, term.halfTermLastDay.isoString, "holiday", "\(name) half term"])
        }
        for closure in calendar.closures {
            rows.append([closure.isoString, closure.isoString, "closure", "Closed to pupils"])
        }
        return rows
    }

    static func write(_ calendar: SchoolCalendar, in folder: URL) throws(DemoDataError) -> GeneratedFile {
        let writer = try DemoFileWriter(.calendar, in: folder, header: header)
        for row in rows(calendar) { try writer.write(row) }
        return try writer.close()
    }
}
