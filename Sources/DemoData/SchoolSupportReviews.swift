import CSVFormat
import Foundation
import GapStatistics
import GapTrackDomain

/// Reviews of Demo Academy's interventions (docs/methodology.md §6.6), as an intervention register
/// keeps them: the tutor or mentor who ran the support reviews it on its review date, with a
/// progress note and, for a subject target, the pupil's result in that subject before the support
/// (entry) and, once there is one, after it (exit). Enrichment and devices are not reviewed, and
/// neither is the care-experienced transition programme, whose notes the school keeps elsewhere.
///
/// A file of its own (`support-reviews.csv`: reference, date, reviewer, progress note, entry and
/// exit result), loaded by `gaptrack demo load` after the support file; its notes come from a random
/// stream of their own (`RandomStream.schoolSupportReviews`), so adding the reviews changes no other
/// demo file.
public struct SchoolSupportReviews: Sendable {
    public static let fileName = "support-reviews.csv"
    public static let header = ["reference", "date", "reviewer", "progress_note", "entry_result", "exit_result"]

    let options: DemoOptions

    public init(options: DemoOptions) {
        self.options = options
    }

    static let notes: [InterventionType: [String]] = [
        .tutoring: [
            "Attends every session and asks for help when stuck; next: exam-style questions.",
            "Confidence growing; gaps in the basics closing. Keep practising at home.",
            "Some sessions missed; catching up on the topics covered. Follow up with form tutor.",
            "Works well in the group of three; ready to move on to harder topics.",
        ],
        .mentoring: [
            "Attending more regularly since mentoring began; agreed a morning routine.",
            "Engaging well in sessions; attendance still dips on Mondays. Family contacted.",
            "Reports feeling more settled in school; attendance improving week by week.",
        ],
        .languageSupport: [
            "Reading and speaking more confidently in lessons; vocabulary growing.",
            "Now joins class discussion; writing still needs support with tenses.",
        ],
    ]

    /// The reviews of one pupil's support, oldest first within each record.
    func rows(for pupil: SchoolPupil) -> [[String]] {
        let support = SchoolSupportPlan.rows(for: pupil, seed: options.seed)
        guard support.contains(where: { Self.notes[$0.type] != nil && $0.status.wasDelivered }) else { return [] }
        var g = RandomStream.schoolSupportReviews.generator(seed: options.seed, cohort: pupil.cohort.receptionYear, index: pupil.index)
        let results = SchoolAssessments.rows(for: pupil, seed: options.seed)
        var rows: [[String]] = []
        for record in support {
            guard let notes = Self.notes[record.type], record.status.wasDelivered, let reviewed = record.review,
                  reviewed <= SchoolSupportPlan.dataCut, reviewed >= record.start else { continue }
            let subject = SchoolSupportTargets.target(of: record, pupil: pupil, seed: options.seed)
            let inSubject = results.filter { $0.subject == subject }.sorted { $0.date < $1.date }
            let entry = inSubject.last { $0.date < record.start }?.result ?? ""
            // Tutoring is also reviewed halfway, before its results are in.
            if record.type == .tutoring, let end = record.end, record.start.days(to: end) >= 28 {
                let halfway = record.start.adding(days: record.start.days(to: end) / 2)
                rows.append([record.reference, halfway.isoString, record.staff, g.element(of: notes), entry, ""])
            }
            rows.append([record.reference, reviewed.isoString, record.staff, g.element(of: notes), entry, ""])
            // A subject target's follow-up a week after the first result after the support: the exit.
            if let end = record.end, let exit = inSubject.first(where: { $0.date > end }),
               exit.date.adding(days: 7) <= SchoolSupportPlan.dataCut, exit.date.adding(days: 7) > reviewed {
                rows.append([record.reference, exit.date.adding(days: 7).isoString, record.staff,
                             "Follow-up after the \(exit.assessment): \(exit.result) against \(entry.isEmpty ? "no result" : entry) before the support.",
                             entry, exit.result])
            }
        }
        return rows
    }

    /// Writes the file into the school's folder; returns its URL.
    public func write(into folder: URL) throws(DemoDataError) -> URL {
        try Self.writeSmallFile(Self.fileName, header: Self.header, rows: SchoolPupils(options: options).flatMap(rows(for:)), into: folder)
    }

    /// A small file written whole, as the demo's extra school files are.
    static func writeSmallFile(_ name: String, header: [String], rows: [[String]], into folder: URL) throws(DemoDataError) -> URL {
        let url = folder.appendingPathComponent(name)
        do {
            try Data(CSVWriter.document(header: header, rows: rows).utf8).write(to: url, options: .atomic)
        } catch {
            throw .cannotWrite(path: url.path, reason: error.localizedDescription)
        }
        return url
    }
}
