/// Column names of student-record extracts (docs/import-formats.md "Student records (HESA / SITS)").
///
/// `hesa`: the short names of the HESA Student record and Data Futures fields (HUSID, OWNSTU,
/// COMDATE, MODE / SCSMODE, YEARPRG, QUALENT3, RSNEND / RSNENGEND, ...), which extracts built
/// for the HESA return keep, and the area measures (POLAR4, TUNDRA, ABCS, IMD) that OfS data adds.
/// `sits`: the SITS:Vision table-field names of the common student, course-join and enrolment
/// fields (STU_CODE, SCJ_BEGD, SCE_AYRC, ...); a university's own reports may rename them, so these
/// are a start and `--map` does the rest. gaptrack's own column names always match too.
enum StudentRecordsPresets {
    static func aliases(_ preset: ColumnMapping.Preset) -> [String: [String]] {
        var merged = common
        for (column, names) in specific[preset] ?? [:] {
            merged[column] = names + (merged[column] ?? [])
        }
        return merged
    }

    /// Names spreadsheets and SITS reports use whichever preset is chosen.
    private static let common: [String: [String]] = [
        "hesa_id": ["HUSID", "HESA Student Identifier", "HESA ID"],
        "institution_id": ["OWNSTU", "SID", "Student Number", "Student ID", "Student Code"],
        "uln": ["ULN", "Unique Learner Number"],
        "legal_surname": ["SURNAME", "Surname", "Family Name", "Last Name"],
        "forename": ["FNAMES", "Forenames", "Forename", "First Name"],
        "date_of_birth": ["BIRTHDTE", "Date of Birth", "DOB"],
        "gender": ["SEXID", "SEX", "Sex", "Gender"],
        "ethnicity": ["ETHNIC", "Ethnicity"],
        "course": ["COURSEID", "Course Code", "Course", "Programme Code"],
        "course_title": ["CTITLE", "Course Title", "Course Name"],
        "course_level": ["Level of Study", "Level"],
        "cah_code": ["CAH", "CAH Code", "SBJCAH"],
        "commencement_date": ["COMDATE", "Commencement Date", "Start Date", "Course Start Date"],
        "academic_year": ["Academic Year", "Reporting Year"],
        "mode": ["MODE", "SCSMODE", "Mode of Study", "Mode"],
        "year_of_programme": ["YEARPRG", "Year of Programme", "Year of Course", "Year of Study"],
        "entry_qualification": ["QUALENT3", "Highest Qualification on Entry", "Entry Qualification"],
        "tariff_points": ["TOTALTARIFF", "TARIFF", "UCAS Tariff Points", "Tariff Points", "Tariff"],
        "imd_quintile": ["IMD Quintile", "IMD", "IMD2019 Quintile"],
        "polar4_quintile": ["POLAR4", "POLAR4 Quintile", "POLAR4Q"],
        "tundra_quintile": ["TUNDRA", "TUNDRA Quintile", "TUNDRA MSOA Quintile"],
        "abcs_quintile": ["ABCS", "ABCS Quintile"],
        "fsm_at_school": ["Free School Meals at School", "FSM at School", "FSM"],
        "care_leaver": ["CARELEAVER", "Care Leaver", "Care Experienced"],
        "estranged": ["ESTRANGED", "Estranged Student", "Estranged"],
        "first_in_family": ["First in Family", "First Generation"],
        "parental_education": ["PARED", "Parental Education"],
        "disabled": ["DISABLE", "DISABILITY", "Disability", "Disabled"],
        "leaving_date": ["ENDDATE", "ENGENDDATE", "Leaving Date", "End Date"],
        "rsnend": ["RSNEND", "Reason for Ending Instance"],
        "rsnengend": ["RSNENGEND", "Reason for Engagement Ending"],
        "classification": ["CLASS", "Classification", "Degree Classification"],
        "progression": ["Progression", "Graduate Outcome"],
    ]

    private static let specific: [ColumnMapping.Preset: [String: [String]]] = [
        .sits: [
            "institution_id": ["STU_CODE"],
            "legal_surname": ["STU_SURN"],
            "forename": ["STU_FNM1"],
            "date_of_birth": ["STU_DOB"],
            "gender": ["STU_GEND"],
            "ethnicity": ["STU_ETHC"],
            "course": ["CRS_CODE", "SCJ_CRSC"],
            "course_title": ["CRS_NAME"],
            "commencement_date": ["SCJ_BEGD"],
            "academic_year": ["SCE_AYRC"],
            "mode": ["SCE_MOAC"],
            "year_of_programme": ["SCE_BLOK"],
            "leaving_date": ["SCJ_ENDD"],
        ],
    ]
}
