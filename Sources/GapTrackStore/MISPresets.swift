/// Column aliases for exports from the common school MIS products.
///
/// These are *typical* column names seen in SIMS, Arbor and Bromcom report exports and in
/// schools' own spreadsheets built from them; they are not taken from the vendors'
/// specifications, which are not public, and a school's report designer can name columns
/// anything. When an export does not load, map its columns with `--map 'Their Name=our_name'`
/// or a mapping file. Names are compared ignoring case, spaces and punctuation, and gaptrack's
/// own column names always match without a preset, so only different names are listed here.
/// For each of gaptrack's columns the aliases are tried in order, and the first the file has wins
/// (so "Legal Surname" is preferred to "Surname" when an export has both).
enum MISPresets {
    static func aliases(_ preset: ColumnMapping.Preset, kind: ImportKind) -> [String: [String]] {
        if kind == .studentRecords { return StudentRecordsPresets.aliases(preset) }
        var merged = common[kind] ?? [:]
        for (column, names) in (specific[preset]?[kind] ?? [:]) {
            merged[column] = names + (merged[column] ?? [])
        }
        return merged
    }

    /// Aliases shared by all three presets.
    private static let common: [ImportKind: [String: [String]]] = [
        .students: [
            "upn": ["Unique Pupil Number", "Pupil UPN"],
            "uln": ["Unique Learner Number"],
            "legal_surname": ["Surname", "Last Name", "Family Name"],
            "forename": ["Legal Forename", "Legal First Name", "First Name", "Forenames"],
            "date_of_birth": ["DOB", "Birth Date"],
            "gender": ["Sex"],
            "ethnicity": ["Ethnicity Code", "Ethnic Code", "Ethnic Origin"],
            "year_group": ["NC Year Actual", "NC Year", "Curriculum Year", "Year", "Yr"],
            "course": ["Course Code", "Programme", "Programme Code"],
            "start_date": ["Admission Date", "Date of Admission", "Entry Date", "Enrolment Date"],
            "leave_date": ["Leaving Date", "Date of Leaving", "Leave Date", "End Date"],
            "leave_reason": ["Reason for Leaving", "Leaving Reason"],
            "fsm": ["FSM Eligible", "Free School Meals", "Eligible for FSM", "FSM Eligibility"],
            "fsm_ever_6": ["Ever 6 FSM", "FSM6", "Ever6", "FSM Ever6"],
            "sen_status": ["SEN Provision", "SEN Stage", "SEND Status", "SEN"],
            "eal": ["EAL Status", "English as an Additional Language", "English Additional Language"],
            "looked_after": ["In Care", "Child Looked After", "CLA", "LAC", "Looked After Child"],
            "pupil_premium": ["Pupil Premium Indicator", "Pupil Premium Eligible", "PP", "PP Eligible", "Disadvantaged"],
            "form_group": ["Reg Group", "Registration Group", "Form", "Form Group", "Tutor Group", "Reg"],
        ],
        .markers: [
            "student": ["UPN", "ULN", "Student ID", "Pupil UPN"],
        ],
        .attendance: [
            "student": ["UPN", "ULN", "Pupil UPN", "Student ID"],
            "date": ["Session Date", "Attendance Date", "Mark Date"],
            "session": ["AM/PM", "AM PM", "Session Name", "Period"],
            "code": ["Mark", "Attendance Mark", "Attendance Code", "Session Mark"],
        ],
        .assessments: [
            "student": ["UPN", "ULN", "Pupil UPN", "Student ID"],
            "assessment": ["Assessment Name", "Aspect", "Assessment Point", "Result Set"],
            "result": ["Grade", "Mark", "Score", "Value"],
            "date": ["Assessment Date", "Date Taken"],
            "academic_year": ["Year"],
        ],
        .support: [
            "student": ["UPN", "ULN", "Pupil UPN", "Student ID"],
            "reference": ["Intervention ID", "Record ID", "ID"],
            "type": ["Intervention", "Intervention Type", "Support Type"],
            "amount": ["Cost", "Amount (£)", "Cost (£)"],
            "staff": ["Delivered By", "Staff Member", "Key Worker"],
            "intended_outcome": ["Intended Outcome", "Target", "Outcome"],
            "funding_source": ["Funding", "Funded By", "Budget"],
            "review_date": ["Review", "Next Review"],
        ],
    ]

    /// Aliases one vendor's exports are known for, tried before the common ones.
    private static let specific: [ColumnMapping.Preset: [ImportKind: [String: [String]]]] = [
        .sims: [
            .students: [
                "forename": ["Legal Forename", "Forename"],
                "legal_surname": ["Legal Surname", "Surname"],
                "year_group": ["NC Year Actual", "Year Group"],
                "sen_status": ["SEN Status", "SEN Provision"],
                "looked_after": ["In Care"],
                "form_group": ["Reg", "Reg Group"],
            ],
        ],
        .arbor: [
            .students: [
                "forename": ["Legal First Name", "First Name"],
                "legal_surname": ["Legal Last Name", "Last Name"],
                "year_group": ["Year", "Year Group"],
                "start_date": ["Start Date", "Enrolment Start Date"],
                "leave_date": ["End Date", "Enrolment End Date"],
                "looked_after": ["Looked After", "In Care"],
                "form_group": ["Registration Form", "Registration Group"],
            ],
        ],
        .bromcom: [
            .students: [
                "forename": ["Legal Forename", "Forename"],
                "legal_surname": ["Legal Surname", "Surname"],
                "year_group": ["NC Year", "Year Group"],
                "start_date": ["Admission Date", "Date of Admission"],
                "looked_after": ["In Care", "CLA"],
                "form_group": ["Reg Group", "Tutor Group"],
            ],
        ],
    ]
}
