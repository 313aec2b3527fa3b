/// A local authority as the DfE numbers it: the 3-digit "LA number" (also called the old LA
/// code or LEA code) that forms characters 2-4 of a UPN (docs/methodology.md §2.1) and the first
/// part of a DfE school number.
///
/// Source: the DfE's own lookup of 3-digit codes, as published by DfE Analytical Services in
/// `dfe-analytical-services/dfe-published-data-qa` (`data/las.csv`, the list the Explore
/// Education Statistics screener checks against) and `dfe-analytical-services/dfeR`
/// (`data-raw/old_la_codes.csv`, which adds the Welsh codes). Both are built from Get
/// Information about Schools, "Local authority name and associated codes"
/// (https://get-information-schools.service.gov.uk/Guidance/LaNameCodes).
///
/// Former authorities (Bedfordshire, Cheshire, Cumbria, Northamptonshire, the old Dorset,
/// Bournemouth and Poole) are kept: a UPN never changes, so pupils still carry UPNs allocated
/// under those codes. Welsh codes (660-681) are kept because pupils who move from Wales keep the
/// UPN a Welsh school gave them, and 702 is the DfE code for British Forces Post Office (Service
/// Children's Education) schools overseas, which allocated UPNs to service children.
public struct LocalAuthority: Sendable, Hashable, CustomStringConvertible {
    public enum Nation: String, Sendable, Hashable, Codable {
        case england
        case wales
        /// Schools overseas recorded under a DfE code (British Forces Post Office).
        case overseas
    }

    /// The 3-digit code, e.g. "801".
    public let code: String
    public let name: String
    public let nation: Nation
    /// The last day the authority existed, for authorities replaced in local government
    /// reorganisation; nil for authorities that exist today.
    public let lastDay: CalendarDate?

    public var isCurrent: Bool { lastDay == nil }

    public var description: String { "\(code) \(name)" }

    /// The authority with this 3-digit code, or nil if the DfE has no such code.
    public static func withCode(_ code: String) -> LocalAuthority? {
        byCode[code]
    }

    public static let all: [LocalAuthority] = table.map { entry in
        LocalAuthority(code: entry.0, name: entry.1, nation: entry.2,
                       lastDay: entry.3.flatMap { try? CalendarDate(parsing: $0) })
    }

    private static let byCode: [String: LocalAuthority] = Dictionary(
        all.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })

    // (code, name, nation, last day if replaced)
    private static let table: [(String, String, Nation, String?)] = [
        // Inner London
        ("201", "City of London", .england, nil),
        ("202", "Camden", .england, nil),
        ("203", "Greenwich", .england, nil),
        ("204", "Hackney", .england, nil),
        ("205", "Hammersmith and Fulham", .england, nil),
        ("206", "Islington", .england, nil),
        ("207", "Kensington and Chelsea", .england, nil),
        ("208", "Lambeth", .england, nil),
        ("209", "Lewisham", .england, nil),
        ("210", "Southwark", .england, nil),
        ("211", "Tower Hamlets", .england, nil),
        ("212", "Wandsworth", .england, nil),
        ("213", "Westminster", .england, nil),
        // Outer London
        ("301", "Barking and Dagenham", .england, nil),
        ("302", "Barnet", .england, nil),
        ("303", "Bexley", .england, nil),
        ("304", "Brent", .england, nil),
        ("305", "Bromley", .england, nil),
        ("306", "Croydon", .england, nil),
        ("307", "Ealing", .england, nil),
        ("308", "Enfield", .england, nil),
        ("309", "Haringey", .england, nil),
        ("310", "Harrow", .england, nil),
        ("311", "Havering", .england, nil),
        ("312", "Hillingdon", .england, nil),
        ("313", "Hounslow", .england, nil),
        ("314", "Kingston upon Thames", .england, nil),
        ("315", "Merton", .england, nil),
        ("316", "Newham", .england, nil),
        ("317", "Redbridge", .england, nil),
        ("318", "Richmond upon Thames", .england, nil),
        ("319", "Sutton", .england, nil),
        ("320", "Waltham Forest", .england, nil),
        // Metropolitan districts
        ("330", "Birmingham", .england, nil),
        ("331", "Coventry", .england, nil),
        ("332", "Dudley", .england, nil),
        ("333", "Sandwell", .england, nil),
        ("334", "Solihull", .england, nil),
        ("335", "Walsall", .england, nil),
        ("336", "Wolverhampton", .england, nil),
        ("340", "Knowsley", .england, nil),
        ("341", "Liverpool", .england, nil),
        ("342", "St. Helens", .england, nil),
        ("343", "Sefton", .england, nil),
        ("344", "Wirral", .england, nil),
        ("350", "Bolton", .england, nil),
        ("351", "Bury", .england, nil),
        ("352", "Manchester", .england, nil),
        ("353", "Oldham", .england, nil),
        ("354", "Rochdale", .england, nil),
        ("355", "Salford", .england, nil),
        ("356", "Stockport", .england, nil),
        ("357", "Tameside", .england, nil),
        ("358", "Trafford", .england, nil),
        ("359", "Wigan", .england, nil),
        ("370", "Barnsley", .england, nil),
        ("371", "Doncaster", .england, nil),
        ("372", "Rotherham", .england, nil),
        ("373", "Sheffield", .england, nil),
        ("380", "Bradford", .england, nil),
        ("381", "Calderdale", .england, nil),
        ("382", "Kirklees", .england, nil),
        ("383", "Leeds", .england, nil),
        ("384", "Wakefield", .england, nil),
        ("390", "Gateshead", .england, nil),
        ("391", "Newcastle upon Tyne", .england, nil),
        ("392", "North Tyneside", .england, nil),
        ("393", "South Tyneside", .england, nil),
        ("394", "Sunderland", .england, nil),
        ("420", "Isles of Scilly", .england, nil),
        // Unitary authorities and counties
        ("800", "Bath and North East Somerset", .england, nil),
        ("801", "Bristol, City of", .england, nil),
        ("802", "North Somerset", .england, nil),
        ("803", "South Gloucestershire", .england, nil),
        ("805", "Hartlepool", .england, nil),
        ("806", "Middlesbrough", .england, nil),
        ("807", "Redcar and Cleveland", .england, nil),
        ("808", "Stockton-on-Tees", .england, nil),
        ("810", "Kingston upon Hull, City of", .england, nil),
        ("811", "East Riding of Yorkshire", .england, nil),
        ("812", "North East Lincolnshire", .england, nil),
        ("813", "North Lincolnshire", .england, nil),
        ("815", "North Yorkshire", .england, nil),
        ("816", "York", .england, nil),
        ("820", "Bedfordshire", .england, "2009-03-31"),
        ("821", "Luton", .england, nil),
        ("822", "Bedford", .england, nil),
        ("823", "Central Bedfordshire", .england, nil),
        ("825", "Buckinghamshire", .england, nil),
        ("826", "Milton Keynes", .england, nil),
        ("830", "Derbyshire", .england, nil),
        ("831", "Derby", .england, nil),
        ("835", "Dorset (county council, before 2019)", .england, "2019-03-31"),
        ("836", "Poole", .england, "2019-03-31"),
        ("837", "Bournemouth", .england, "2019-03-31"),
        ("838", "Dorset", .england, nil),
        ("839", "Bournemouth, Christchurch and Poole", .england, nil),
        ("840", "County Durham", .england, nil),
        ("841", "Darlington", .england, nil),
        ("845", "East Sussex", .england, nil),
        ("846", "Brighton and Hove", .england, nil),
        ("850", "Hampshire", .england, nil),
        ("851", "Portsmouth", .england, nil),
        ("852", "Southampton", .england, nil),
        ("855", "Leicestershire", .england, nil),
        ("856", "Leicester", .england, nil),
        ("857", "Rutland", .england, nil),
        ("860", "Staffordshire", .england, nil),
        ("861", "Stoke-on-Trent", .england, nil),
        ("865", "Wiltshire", .england, nil),
        ("866", "Swindon", .england, nil),
        ("867", "Bracknell Forest", .england, nil),
        ("868", "Windsor and Maidenhead", .england, nil),
        ("869", "West Berkshire", .england, nil),
        ("870", "Reading", .england, nil),
        ("871", "Slough", .england, nil),
        ("872", "Wokingham", .england, nil),
        ("873", "Cambridgeshire", .england, nil),
        ("874", "Peterborough", .england, nil),
        ("875", "Cheshire", .england, "2009-03-31"),
        ("876", "Halton", .england, nil),
        ("877", "Warrington", .england, nil),
        ("878", "Devon", .england, nil),
        ("879", "Plymouth", .england, nil),
        ("880", "Torbay", .england, nil),
        ("881", "Essex", .england, nil),
        ("882", "Southend-on-Sea", .england, nil),
        ("883", "Thurrock", .england, nil),
        ("884", "Herefordshire, County of", .england, nil),
        ("885", "Worcestershire", .england, nil),
        ("886", "Kent", .england, nil),
        ("887", "Medway", .england, nil),
        ("888", "Lancashire", .england, nil),
        ("889", "Blackburn with Darwen", .england, nil),
        ("890", "Blackpool", .england, nil),
        ("891", "Nottinghamshire", .england, nil),
        ("892", "Nottingham", .england, nil),
        ("893", "Shropshire", .england, nil),
        ("894", "Telford and Wrekin", .england, nil),
        ("895", "Cheshire East", .england, nil),
        ("896", "Cheshire West and Chester", .england, nil),
        ("908", "Cornwall", .england, nil),
        ("909", "Cumbria", .england, "2023-03-31"),
        ("916", "Gloucestershire", .england, nil),
        ("919", "Hertfordshire", .england, nil),
        ("921", "Isle of Wight", .england, nil),
        ("925", "Lincolnshire", .england, nil),
        ("926", "Norfolk", .england, nil),
        ("928", "Northamptonshire", .england, "2021-03-31"),
        ("929", "Northumberland", .england, nil),
        ("931", "Oxfordshire", .england, nil),
        ("933", "Somerset", .england, nil),
        ("935", "Suffolk", .england, nil),
        ("936", "Surrey", .england, nil),
        ("937", "Warwickshire", .england, nil),
        ("938", "West Sussex", .england, nil),
        ("940", "North Northamptonshire", .england, nil),
        ("941", "West Northamptonshire", .england, nil),
        ("942", "Cumberland", .england, nil),
        ("943", "Westmorland and Furness", .england, nil),
        // Wales
        ("660", "Isle of Anglesey", .wales, nil),
        ("661", "Gwynedd", .wales, nil),
        ("662", "Conwy", .wales, nil),
        ("663", "Denbighshire", .wales, nil),
        ("664", "Flintshire", .wales, nil),
        ("665", "Wrexham", .wales, nil),
        ("666", "Powys", .wales, nil),
        ("667", "Ceredigion", .wales, nil),
        ("668", "Pembrokeshire", .wales, nil),
        ("669", "Carmarthenshire", .wales, nil),
        ("670", "Swansea", .wales, nil),
        ("671", "Neath Port Talbot", .wales, nil),
        ("672", "Bridgend", .wales, nil),
        ("673", "Vale of Glamorgan", .wales, nil),
        ("674", "Rhondda Cynon Taf", .wales, nil),
        ("675", "Merthyr Tydfil", .wales, nil),
        ("676", "Caerphilly", .wales, nil),
        ("677", "Blaenau Gwent", .wales, nil),
        ("678", "Torfaen", .wales, nil),
        ("679", "Monmouthshire", .wales, nil),
        ("680", "Newport", .wales, nil),
        ("681", "Cardiff", .wales, nil),
        // Overseas
        ("702", "British Forces Post Office overseas establishments", .overseas, nil),
    ]
}
