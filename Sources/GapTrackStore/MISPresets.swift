/// Column aliases for exports from the common school MIS products (docs/import-formats.md,
/// "MIS presets and where their names come from").
///
/// The vendors do not publish one fixed pupil-list export: a school's report designer picks the
/// fields and can rename them. The names below are those the vendors' own documentation (and the
/// integrations built on it) gives for the fields gaptrack needs, cited per vendor in
/// docs/import-formats.md; names no published source confirmed are kept because schools' exports
/// use them, and are listed as unconfirmed in docs/methodology.md §9. Names are compared ignoring
/// case, spaces and punctuation, and gaptrack's own column names always match without a preset.
/// For each of gaptrack's columns the aliases are tried in order, and the first the file has wins
/// (so "Legal Surname" is preferred to "Surname" when an export has both).
///
/// Every date the MIS holds for when a pupil joined ("Admission Date", "Enrolment Date",
/// Arbor's "Enrolment Start Date") feeds `admission_date`, the on-roll date: the MIS keeps it from the
/// pupil's first day, not from the start of this academic year (docs/import-formats.md).
enum MISPresets {
    static func aliases(_ preset: ColumnMapping.Preset, kind: ImportKind) -> [String: [String]] {
        if kind == .studentRecords { return StudentRecordsPresets.aliases(preset) }
        var merged = common[kind] ?? [:]
        if kind == .markers {
            // A wide markers file's flag columns carry the pupils export's names.
            for column in SnapshotColumns.names { merged[column] = common[.students]?[column] }
        }
        for (column, names) in (specific[preset]?[kind] ?? [:]) {
            merged[column] = names + (merged[column] ?? [])
        }
        return merged
    }

    /// Aliases shared by the school MIS presets: the DfE's names for the census items (school
    /// census guide; The Education (Information About Individual Pupils) (England) Regulations
    /// 2013, Schedule 1) and the data-integration names (Wonde's `legal_surname`, `upn`,
    /// `former_upn`, `admission_date`, `current_nc_year`, `registration_name`) that MIS feeds carry.
    private static let common: [ImportKind: [String: [String]]] = [
        .students: [
            "upn": ["UPN", "Unique Pupil Number", "Pupil UPN"],
            "former_upn": ["Former UPN", "Previous UPN"],
            "uln": ["ULN", "Unique Learner Number"],
            "legal_surname": ["Legal Surname", "Surname", "Last Name", "Family Name"],
            "forename": ["Legal Forename", "Legal First Name", "Forename", "First Name", "Forenames"],
            "date_of_birth": ["Date of Birth", "DOB", "Birth Date"],
            "gender": ["Gender", "Sex"],
            "ethnicity": ["Ethnicity Code", "Ethnic Code", "Ethnicity", "Ethnic Group", "Ethnic Origin"],
            "year_group": ["NC Year Actual", "Current NC Year", "NC Year", "Year Group", "Curriculum Year", "Year", "Yr"],
            "course": ["Course Code", "Programme", "Programme Code"],
            "admission_date": ["Admission Date", "Admissions Date", "Date of Admission", "Entry Date", "Enrolment Date", "Date of Entry"],
            "leave_date": ["Leaving Date", "Date of Leaving", "Leave Date", "End Date"],
            "leave_reason": ["Reason for Leaving", "Leaving Reason"],
            "fsm": ["FSM Eligible", "Free School Meal Eligibility", "Free School Meal Status", "Free School Meals", "Eligible for FSM", "FSM Eligibility", "FSM"],
            "fsm_ever_6": ["Ever 6 FSM", "FSM Ever 6", "FSM6", "Ever6", "FSM Ever6"],
            "sen_status": ["SEN Status", "SEN Provision", "SEN Provisions", "SEN Stage", "SEND Status", "SEN"],
            "eal": ["EAL", "EAL Status", "English as an Additional Language", "English Additional Language"],
            "looked_after": ["In Care", "Looked After", "Child Looked After", "CLA", "LAC", "Looked After Child"],
            "pupil_premium": ["Pupil Premium Eligibility", "Pupil Premium Indicator", "Pupil Premium Eligible", "Pupil Premium", "PP", "PP Eligible", "Disadvantaged"],
            "form_group": ["Reg Group", "Registration Group", "Form", "Form Group", "Tutor Group", "Registration Name", "Reg"],
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
        // SIMS (Capita / ESS): Surname, Forename, Preferred Surname, Preferred Forename, Date of
        // Birth, Gender, Year Group (SIMS 7 applicant format); Registration Group, Free School Meal
        // Eligibility, Pupil Premium Eligibility (fields a SIMS pupil import carries); SEN
        // Provisions, Free School Meal Status, Admissions Number. "Legal Surname", "Legal
        // Forename", "NC Year Actual", "Reg Group", "In Care" are unconfirmed (§9).
        .sims: [
            .students: [
                "forename": ["Legal Forename", "Forename"],
                "legal_surname": ["Legal Surname", "Surname"],
                "year_group": ["NC Year Actual", "Year Group"],
                "sen_status": ["SEN Status", "SEN Provisions", "SEN Provision"],
                "looked_after": ["In Care"],
                "form_group": ["Reg Group", "Registration Group", "Reg"],
            ],
        ],
        // Arbor: Sex, Date of Birth, UPN, Ethnicity (student profile); Forename / Surname with the
        // known-as names beside them (Arbor's API); the attendance dataset's DATE, RAW_MARK (the
        // DfE mark) and PERIOD (BI connector data dictionary). "Legal First Name", "Legal Last
        // Name", "Registration Form", "Enrolment Start Date" are unconfirmed (§9).
        .arbor: [
            .students: [
                "forename": ["Legal First Name", "Forename", "First Name"],
                "legal_surname": ["Legal Last Name", "Surname", "Last Name"],
                "year_group": ["Year Group", "Year"],
                // Arbor's own "Start Date" is gaptrack's start_date by name, so it is not an alias
                // here: map it with --map 'Start Date=admission_date' (docs/import-formats.md).
                "admission_date": ["Enrolment Start Date", "Admission Date"],
                "leave_date": ["End Date", "Enrolment End Date"],
                "looked_after": ["Looked After", "In Care"],
                "form_group": ["Registration Form", "Registration Group"],
            ],
            .attendance: [
                "date": ["DATE"],
                "code": ["RAW_MARK"],
            ],
        ],
        // Bromcom: Firstname / Lastname with Preferred Firstname / Lastname beside them, Date of
        // Birth, Tutor Group, Year Group, Student ID (fields of a Bromcom pupil sync). "Legal
        // Surname", "Legal Forename", "Admission Date", "CLA" are unconfirmed (§9).
        .bromcom: [
            .students: [
                "forename": ["Legal Forename", "Firstname", "Forename"],
                "legal_surname": ["Legal Surname", "Lastname", "Surname"],
                "year_group": ["Year Group", "NC Year"],
                "admission_date": ["Admission Date", "Date of Admission"],
                "looked_after": ["In Care", "CLA"],
                "form_group": ["Tutor Group", "Reg Group"],
            ],
        ],
        // ScholarPack: no published export column list was found; these are the census item
        // names its pupil reports show, all unconfirmed (§9).
        .scholarpack: [
            .students: [
                "forename": ["Legal Forename", "Forename"],
                "legal_surname": ["Legal Surname", "Surname"],
                "year_group": ["Year", "NC Year"],
                "form_group": ["Class", "Form"],
                "admission_date": ["Date of Admission", "Admission Date"],
            ],
        ],
    ]
}
