import GapTrackDomain
import Postgres

/// One course instance as the lifecycle report needs it: when it began, the student's
/// characteristics at entry, and the OfS measures (nil = not yet known, or not in that measure's
/// population; docs/methodology.md §11).
public struct LifecycleStudent: Sendable, Equatable {
    public var studentID: Int
    public var entryYear: AcademicYear
    /// The instance's commencement date: with the student, the instance's key.
    public var commencedOn: CalendarDate?
    public var courseCode: String
    public var courseLevel: String
    public var isPartTime: Bool
    public var tariffPoints: Int?
    public var imdQuintile: Int?
    public var polar4Quintile: Int?
    public var tundraQuintile: Int?
    public var abcsQuintile: Int?
    /// Had free school meals at school: a fact about the student's schooling.
    public var fsmAtSchool: Bool?
    public var careLeaver: Bool?
    public var estranged: Bool?
    public var firstInFamily: Bool?
    public var disabled: Bool?
    public var mature: Bool
    /// F or M as recorded; nil otherwise.
    public var sex: String?
    /// "white" or "abmo" (Asian, Black, mixed or other), nil when not known.
    public var ethnicityGroup: String?
    public var continued: Bool?
    public var completed: Bool?
    public var goodHonours: Bool?
    public var progressed: Bool?

    public init(studentID: Int, entryYear: AcademicYear, courseCode: String = "C1", courseLevel: String = "first_degree",
                isPartTime: Bool = false, tariffPoints: Int? = nil, imdQuintile: Int? = nil, polar4Quintile: Int? = nil,
                tundraQuintile: Int? = nil, abcsQuintile: Int? = nil, fsmAtSchool: Bool? = nil, careLeaver: Bool? = nil,
                estranged: Bool? = nil, firstInFamily: Bool? = nil, disabled: Bool? = nil, mature: Bool = false,
                sex: String? = nil, ethnicityGroup: String? = nil, continued: Bool? = nil, completed: Bool? = nil,
                goodHonours: Bool? = nil, progressed: Bool? = nil, commencedOn: CalendarDate? = nil) {
        self.studentID = studentID
        self.entryYear = entryYear
        self.commencedOn = commencedOn
        self.courseCode = courseCode
        self.courseLevel = courseLevel
        self.isPartTime = isPartTime
        self.tariffPoints = tariffPoints
        self.imdQuintile = imdQuintile
        self.polar4Quintile = polar4Quintile
        self.tundraQuintile = tundraQuintile
        self.abcsQuintile = abcsQuintile
        self.fsmAtSchool = fsmAtSchool
        self.careLeaver = careLeaver
        self.estranged = estranged
        self.firstInFamily = firstInFamily
        self.disabled = disabled
        self.mature = mature
        self.sex = sex
        self.ethnicityGroup = ethnicityGroup
        self.continued = continued
        self.completed = completed
        self.goodHonours = goodHonours
        self.progressed = progressed
    }
}

/// The higher-education lifecycle data of a provider (sql/013_higher_education.sql,
/// sql/functions/lifecycle_students.sql).
public struct HigherEducationLifecycle {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Every course instance of the provider, with the measures as they stood on `asOf`.
    public func students(providerID: Int, asOf: CalendarDate) throws -> [LifecycleStudent] {
        try connection.query(
            """
            SELECT student_id, entry_year, commenced_on::text AS commenced_on, course_code, course_level, mode = 'part_time' AS part_time, tariff_points,
                   imd_quintile::int AS imd, polar4_quintile::int AS polar4, tundra_quintile::int AS tundra,
                   abcs_quintile::int AS abcs, fsm_at_school, care_leaver, estranged, first_in_family, disabled, mature,
                   sex, ethnicity_group, continued, completed, good_honours, progressed
            FROM lifecycle_students($1, $2::date)
            ORDER BY entry_year, student_id, commenced_on
            """, [providerID, asOf.isoString]).rows.map { row in
                LifecycleStudent(
                    studentID: try row.decode("student_id"), entryYear: try AcademicYear(parsing: try row.decode("entry_year")),
                    courseCode: try row.decode("course_code"), courseLevel: try row.decode("course_level"),
                    isPartTime: try row.decode("part_time"), tariffPoints: try row.decode("tariff_points"),
                    imdQuintile: try row.decode("imd"), polar4Quintile: try row.decode("polar4"), tundraQuintile: try row.decode("tundra"),
                    abcsQuintile: try row.decode("abcs"), fsmAtSchool: try row.decode("fsm_at_school"),
                    careLeaver: try row.decode("care_leaver"), estranged: try row.decode("estranged"),
                    firstInFamily: try row.decode("first_in_family"), disabled: try row.decode("disabled"),
                    mature: try row.decode("mature"), sex: try row.decode("sex"), ethnicityGroup: try row.decode("ethnicity_group"),
                    continued: try row.decode("continued"), completed: try row.decode("completed"),
                    goodHonours: try row.decode("good_honours"), progressed: try row.decode("progressed"),
                    commencedOn: try CalendarDate(parsing: try row.decode("commenced_on") as String))
            }
    }

    /// The imports the provider's higher-education rows rest on, for the report's data cut.
    public func importIDs(providerID: Int) throws -> [Int] {
        try connection.query(
            """
            SELECT DISTINCT import_id FROM (
                SELECT import_id FROM he_instances WHERE provider_id = $1
                UNION ALL SELECT import_id FROM he_instance_years WHERE provider_id = $1
            ) i WHERE import_id IS NOT NULL ORDER BY import_id
            """, [providerID]).rows.map { try $0.decode("import_id") }
    }
}
