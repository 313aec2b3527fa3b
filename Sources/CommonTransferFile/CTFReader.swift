import Foundation
import GapTrackDomain

/// Reads a DfE Common Transfer File (docs/import-formats.md, "Common Transfer File") into a
/// `CTFDocument`, checking every value it uses where it enters and naming the element path of
/// each problem. It reports all problems of the file at once, so one export round fixes them.
public enum CTFReader {
    /// Reads the file at `url`, refusing one larger than `limits.maximumBytes` before loading it.
    public static func read(contentsOf url: URL, limits: CTFLimits = CTFLimits()) throws -> CTFDocument {
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= limits.maximumBytes else { throw CTFError.tooLarge(bytes: size, limit: limits.maximumBytes) }
        return try read(try Data(contentsOf: url), limits: limits)
    }

    public static func read(_ data: Data, limits: CTFLimits = CTFLimits()) throws(CTFError) -> CTFDocument {
        let root = try XMLTreeBuilder.parse(data, limits: limits)
        guard root.name == "CTfile" else { throw .notACommonTransferFile(root: root.name) }
        var reader = ElementReader()
        let header = reader.header(root)
        var pupils: [CTFPupil] = []
        if let data = reader.required(root, "CTFpupilData", path: "CTfile") {
            for (offset, node) in data.all("Pupil").enumerated() {
                if let pupil = reader.pupil(node, path: "CTfile/CTFpupilData/Pupil[\(offset + 1)]") { pupils.append(pupil) }
            }
        }
        reader.checkDuplicateUPNs(pupils)
        guard reader.problems.isEmpty, let header else { throw .invalid(reader.problems) }
        return CTFDocument(header: header, pupils: pupils, undefinedElements: CTFElements.undefined(in: root),
                           resultsNotRead: reader.resultsNotRead)
    }
}

/// Reads elements, collecting problems instead of stopping at the first.
struct ElementReader {
    private(set) var problems: [CTFProblem] = []
    private(set) var resultsNotRead = 0

    mutating func fail(_ path: String, _ line: Int, _ message: String) {
        problems.append(CTFProblem(path: path, line: line, message: message))
    }

    /// A child that must be there.
    mutating func required(_ parent: XMLElementNode, _ name: String, path: String) -> XMLElementNode? {
        guard let child = parent.first(name) else {
            fail("\(path)/\(name)", parent.line, "is missing; the CTF specification requires it here")
            return nil
        }
        return child
    }

    /// A child's text, or nil when absent or empty; `required` reports that as a problem.
    mutating func text(_ parent: XMLElementNode, _ name: String, path: String, required: Bool = false) -> String? {
        guard let child = parent.first(name), !child.text.isEmpty else {
            if required {
                fail("\(path)/\(name)", parent.first(name)?.line ?? parent.line,
                     parent.first(name) == nil ? "is missing; the CTF specification requires it here" : "is empty; a value is required")
            }
            return nil
        }
        return child.text
    }

    /// A child's value through `parse`, which returns nil for a bad value; the problem then says
    /// what was expected.
    mutating func value<T>(_ parent: XMLElementNode, _ name: String, path: String, required: Bool = false,
                           expected: String, _ parse: (String) -> T?) -> T? {
        guard let text = text(parent, name, path: path, required: required) else { return nil }
        guard let value = parse(text) else {
            fail("\(path)/\(name)", parent.first(name)!.line, "\(CTFProblem.quoted(text)) is not valid; expected \(expected)")
            return nil
        }
        return value
    }

    mutating func date(_ parent: XMLElementNode, _ name: String, path: String, required: Bool = false) -> CalendarDate? {
        value(parent, name, path: path, required: required, expected: "a date written YYYY-MM-DD") { text in
            guard text.count == 10 else { return nil }
            return try? CalendarDate(parsing: text)
        }
    }

    mutating func count(_ parent: XMLElementNode, _ name: String, path: String) -> Int? {
        value(parent, name, path: path, required: true, expected: "a whole number of sessions, 0 or more") { text in
            guard text.count <= 6, text.allSatisfy(\.isASCIIDigitCharacter) else { return nil }
            return Int(text)
        }
    }

    mutating func header(_ root: XMLElementNode) -> CTFHeader? {
        let path = "CTfile/Header"
        guard let header = required(root, "Header", path: "CTfile") else { return nil }
        let version = text(header, "CTFversion", path: path, required: true)
        let madeOn = value(header, "DateTime", path: path, required: true, expected: "a date and time written YYYY-MM-DDThh:mm:ss") { text in
            text.count >= 10 ? try? CalendarDate(parsing: String(text.prefix(10))) : nil
        }
        var source: (String?, String?, String?) = (nil, nil, nil)
        if let school = required(header, "SourceSchool", path: path) {
            let schoolPath = path + "/SourceSchool"
            source = (value(school, "LEA", path: schoolPath, required: true, expected: "a three-digit local authority number", Codes.laNumber),
                      value(school, "Estab", path: schoolPath, required: true, expected: "a four-digit establishment number", Codes.estab),
                      text(school, "SchoolName", path: schoolPath))
        }
        var destination: (String?, String?) = (nil, nil)
        if let school = header.first("DestSchool") {
            let schoolPath = path + "/DestSchool"
            destination = (value(school, "LEA", path: schoolPath, expected: "a three-digit local authority number (or MMM/XXX when not known)", Codes.destinationLA),
                           value(school, "Estab", path: schoolPath, expected: "a four-digit establishment number (or MMMM/XXXX when not known)", Codes.destinationEstab))
        }
        guard let version, let madeOn, let sourceLA = source.0, let sourceEstab = source.1 else { return nil }
        return CTFHeader(version: version, madeOn: madeOn, sourceLA: sourceLA, sourceEstab: sourceEstab, sourceSchoolName: source.2,
                         destinationLA: destination.0, destinationEstab: destination.1)
    }

    mutating func pupil(_ node: XMLElementNode, path: String) -> CTFPupil? {
        let before = problems.count
        let upn = upnValue(node, "UPN", path: path, required: true)
        let surname = name(node, "Surname", path: path)
        let forename = name(node, "Forename", path: path)
        let birth = date(node, "DOB", path: path, required: true)
        let gender = value(node, "Gender", path: path, required: true, expected: "F or M (or X, U where the MIS holds them)") { text in
            ["F", "M", "X", "U"].contains(text.uppercased()) ? text.uppercased() : nil
        }
        let details = node.first("BasicDetails")
        let detailsPath = path + "/BasicDetails"
        var formerUPN: UPN?
        var ethnicity: String?
        var yearGroup: String?
        var firstLanguage: String?
        if let details {
            formerUPN = upnValue(details, "FormerUPN", path: detailsPath, required: false)
            ethnicity = value(details, "Ethnicity", path: detailsPath, expected: "a DfE ethnicity code of 4 letters (e.g. WBRI)") { text in
                text.count == 4 && text.allSatisfy { $0.isLetter && $0.isASCII } ? text.uppercased() : nil
            }
            yearGroup = value(details, "NCyearActual", path: detailsPath, expected: "a year group: N1, N2, R, 1 to 14 or X") { text in
                ["N1", "N2", "R", "X"].contains(text.uppercased()) || (Int(text).map { (1...14).contains($0) } ?? false) ? text.uppercased() : nil
            }
            firstLanguage = language(details, path: detailsPath)
        }
        if let upn, let formerUPN, upn == formerUPN {
            fail(detailsPath + "/FormerUPN", details!.first("FormerUPN")!.line, "is the same as the pupil's UPN \(upn); a former UPN is the one the pupil had before")
        }
        let fsm = fsmSpells(node, path: path)
        let sen = senSpells(node, path: path)
        var inCare: Bool?
        var careAuthority: String?
        if let lookedAfter = node.first("LookedAfter") {
            let lookedAfterPath = path + "/LookedAfter"
            inCare = value(lookedAfter, "InCare", path: lookedAfterPath, required: true, expected: "true or false") { text in
                switch text.lowercased() {
                case "true", "1": return true
                case "false", "0": return false
                default: return nil
                }
            }
            careAuthority = value(lookedAfter, "CareAuthority", path: lookedAfterPath, expected: "a three-digit local authority number", Codes.laNumber)
        }
        let attendance = attendanceYears(node, path: path)
        let ks2 = ks2Scores(node, path: path)
        if let birth {
            for spell in fsm + sen where spell.start < birth {
                fail(spell.path, spell.line, "starts on \(spell.start.isoString), before the pupil's date of birth \(birth.isoString)")
            }
        }
        guard problems.count == before, let upn, let surname, let forename, let birth, let gender else { return nil }
        return CTFPupil(path: path, line: node.line, upn: upn, formerUPN: formerUPN, surname: surname, forename: forename,
                        dateOfBirth: birth, gender: gender, ethnicity: ethnicity, yearGroup: yearGroup, firstLanguage: firstLanguage,
                        fsmSpells: fsm, senSpells: sen, inCare: inCare, careAuthority: careAuthority,
                        attendance: attendance, ks2Scores: ks2)
    }

    private mutating func upnValue(_ parent: XMLElementNode, _ name: String, path: String, required: Bool) -> UPN? {
        guard let text = text(parent, name, path: path, required: required) else { return nil }
        do {
            return try UPN(text)
        } catch {
            fail("\(path)/\(name)", parent.first(name)!.line, error.description)
            return nil
        }
    }

    private mutating func name(_ parent: XMLElementNode, _ element: String, path: String) -> String? {
        value(parent, element, path: path, required: true, expected: "a name of at most 100 characters without control characters") { text in
            text.unicodeScalars.count <= 100 && !text.unicodeScalars.contains { $0.properties.generalCategory == .control } ? text : nil
        }
    }

    /// The first language: the `Languages/Type` whose `LanguageType` is F.
    private mutating func language(_ details: XMLElementNode, path: String) -> String? {
        guard let languages = details.first("Languages") else { return nil }
        var first: String?
        for (offset, type) in languages.all("Type").enumerated() {
            let typePath = "\(path)/Languages/Type[\(offset + 1)]"
            let kind = text(type, "LanguageType", path: typePath, required: true)
            let code = value(type, "Language", path: typePath, required: true, expected: "a language code of 3 or 4 capital letters (e.g. ENG, POL)") { text in
                (3...4).contains(text.count) && text.allSatisfy { $0.isUppercase && $0.isASCII } ? text : nil
            }
            if kind?.uppercased() == "F", let code {
                if first != nil {
                    fail(typePath, type.line, "is a second first language (LanguageType F); a pupil has one first language in the CTF")
                }
                first = code
            }
        }
        return first
    }

    private mutating func fsmSpells(_ pupil: XMLElementNode, path: String) -> [CTFSpell] {
        guard let history = pupil.first("FSMhistory") else { return [] }
        var spells: [CTFSpell] = []
        for (offset, instance) in history.all("FSMinstance").enumerated() {
            let instancePath = "\(path)/FSMhistory/FSMinstance[\(offset + 1)]"
            let start = date(instance, "FSMstartDate", path: instancePath, required: true)
            let end = date(instance, "FSMendDate", path: instancePath)
            let country = value(instance, "UKCountry", path: instancePath, expected: "ENG, WLS, SCT or NIR") { text in
                ["ENG", "WLS", "SCT", "NIR"].contains(text.uppercased()) ? text.uppercased() : nil
            }
            guard let start else { continue }
            if let end, end < start {
                fail(instancePath + "/FSMendDate", instance.first("FSMendDate")!.line, "'\(end.isoString)' is before FSMstartDate \(start.isoString)")
                continue
            }
            spells.append(CTFSpell(path: instancePath, line: instance.line, start: start, end: end, value: nil, country: country))
        }
        checkOverlaps(spells, what: "FSM")
        return spells
    }

    private mutating func senSpells(_ pupil: XMLElementNode, path: String) -> [CTFSpell] {
        guard let history = pupil.first("SENhistory") else { return [] }
        var spells: [CTFSpell] = []
        for (offset, sen) in history.all("SEN").enumerated() {
            let senPath = "\(path)/SENhistory/SEN[\(offset + 1)]"
            let start = date(sen, "StartDate", path: senPath, required: true)
            let end = date(sen, "EndDate", path: senPath)
            let provision = value(sen, "SENprovision", path: senPath, required: true,
                                  expected: "E (EHC plan), K (SEN support) or N (no special educational need)") { text in
                ["E", "K", "N"].contains(text.uppercased()) ? text.uppercased() : nil
            }
            guard let start, let provision else { continue }
            if let end, end < start {
                fail(senPath + "/EndDate", sen.first("EndDate")!.line, "'\(end.isoString)' is before StartDate \(start.isoString)")
                continue
            }
            guard provision != "N" else { continue }
            spells.append(CTFSpell(path: senPath, line: sen.line, start: start, end: end, value: provision, country: nil))
        }
        // A spell without an end date lasts until the next one starts.
        let ordered = spells.sorted { $0.start < $1.start }
        let closed = ordered.enumerated().map { index, spell -> CTFSpell in
            guard spell.end == nil, index + 1 < ordered.count else { return spell }
            return CTFSpell(path: spell.path, line: spell.line, start: spell.start, end: ordered[index + 1].start.adding(days: -1),
                            value: spell.value, country: nil)
        }
        checkOverlaps(closed, what: "SEN provision")
        return closed
    }

    /// Spells of one marker never overlap (docs/methodology.md §1.1).
    private mutating func checkOverlaps(_ spells: [CTFSpell], what: String) {
        let ordered = spells.sorted { $0.start < $1.start }
        for (earlier, later) in zip(ordered, ordered.dropFirst()) {
            if earlier.end.map({ $0 >= later.start }) ?? true {
                fail(later.path, later.line, "the \(what) spell from \(later.start.isoString) overlaps the one from \(earlier.start.isoString) at \(earlier.path); spells of one marker cannot overlap")
            }
        }
    }

    private mutating func attendanceYears(_ pupil: XMLElementNode, path: String) -> [CTFAttendanceYear] {
        guard let attendance = pupil.first("Attendance") else { return [] }
        var years: [CTFAttendanceYear] = []
        for (offset, data) in attendance.all("YearData").enumerated() {
            let yearPath = "\(path)/Attendance/YearData[\(offset + 1)]"
            let year = value(data, "Year", path: yearPath, required: true, expected: "a year such as 2024") { text in
                text.count == 4 ? Int(text).flatMap { (1990...2100).contains($0) ? $0 : nil } : nil
            }
            let possible = count(data, "SessionsPossible", path: yearPath)
            let authorised = count(data, "SessionsAuthorised", path: yearPath)
            let unauthorised = count(data, "SessionsUnauthorised", path: yearPath)
            guard let year, let possible, let authorised, let unauthorised else { continue }
            guard authorised + unauthorised <= possible else {
                fail(yearPath, data.line, "authorised (\(authorised)) and unauthorised (\(unauthorised)) absences add up to more than the \(possible) sessions possible")
                continue
            }
            years.append(CTFAttendanceYear(path: yearPath, year: year, sessionsPossible: possible,
                                           sessionsAuthorised: authorised, sessionsUnauthorised: unauthorised))
        }
        return years
    }

    private mutating func ks2Scores(_ pupil: XMLElementNode, path: String) -> [CTFKS2Score] {
        guard let stages = pupil.first("StageAssessments") else { return [] }
        var scores: [CTFKS2Score] = []
        for (stageOffset, keyStage) in stages.all("KeyStage").enumerated() {
            let stagePath = "\(path)/StageAssessments/KeyStage[\(stageOffset + 1)]"
            let stage = text(keyStage, "Stage", path: stagePath, required: true)
            for (offset, assessment) in keyStage.all("StageAssessment").enumerated() {
                let assessmentPath = "\(stagePath)/StageAssessment[\(offset + 1)]"
                guard stage?.uppercased() == "KS2",
                      let subject = CTFElements.ks2ScaledScoreSubject(subject: assessment.first("Subject")?.text ?? "",
                                                                     method: assessment.first("Method")?.text ?? "",
                                                                     component: assessment.first("Component")?.text ?? "")
                else {
                    resultsNotRead += 1
                    continue
                }
                let year = value(assessment, "Year", path: assessmentPath, required: true, expected: "the year of the tests, such as 2024") { text in
                    text.count == 4 ? Int(text).flatMap { (1995...2100).contains($0) ? $0 : nil } : nil
                }
                guard let result = text(assessment, "Result", path: assessmentPath, required: true) else { continue }
                // A test that was not sat (absent, working below, ...) has a letter, not a score.
                guard let score = Int(result) else {
                    resultsNotRead += 1
                    continue
                }
                guard (80...120).contains(score) else {
                    fail(assessmentPath + "/Result", assessment.first("Result")!.line,
                         "\(CTFProblem.quoted(result)) is not a KS2 scaled score; expected a whole number from 80 to 120")
                    continue
                }
                let resultDate = date(assessment, "ResultDate", path: assessmentPath)
                guard let year else { continue }
                let academicYear = AcademicYear(startYear: year - 1)
                let when = resultDate ?? CalendarDate(year: year, month: 7, day: 1)!
                guard academicYear.dateRange.contains(when) else {
                    fail(assessmentPath + "/ResultDate", assessment.first("ResultDate")!.line,
                         "'\(when.isoString)' is not in academic year \(academicYear), the year of the \(year) tests")
                    continue
                }
                scores.append(CTFKS2Score(path: assessmentPath, line: assessment.line, subject: subject, academicYear: academicYear,
                                          score: score, date: when))
            }
        }
        var seen: [String: String] = [:]
        for score in scores {
            let key = "\(score.subject)|\(score.academicYear)"
            if let earlier = seen[key] {
                fail(score.path, score.line, "is a second KS2 \(score.subject) scaled score for \(score.academicYear) (the first is \(earlier)); a pupil has one")
            } else {
                seen[key] = score.path
            }
        }
        return scores
    }

    /// A UPN given to two pupils of one file is one pupil twice or a typing error; either way the
    /// file cannot be loaded as it stands.
    mutating func checkDuplicateUPNs(_ pupils: [CTFPupil]) {
        var first: [UPN: String] = [:]
        for pupil in pupils {
            for upn in [pupil.upn] + (pupil.formerUPN.map { [$0] } ?? []) {
                if let earlier = first[upn], earlier != pupil.path {
                    fail(pupil.path, pupil.line, "has UPN \(upn), which \(earlier) also has; each pupil appears once in a CTF")
                } else {
                    first[upn] = pupil.path
                }
            }
        }
    }
}

/// Code shapes of the header.
enum Codes {
    static func laNumber(_ text: String) -> String? {
        text.count == 3 && text.allSatisfy(\.isASCIIDigitCharacter) ? text : nil
    }

    static func estab(_ text: String) -> String? {
        text.count == 4 && text.allSatisfy(\.isASCIIDigitCharacter) ? text : nil
    }

    static func destinationLA(_ text: String) -> String? {
        ["MMM", "XXX"].contains(text) ? text : laNumber(text)
    }

    static func destinationEstab(_ text: String) -> String? {
        ["MMMM", "XXXX"].contains(text) ? text : estab(text)
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
