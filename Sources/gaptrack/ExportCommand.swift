import ArgumentParser
import CSVFormat
import DataProtection
import Foundation
import GapTrackDomain
import GapTrackStore

/// `gaptrack export research`: a pseudonymised extract of one cohort for research under UK GDPR
/// Art. 89 safeguards (docs/data-protection.md §6).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Pseudonymised exports for research.",
        subcommands: [Research.self]
    )

    struct Research: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a cohort's students, markers, attendance, results and support as pseudonymised CSV files.",
            discussion: """
                Each student gets a pseudonym that is the same in every file of this export and cannot be linked to \
                another export's (a keyed hash under a random key that is never stored). No names, UPN, ULN, other \
                identifiers, dates of birth or postcodes are written; quasi-identifiers (birth month, gender, \
                ethnicity, disadvantage, SEN, EAL) are coarsened and suppressed until every combination is shared by at \
                least --k students. README.txt in the folder says what was removed and how.
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider's code.")
        var provider: ProviderCode

        @Option(help: "The cohort, e.g. year-11, course-bsc-psy or intake-2024.")
        var cohort: CohortCode

        @Option(help: "The academic year, e.g. 2024/25.")
        var year: AcademicYear

        @Option(help: "A new or empty folder for the files.")
        var output: String

        @Option(help: "Every released combination of quasi-identifiers is shared by at least this many students (default 10, the reports' suppression threshold).")
        var k: Int = 10

        func validate() throws {
            guard (2...1000).contains(k) else { throw ValidationError("--k must be between 2 and 1000") }
        }

        func run() throws {
            let folder = URL(fileURLWithPath: output, isDirectory: true)
            if let existing = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !existing.isEmpty {
                throw DataProtectionError.outputNotEmpty(path: folder.path)
            }
            let connection = try database.connect()
            let found = try Providers(connection: connection).require(code: provider)
            let rows = try ResearchRows.read(connection: connection, providerID: found.id!, year: year, cohort: cohort)
            guard !rows.students.isEmpty else { throw DataProtectionError.emptyCohort(cohort: cohort.code, year: year.description) }
            let export = ResearchExport(rows: rows, k: k, pseudonymiser: Pseudonymiser())
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, text) in export.files(provider: found.code, cohort: cohort.code, year: year.description) {
                try Data(text.utf8).write(to: folder.appendingPathComponent(name), options: .atomic)
            }
            print("Wrote \(export.kept.count) of \(rows.students.count) students to \(folder.path) "
                + "(k = \(k); \(KAnonymity.levels[export.outcome.level]); \(export.outcome.suppressed) suppressed, "
                + "\(export.outcome.withheld.count) withheld). See README.txt.")
        }
    }
}

/// The files of one research export, built from the cohort's rows.
struct ResearchExport {
    let rows: ResearchRows
    let k: Int
    let pseudonymiser: Pseudonymiser
    let outcome: KAnonymity.Outcome
    /// The students written, in pseudonym order (so the row order says nothing of the ids).
    let kept: [(pseudonym: String, student: ResearchRows.Student)]

    init(rows: ResearchRows, k: Int, pseudonymiser: Pseudonymiser) {
        self.rows = rows
        self.k = k
        self.pseudonymiser = pseudonymiser
        outcome = KAnonymity.anonymise(rows.students.map { student in
            KAnonymity.Record(id: student.studentID, birthYear: student.dateOfBirth.year, birthMonth: student.dateOfBirth.month,
                              gender: student.gender, ethnicity: student.ethnicity, disadvantaged: student.disadvantaged, sen: student.sen,
                              eal: student.eal)
        }, k: k)
        let withheld = Set(outcome.withheld)
        kept = rows.students.filter { !withheld.contains($0.studentID) }
            .map { (pseudonymiser.pseudonym(for: $0.studentID), $0) }
            .sorted { $0.pseudonym < $1.pseudonym }
    }

    func files(provider: String, cohort: String, year: String) -> [(String, String)] {
        let names = Dictionary(uniqueKeysWithValues: kept.map { ($0.student.studentID, $0.pseudonym) })
        let students = CSVWriter.document(
            header: ["pseudonym"] + KAnonymity.Released.header,
            rows: kept.map { [$0.pseudonym] + outcome.released[$0.student.studentID]!.fields })
        let markers = CSVWriter.document(
            header: ["pseudonym", "disadvantaged", "sen", "eal"],
            rows: kept.map { entry in
                let released = outcome.released[entry.student.studentID]!
                return [entry.pseudonym, released.disadvantaged, released.sen, released.eal]
            })
        let attendance = CSVWriter.document(
            header: ["pseudonym", "possible_sessions", "attended_sessions", "absent_sessions", "unauthorised_absences"],
            rows: kept.map { entry in
                [entry.pseudonym, String(entry.student.possibleSessions), String(entry.student.attendedSessions),
                 String(entry.student.absentSessions), String(entry.student.unauthorisedAbsences)]
            })
        let results = CSVWriter.document(
            header: ["pseudonym", "subject", "assessment", "term", "scale", "score"],
            rows: rows.results.compactMap { row in
                names[row.studentID].map { [$0, row.subject, row.assessment, row.term, row.scale, row.score] }
            }.sorted { $0.lexicographicallyPrecedes($1) })
        let support = CSVWriter.document(
            header: ["pseudonym", "type", "term", "hours", "sessions", "amount", "funding_source"],
            rows: rows.support.compactMap { row in
                names[row.studentID].map { [$0, row.type, row.term, row.hours ?? "", row.sessions.map(String.init) ?? "", row.amount ?? "", row.fundingSource ?? ""] }
            }.sorted { $0.lexicographicallyPrecedes($1) })
        return [("students.csv", students), ("markers.csv", markers), ("attendance.csv", attendance), ("results.csv", results),
                ("support.csv", support), ("README.txt", readme(provider: provider, cohort: cohort, year: year))]
    }

    func readme(provider: String, cohort: String, year: String) -> String {
        """
        Pseudonymised research export: provider \(provider), cohort \(cohort), academic year \(year).
        Made by gaptrack export research (docs/data-protection.md, section 6).

        Students: \(kept.count) of the cohort's \(rows.students.count).

        Pseudonyms. Each student is named by a pseudonym (S followed by 20 hex digits): a keyed hash
        (HMAC-SHA-256) of gaptrack's internal id under a random 256-bit key made for this export and
        never stored. The same student has the same pseudonym in every file here; another export
        uses another key, so pseudonyms of two exports cannot be matched.

        Removed. Names, UPN, ULN, HESA and institution ids, internal ids, dates of birth, postcodes
        and addresses (gaptrack holds none), staff names and intended outcomes (free text), the
        dates of assessments and support (terms only), restricted support records and restricted
        markers (care, estrangement, refugee status, young carers), and the import files' names.

        Small cells (k-anonymity, k = \(k)). The quasi-identifiers are birth, gender, ethnicity,
        disadvantaged, sen and eal in students.csv (markers.csv repeats the last three as released).
        They were coarsened to the level "\(KAnonymity.levels[outcome.level])";
        then students whose combination was still shared by fewer than \(k) students had all six
        replaced by * (\(outcome.suppressed) students), and \(outcome.withheld.count) students were left out because even
        the suppressed group was smaller than \(k). Every combination in students.csv is shared by
        at least \(k) students.

        Files: students.csv, markers.csv (disadvantage on the autumn census day, SEN, EAL),
        attendance.csv (sessions in the academic year), results.csv (the year's assessments),
        support.csv (support started in the year, by term).

        """
    }
}
