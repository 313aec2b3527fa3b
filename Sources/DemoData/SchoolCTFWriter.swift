import Foundation
import GapTrackDomain

/// Writes Demo Academy's pupils as one Common Transfer File (docs/import-formats.md, "Common
/// Transfer File"), as if the school sent its whole roll on: identifiers, names, FSM and SEN
/// spells, first language, in-care status and KS2 scaled scores. The CTF carries no enrolments,
/// attendance marks, termly assessments or support, so those stay in the CSV files.
public struct SchoolCTFWriter: Sendable {
    public let options: DemoOptions
    /// The file's date: the last school day of 2024/25, as at which first language and in-care
    /// status are stated.
    public static let madeOn = SchoolCalendar.year2024.schoolDays.last!
    public static let fileName = "pupils-ctf.xml"

    public init(options: DemoOptions) {
        self.options = options
    }

    /// Writes `folder/pupils-ctf.xml` and returns its URL and how many pupils it holds.
    public func write(into folder: URL) throws(DemoDataError) -> (url: URL, pupils: Int) {
        try DemoFileWriter.makeFolder(folder)
        let provider = DemoProvider.academy
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <CTfile>
              <Header>
                <DocumentName>Common Transfer File</DocumentName>
                <CTFversion>25.0</CTFversion>
                <DateTime>\(Self.madeOn.isoString)T16:00:00</DateTime>
                <DocumentQualifier>full</DocumentQualifier>
                <SupplierID>gaptrack demo</SupplierID>
                <SourceSchool>
                  <LEA>\(provider.localAuthorityCode!)</LEA>
                  <Estab>\(provider.establishmentNumber!)</Estab>
                  <URN>\(provider.urn!)</URN>
                  <SchoolName>\(Self.escaped(provider.name))</SchoolName>
                  <AcademicYear>\(AcademicYear(containing: Self.madeOn).startYear)</AcademicYear>
                </SourceSchool>
                <DestSchool><LEA>XXX</LEA><Estab>XXXX</Estab></DestSchool>
              </Header>
              <CTFpupilData>

            """
        var count = 0
        for pupil in SchoolPupils(options: options) {
            count += 1
            xml += pupilElement(pupil)
        }
        xml += "  </CTFpupilData>\n</CTfile>\n"
        let url = folder.appendingPathComponent(Self.fileName)
        do {
            try Data(xml.utf8).write(to: url, options: .atomic)
        } catch {
            throw .cannotWrite(path: url.path, reason: error.localizedDescription)
        }
        return (url, count)
    }

    func pupilElement(_ pupil: SchoolPupil) -> String {
        var lines = [
            "<Pupil>",
            "  <UPN>\(pupil.upn)</UPN>",
            "  <Surname>\(Self.escaped(pupil.surname))</Surname>",
            "  <Forename>\(Self.escaped(pupil.forename))</Forename>",
            "  <DOB>\(pupil.dateOfBirth.isoString)</DOB>",
            "  <Gender>\(pupil.gender)</Gender>",
            "  <BasicDetails>",
        ]
        if let last = pupil.enrolments.last { lines.append("    <NCyearActual>\(last.yearGroup)</NCyearActual>") }
        lines.append("    <Ethnicity>\(Self.escaped(pupil.ethnicity))</Ethnicity>")
        // The CTF states a first language, not an EAL spell: "OTB" (believed other than English)
        // for a pupil with EAL on the file's date, English otherwise.
        let eal = pupil.marker(.eal, on: Self.madeOn) != nil
        lines.append("    <Languages><Type><LanguageType>F</LanguageType><Language>\(eal ? "OTB" : "ENG")</Language></Type></Languages>")
        lines.append("  </BasicDetails>")
        lines += Self.spells(of: pupil, .fsm, in: "FSMhistory") { spell in
            "<FSMinstance><FSMstartDate>\(spell.start.isoString)</FSMstartDate>"
                + (spell.end.map { "<FSMendDate>\($0.isoString)</FSMendDate>" } ?? "") + "<UKCountry>ENG</UKCountry></FSMinstance>"
        }
        if pupil.marker(.lookedAfter, on: Self.madeOn) != nil {
            lines.append("  <LookedAfter><InCare>true</InCare><CareAuthority>\(DemoProvider.academy.localAuthorityCode!)</CareAuthority></LookedAfter>")
        }
        lines += Self.spells(of: pupil, .sen, in: "SENhistory") { spell in
            "<SEN><StartDate>\(spell.start.isoString)</StartDate>"
                + (spell.end.map { "<EndDate>\($0.isoString)</EndDate>" } ?? "") + "<SENprovision>\(spell.value)</SENprovision></SEN>"
        }
        let ks2 = SchoolAssessments.rows(for: pupil, seed: options.seed).filter { $0.assessment == "KS2" }
        if !ks2.isEmpty {
            lines.append("  <StageAssessments><KeyStage><Stage>KS2</Stage>")
            for row in ks2 {
                let (subject, component) = row.subject == "maths" ? ("MAT", "MAT") : ("ENG", "RD")
                lines.append("    <StageAssessment><Year>\(row.academicYear.startYear + 1)</Year><Locale>ENG</Locale><Subject>\(subject)</Subject>"
                    + "<Method>TT</Method><Component>\(component)</Component><ResultStatus>R</ResultStatus><ResultQualifier>SS</ResultQualifier>"
                    + "<Result>\(row.result)</Result><ResultDate>\(row.date.isoString)</ResultDate></StageAssessment>")
            }
            lines.append("  </KeyStage></StageAssessments>")
        }
        lines.append("</Pupil>")
        return lines.map { "    " + $0 }.joined(separator: "\n") + "\n"
    }

    /// The pupil's spells of one marker inside their history element, or nothing without any.
    static func spells(of pupil: SchoolPupil, _ kind: DisadvantageMarkerKind, in history: String,
                       _ element: (DemoMarker) -> String) -> [String] {
        let spells = pupil.markers.filter { $0.marker == kind.rawValue }
        guard !spells.isEmpty else { return [] }
        return ["  <\(history)>"] + spells.map { "    " + element($0) } + ["  </\(history)>"]
    }

    /// Text as XML character data: the five characters XML reserves become entity references
    /// (the ampersand first, so the others' ampersands are not escaped twice).
    public static func escaped(_ text: String) -> String {
        [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\"", "&quot;"), ("'", "&apos;")].reduce(text) {
            $0.replacingOccurrences(of: $1.0, with: $1.1)
        }
    }
}
