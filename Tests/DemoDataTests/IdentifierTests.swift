import DemoData
import GapTrackDomain
import Testing

/// Every identifier must pass gaptrack's own checks, or the demo would not load.
@Suite("Demo identifiers are valid")
struct IdentifierTests {
    @Test("every UPN has a correct check letter and a real LA code, and each pupil has one UPN")
    func schoolUPNs() throws {
        let files = try DefaultDemo.get()
        let students = try files.records(.academy, .students)
        var byPupil: [String: Set<String>] = [:]
        var bristol = 0
        for record in students {
            let text = try record.value("upn")
            let upn = try UPN(text)
            #expect(upn.value == text)
            #expect(!upn.isTemporary)
            if upn.localAuthorityCode == "801" { bristol += 1 }
            let birth = try record.value("date_of_birth")
            let forename = try record.value("forename")
            byPupil[text, default: []].insert(birth + forename)
        }
        #expect(byPupil.count == 1_200)  // 5 year groups of 200, and last year's Year 11
        #expect(byPupil.values.allSatisfy { $0.count == 1 }, "a UPN is shared by two different pupils")
        #expect(Double(bristol) / Double(students.count) > 0.75, "most pupils started school in the academy's own LA")
        for file in [DemoFile.markers, .assessments, .support] {
            for record in try files.records(.academy, file) {
                #expect(byPupil[try record.value("student")] != nil, "\(file) names a pupil not in students.csv")
            }
        }
    }

    @Test("every ULN passes the check digit test and HESA ids have 13 digits")
    func universityIdentifiers() throws {
        let files = try DefaultDemo.get()
        var husids = Set<String>()
        var institutionIDs = Set<String>()
        var ulns = Set<String>()
        var withULN = 0
        var rows = 0
        for record in try files.records(.university, .students) {
            rows += 1
            let husid = try HESAStudentID(try record.value("hesa_id")).value
            let institution = try record.value("institution_id")
            if husids.insert(husid).inserted {
                institutionIDs.insert(institution)
                if let uln = record.optionalValue("uln") {
                    #expect(try ULN(uln).value == uln)
                    ulns.insert(uln)
                    withULN += 1
                }
            }
        }
        #expect(husids.count == 3_000)
        #expect(institutionIDs.count == 3_000)
        #expect(ulns.count == withULN, "two students share a ULN")
        #expect(Double(withULN) / 3_000 > 0.75)
        for record in try files.records(.university, .markers) {
            #expect(husids.contains(try record.value("student")))
        }
    }

    @Test("the demo providers have valid URN, UKPRN and LA code")
    func providers() throws {
        _ = try URN(DemoProvider.academy.urn!)
        _ = try UKPRN(DemoProvider.university.ukprn!)
        #expect(LocalAuthority.withCode(DemoProvider.academy.localAuthorityCode!) != nil)
        // Every file is someone's; the student-record extract and its support are the university's alone.
        #expect(Set(DemoProvider.academy.files + DemoProvider.university.files) == Set(DemoFile.allCases))
        #expect(!DemoProvider.academy.files.contains(.studentRecords) && !DemoProvider.academy.files.contains(.supportHistory))
        #expect(!DemoProvider.university.files.contains(.attendance))
    }
}
