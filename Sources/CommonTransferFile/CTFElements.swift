/// Which elements the CTF specification defines (docs/import-formats.md, "Common Transfer File"),
/// so that an element it does not define can be listed once in the import's summary rather than
/// silently dropped or refused. Paths are written without indices.
enum CTFElements {
    /// Elements defined by the specification whose children are checked in turn.
    static let containers: Set<String> = [
        "CTfile", "CTfile/Header", "CTfile/Header/SourceSchool", "CTfile/Header/DestSchool", "CTfile/CTFpupilData",
        "CTfile/CTFpupilData/Pupil", "CTfile/CTFpupilData/Pupil/BasicDetails", "CTfile/CTFpupilData/Pupil/BasicDetails/Languages",
        "CTfile/CTFpupilData/Pupil/BasicDetails/Languages/Type", "CTfile/CTFpupilData/Pupil/FSMhistory",
        "CTfile/CTFpupilData/Pupil/FSMhistory/FSMinstance", "CTfile/CTFpupilData/Pupil/LookedAfter",
        "CTfile/CTFpupilData/Pupil/SENhistory", "CTfile/CTFpupilData/Pupil/SENhistory/SEN",
        "CTfile/CTFpupilData/Pupil/Attendance", "CTfile/CTFpupilData/Pupil/Attendance/YearData",
        "CTfile/CTFpupilData/Pupil/StageAssessments", "CTfile/CTFpupilData/Pupil/StageAssessments/KeyStage",
        "CTfile/CTFpupilData/Pupil/StageAssessments/KeyStage/StageAssessment",
    ]

    /// Elements defined by the specification that gaptrack reads as values, or deliberately
    /// leaves (with everything inside them): addresses, contacts, medical and school history are
    /// not what gaptrack is for, and holding them would only add risk.
    static let leaves: Set<String> = {
        let pupil = "CTfile/CTFpupilData/Pupil/"
        let header = [
            "DocumentName", "CTFversion", "DateTime", "DocumentQualifier", "DataQualifier", "DataDescriptor", "SupplierID", "Suppinfo",
            "SourceSchool/LEA", "SourceSchool/Estab", "SourceSchool/URN", "SourceSchool/SchoolName", "SourceSchool/AcademicYear",
            "DestSchool/LEA", "DestSchool/Estab", "DestSchool/URN",
        ].map { "CTfile/Header/" + $0 }
        let pupilLeaves = [
            "UPN", "UniqueLearnerNumber", "UCI", "Surname", "Forename", "DOB", "Gender",
            "BasicDetails/FormerUPN", "BasicDetails/PreferredSurname", "BasicDetails/FormerSurname", "BasicDetails/PreferredForename",
            "BasicDetails/MiddleNames", "BasicDetails/NCyearActual", "BasicDetails/Ethnicity", "BasicDetails/EthnicitySource",
            "BasicDetails/Languages/Type/LanguageType", "BasicDetails/Languages/Type/Language", "BasicDetails/MedicalFlag",
            "BasicDetails/Disabilities", "BasicDetails/EnrolStatus", "BasicDetails/ServiceChild", "BasicDetails/UniquePupilNumber",
            "FSMhistory/FSMreviewDate", "FSMhistory/FSMinstance/FSMstartDate", "FSMhistory/FSMinstance/FSMendDate",
            "FSMhistory/FSMinstance/UKCountry", "LookedAfter/InCare", "LookedAfter/CareAuthority",
            "SENhistory/SEN/StartDate", "SENhistory/SEN/EndDate", "SENhistory/SEN/SENprovision", "SENhistory/SENneeds",
            "Attendance/YearData/Year", "Attendance/YearData/SchoolLEA", "Attendance/YearData/SchoolEstab",
            "Attendance/YearData/SchoolName", "Attendance/YearData/SessionsPossible", "Attendance/YearData/SessionsAuthorised",
            "Attendance/YearData/SessionsUnauthorised", "Attendance/YearData/AttendanceStartDate", "Attendance/YearData/AttendanceMarks",
            "Attendance/YearData/SessionAttendance",
            "StageAssessments/KeyStage/Stage", "StageAssessments/KeyStage/StageAssessment/Year",
            "StageAssessments/KeyStage/StageAssessment/Locale", "StageAssessments/KeyStage/StageAssessment/Subject",
            "StageAssessments/KeyStage/StageAssessment/Method", "StageAssessments/KeyStage/StageAssessment/Component",
            "StageAssessments/KeyStage/StageAssessment/ResultStatus", "StageAssessments/KeyStage/StageAssessment/ResultQualifier",
            "StageAssessments/KeyStage/StageAssessment/Result", "StageAssessments/KeyStage/StageAssessment/ResultDate",
            "NAWdetails", "Admissions", "Address", "Phones", "Email", "Contacts", "SchoolHistory", "ServiceChild",
        ].map { pupil + $0 }
        return Set(header + pupilLeaves)
    }()

    /// The paths (without indices) of elements not defined above, each once, in file order.
    static func undefined(in root: XMLElementNode) -> [String] {
        var found: [String] = []
        var seen = Set<String>()
        func walk(_ node: XMLElementNode, path: String) {
            for child in node.children {
                let childPath = path + "/" + child.name
                if containers.contains(childPath) {
                    walk(child, path: childPath)
                } else if !leaves.contains(childPath), seen.insert(childPath).inserted {
                    found.append(childPath)
                }
            }
        }
        walk(root, path: root.name)
        return found
    }

    /// The gaptrack subject of a KS2 test scaled score, or nil for any other result. Tests
    /// (`Method` TT) give scaled scores in reading and in grammar, punctuation and spelling
    /// (`Subject` ENG with `Component` RD or GPS) and in maths (`Subject` MAT); the codes are
    /// listed, with how far they were checked, in docs/import-formats.md.
    static func ks2ScaledScoreSubject(subject: String, method: String, component: String) -> String? {
        guard method.uppercased() == "TT" else { return nil }
        switch (subject.uppercased(), component.uppercased()) {
        case ("MAT", _): return "maths"
        case ("ENG", "RD"), ("REA", _): return "reading"
        case ("ENG", "GPS"), ("GPS", _): return "grammar, punctuation and spelling"
        default: return nil
        }
    }
}
