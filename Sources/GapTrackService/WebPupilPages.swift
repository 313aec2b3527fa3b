import Foundation
import GapTrackDomain
import GapTrackStore
import GapTrackWeb
import Hummingbird

/// Finding a pupil and reading their timeline: the pages of `GET /v1/students/{student}/timeline`
/// for people, through the same repositories (`PupilSearch`, `Students.lookUp`, `StudentTimelines`).
struct WebPupilPages: Sendable {
    let web: WebPages

    func register(on router: Router<GapTrackRequestContext>) {
        router.get("pupils") { request, context in try await web.page(request, context) { try await list(request, context) } }
        router.get("pupils/{student}") { request, context in try await web.page(request, context) { try await timeline(request, context) } }
    }

    /// The year groups a filter offers, as enrolments hold them.
    static let yearGroups = ["R"] + (1...14).map(String.init)

    /// The filters of a pupil list, read from the query string; also used by the support form.
    struct Filters: Sendable {
        let text: String?
        let year: String?
        let marker: String?
        /// One of the provider's own pupil groups, by code (`PupilGroups`).
        let group: String?

        init(_ query: FormBody) {
            text = query.value("q").map { String($0.prefix(100)) }
            year = query.value("year").flatMap { WebPupilPages.yearGroups.contains($0) ? $0 : nil }
            marker = query.value("marker").map { String($0.prefix(40)) }
            group = query.value("group").map { String($0.prefix(64)) }
        }

        var criteria: PupilSearch.Criteria { PupilSearch.Criteria(text: text, yearGroup: year, marker: marker, group: group) }

        var named: [(String, String?)] { [("q", text), ("year", year), ("marker", marker), ("group", group)] }

        var queryString: String {
            let parts = named.compactMap { key, value in
                value.map { "\(key)=\(URLText.query($0))" }
            }
            return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
        }

        /// The template values of the filter form (filters.mustache).
        func context(action: String, markerKinds: [String], groups: [PupilGroupChoice] = []) -> [String: Any] {
            [
                "filterAction": action, "q": text ?? "", "queryString": queryString,
                // Kept in the support form, so that a page shown again with its problems lists the same pupils.
                "filterFields": named.compactMap { name, value in
                    value.map { ["name": name, "value": $0] }
                },
                "years": WebPupilPages.yearGroups.map { ["value": $0, "label": $0 == "R" ? "Reception" : "Year \($0)", "selected": $0 == year] as [String: Any] },
                "markers": markerKinds.map { ["value": $0, "label": $0.replacingOccurrences(of: "_", with: " "), "selected": $0 == marker] as [String: Any] },
                "hasGroups": !groups.isEmpty,
                "groups": groups.map { ["value": $0.code, "label": $0.name, "selected": $0.code == group] as [String: Any] },
            ]
        }
    }

    struct Found: Sendable {
        let pupils: [PupilSearch.Pupil]
        let markerKinds: [String]
        var groups: [PupilGroupChoice] = []
    }

    /// A pupil group a filter offers.
    struct PupilGroupChoice: Sendable {
        let code: String
        let name: String

        static func all(_ search: PupilSearch) throws -> [PupilGroupChoice] {
            try search.groups().map { PupilGroupChoice(code: $0.code, name: $0.name) }
        }
    }

    /// Finds pupils as the visitor: row-level security decides which exist for them.
    static func find(_ filters: Filters, web: WebPages, visitor: WebPages.Visitor, context: GapTrackRequestContext) async throws -> Found {
        let providerID = visitor.principal.providerID
        let criteria = filters.criteria
        return try await web.run(as: visitor, context) { connection in
            let search = PupilSearch(connection: connection, providerID: providerID)
            return Found(pupils: try search.find(criteria), markerKinds: try search.markerKinds(), groups: try PupilGroupChoice.all(search))
        }
    }

    static func pupilRow(_ pupil: PupilSearch.Pupil) -> [String: Any] {
        [
            "identifier": pupil.identifier, "forename": pupil.forename, "surname": pupil.surname,
            "yearGroup": pupil.yearGroup ?? "", "markers": pupil.markers.map { $0.replacingOccurrences(of: "_", with: " ") },
        ]
    }

    /// Governors read reports only: every pupil page answers them as for a pupil that does not
    /// exist, so that the answer gives nothing away (docs/security.md).
    func requirePupilPages(_ visitor: WebPages.Visitor, identifier: String) throws {
        guard visitor.principal.role.allows(.readTimeline) else { throw WebPages.Interruption.page(noSuchPupil(visitor, identifier)) }
    }

    func noSuchPupil(_ visitor: WebPages.Visitor, _ identifier: String) -> Response {
        web.html("message", title: "Pupil not found", visitor: visitor, status: .notFound, context: [
            "heading": "Pupil not found",
            "message": "There is no such pupil here. Check the UPN or ULN, or find the pupil by name.",
            "link": ["href": "/pupils", "label": "Find a pupil"],
        ])
    }

    func list(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let visitor = try await web.visitor(request, context)
        try requirePupilPages(visitor, identifier: "")
        let query = WebPages.query(request)
        let filters = Filters(query)
        let found = try await Self.find(filters, web: web, visitor: visitor, context: context)
        var page = filters.context(action: "/pupils", markerKinds: found.markerKinds, groups: found.groups)
        page["pupils"] = found.pupils.map(Self.pupilRow)
        page["hasPupils"] = !found.pupils.isEmpty
        page["resultHeading"] = found.pupils.isEmpty
            ? "No pupils match" : found.pupils.count == 1 ? "1 pupil" : "\(found.pupils.count) pupils\(found.pupils.count == 200 ? " (the first 200; narrow the search)" : "")"
        return web.html("pupils", title: "Find a pupil", visitor: visitor, current: "/pupils", context: page)
    }

    func timeline(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let visitor = try await web.visitor(request, context)
        let text = String((context.parameters.get("student") ?? "").prefix(40))
        try requirePupilPages(visitor, identifier: text)
        let identifier = StudentIdentifier(text)
        let providerID = visitor.principal.providerID
        let found = try await web.run(as: visitor, context) { connection -> StudentTimelines.Timeline? in
            guard let studentID = try Students(connection: connection).lookUp(identifier, providerID: providerID).studentID else { return nil }
            return try StudentTimelines(connection: connection, providerID: providerID).timeline(of: studentID)
        }
        guard let timeline = found else { return noSuchPupil(visitor, text) }
        let query = WebPages.query(request)
        let page = Self.timelineContext(timeline, formToken: visitor.cookie.formToken, notice: query.value("notice"))
        return web.html("pupil", title: "\(timeline.student.forename) \(timeline.student.legalSurname)", visitor: visitor, context: page)
    }

    static let notices = ["ended": "The support was ended.", "changed": "The support was changed."]

    static func timelineContext(_ timeline: StudentTimelines.Timeline, formToken: String, notice: String?, errors: [FieldProblem] = []) -> [String: Any] {
        let student = timeline.student
        return [
            "formToken": formToken, "today": CalendarText.today(),
            "notice": notice.flatMap { notices[$0] } ?? false,
            "hasErrors": !errors.isEmpty, "errors": errors.map { ["field": $0.field, "message": $0.message] },
            "student": [
                "identifier": student.identifier, "forename": student.forename, "legalSurname": student.legalSurname,
                "dateOfBirth": student.dateOfBirth,
            ],
            "hasMarkers": !timeline.markers.isEmpty,
            "markers": timeline.markers.map {
                ["marker": $0.marker.replacingOccurrences(of: "_", with: " "), "value": $0.value ?? "", "startDate": $0.startDate, "endDate": $0.endDate ?? "continuing"]
            },
            "hasAttendance": !timeline.attendance.isEmpty,
            "attendance": timeline.attendance.map { term -> [String: Any] in
                [
                    "term": term.term, "possible": term.possibleSessions, "attended": term.attendedSessions,
                    "authorised": term.authorisedAbsences, "unauthorised": term.unauthorisedAbsences,
                    "rate": term.absenceRate.map { String(format: "%.1f%%", $0 * 100) } ?? "no sessions", "persistent": term.persistentlyAbsent,
                ]
            },
            "hasResults": !timeline.assessments.isEmpty,
            "results": timeline.assessments.map {
                ["subject": $0.subject, "assessment": $0.assessment, "term": $0.term, "date": $0.date, "result": $0.result]
            },
            "hasSupport": !timeline.support.isEmpty,
            "support": timeline.support.map { record -> [String: Any] in
                [
                    "id": record.id, "type": record.type.replacingOccurrences(of: "_", with: " "), "startDate": record.startDate,
                    "endDate": record.endDate ?? "", "hours": record.hours.map { String(format: "%g", $0) } ?? "",
                    "status": record.status, "staff": record.staff ?? "", "active": record.status == "active" || record.status == "planned",
                    "sessions": record.sessions.map(String.init) ?? "", "reviewDate": record.reviewDate ?? "",
                    "target": record.target ?? "", "entryAssessment": record.entryAssessment ?? "", "exitAssessment": record.exitAssessment ?? "",
                    "targetText": record.target.flatMap(SupportTarget.init(parsing:)).map(\.description) ?? "Not named: its impact is not judged",
                    "plannedText": [record.entryAssessment.map { "entry \($0)" }, record.exitAssessment.map { "exit \($0)" }].compactMap { $0 }
                        .joined(separator: ", "),
                ]
            },
            // Reviews of the support above (docs/methodology.md §6.6), each named by its record's type and start.
            "hasReviews": !timeline.reviews.isEmpty,
            "reviews": timeline.reviews.map { review -> [String: Any] in
                let record = timeline.support.first { $0.id == review.supportRecord }
                return [
                    "date": review.date, "reviewer": review.reviewer, "note": review.progressNote, "entry": review.entryResult ?? "",
                    "exit": review.exitResult ?? "",
                    "support": record.map { "\($0.type.replacingOccurrences(of: "_", with: " ")) from \($0.startDate)" } ?? "",
                ]
            },
        ]
    }
}

/// Today's date as the forms' date fields show it (YYYY-MM-DD, UTC).
enum CalendarText {
    static func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }
}
