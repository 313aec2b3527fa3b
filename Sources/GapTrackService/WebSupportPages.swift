import Foundation
import GapTrackDomain
import GapTrackStore
import GapTrackWeb
import Hummingbird

/// Recording support for one pupil or for a group in one form, and ending it: the pages of
/// `POST /v1/support-records` and `POST /v1/support-records/{id}/end`. Each ticked pupil's record is
/// read by the API's own reader (`SupportRecordRoutes.readNewRecord`, the rules `import support`
/// uses) and written by `SupportRecords`, all in one transaction: every record or none.
struct WebSupportPages: Sendable {
    let web: WebPages

    func register(on router: Router<GapTrackRequestContext>) {
        router.get("support/new") { request, context in try await web.page(request, context) { try await form(request, context) } }
        router.post("support") { request, context in try await web.page(request, context) { try await record(request, context) } }
        router.post("support/{id}/end") { request, context in try await web.page(request, context) { try await end(request, context) } }
        router.post("support/{id}/change") { request, context in try await web.page(request, context) { try await change(request, context) } }
    }

    /// The support fields of the form, named as the API's fields are, so that a problem the
    /// reader finds links to its field.
    struct Field {
        let name: String
        let label: String
        let hint: String?
        let inputType: String
        /// Each choice's value (what the API reads) and what the page shows for it.
        let choices: [(value: String, label: String)]?
        let blank: String

        init(_ name: String, _ label: String, hint: String? = nil, inputType: String = "text", choices: [String]? = nil, blank: String = "") {
            self.init(name, label, hint: hint, inputType: inputType, labelled: choices?.map { ($0, $0.replacingOccurrences(of: "_", with: " ")) }, blank: blank)
        }

        init(_ name: String, _ label: String, hint: String? = nil, inputType: String = "text", labelled: [(value: String, label: String)]?, blank: String) {
            self.name = name
            self.label = label
            self.hint = hint
            self.inputType = inputType
            self.choices = labelled
            self.blank = blank
        }
    }

    /// The target and the planned entry and exit assessments as the form offers them: a subject,
    /// one of the provider's assessments or attendance; entry and exit among its assessments. The
    /// values are the texts `import support` and the API read (docs/import-formats.md), so one set
    /// of rules checks them all (`SupportRecordRules.plan`).
    static func planFields(_ rules: SupportRecordRules) -> [Field] {
        var seen = Set<String>()
        let subjects = rules.assessmentPoints.map(\.subject).filter { seen.insert($0.lowercased()).inserted }.sorted()
        let points = rules.assessmentPoints.map { (value: $0.text, label: $0.description) }
        return [
            // Impact is judged on the target; support that names none is reported as not judged (docs/methodology.md §6.6).
            Field(SupportRecordRules.targetField, "What it targets (optional)", hint: "Its impact is judged on this",
                  labelled: subjects.map { ($0, $0) } + [(SupportTarget.attendanceWord, SupportTarget.attendanceWord)] + points, blank: "Not named"),
            Field(SupportRecordRules.entryField, "Planned entry assessment (optional)", hint: "In the target's subject, before the support",
                  labelled: points, blank: "Not planned"),
            Field(SupportRecordRules.exitField, "Planned exit assessment (optional)",
                  hint: "In the target's subject, after the entry; leave empty when the target is an assessment", labelled: points, blank: "Not planned"),
        ]
    }

    static func fields(_ rules: SupportRecordRules) -> [Field] {
        [
            Field("type", "Type of support", choices: rules.types, blank: "Choose a type"),
            Field("start_date", "Start date", hint: "YYYY-MM-DD", inputType: "text"),
            Field("end_date", "End date (optional)", hint: "YYYY-MM-DD; leave empty while it goes on", inputType: "text"),
            Field("hours", "Hours per pupil (optional)", hint: "For example 10 or 1.5", inputType: "text"),
            Field("sessions", "Sessions per pupil (optional)", inputType: "text"),
            Field("amount", "Cost per pupil in pounds (optional)", hint: "For example 250.00", inputType: "text"),
            Field("funding_source", "Funding source (optional)", choices: rules.fundingSources, blank: "Not recorded"),
            Field("staff", "Staff member or provider (optional)"),
            Field("intended_outcome", "Intended outcome (optional)"),
        ] + planFields(rules)
    }

    static let planFieldNames = [SupportRecordRules.targetField, SupportRecordRules.entryField, SupportRecordRules.exitField]

    static let fieldNames = ["type", "start_date", "end_date", "hours", "sessions", "amount", "funding_source", "staff", "intended_outcome"]
        + planFieldNames

    struct Loaded: Sendable {
        let found: WebPupilPages.Found
        let rules: SupportRecordRules
    }

    func requireRecording(_ visitor: WebPages.Visitor) throws {
        guard visitor.principal.role.allows(.recordSupport) else {
            throw WebPages.Interruption.page(WebPupilPages(web: web).noSuchPupil(visitor, ""))
        }
    }

    func form(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let visitor = try await web.visitor(request, context)
        try requireRecording(visitor)
        return try await formPage(visitor, context, filters: WebPupilPages.Filters(WebPages.query(request)), submitted: nil, problems: [])
    }

    func formPage(
        _ visitor: WebPages.Visitor, _ context: GapTrackRequestContext, filters: WebPupilPages.Filters, submitted: FormBody?,
        problems: [FieldProblem]
    ) async throws -> Response {
        let providerID = visitor.principal.providerID
        let criteria = filters.criteria
        let loaded = try await web.run(as: visitor, context) { connection in
            let search = PupilSearch(connection: connection, providerID: providerID)
            return Loaded(
                found: WebPupilPages.Found(
                    pupils: try search.find(criteria), markerKinds: try search.markerKinds(), groups: try WebPupilPages.PupilGroupChoice.all(search)),
                rules: try SupportRecordRules.load(connection, providerID: providerID))
        }
        let ticked = Set(submitted?.values("pupil") ?? [])
        var page = filters.context(action: "/support/new", markerKinds: loaded.found.markerKinds, groups: loaded.found.groups)
        page["formToken"] = visitor.cookie.formToken
        page["pupils"] = loaded.found.pupils.map { pupil -> [String: Any] in
            var row = WebPupilPages.pupilRow(pupil)
            row["ticked"] = ticked.contains(pupil.identifier) || (loaded.found.pupils.count == 1 && submitted == nil)
            return row
        }
        page["hasPupils"] = !loaded.found.pupils.isEmpty
        page["pupilCount"] = loaded.found.pupils.count
        page["hasErrors"] = !problems.isEmpty
        page["errors"] = problems.map { ["field": $0.field, "message": Self.sentence($0)] }
        page["pupilError"] = problems.first(where: { $0.field == "pupil" }).map(Self.sentence) ?? false
        page["fields"] = Self.fields(loaded.rules).map { field -> [String: Any] in
            let value = submitted?.value(field.name) ?? ""
            return [
                "name": field.name, "label": field.label, "hint": field.hint ?? false, "inputType": field.inputType,
                "isSelect": field.choices != nil, "blank": field.blank, "value": value,
                "choices": (field.choices ?? []).map { ["value": $0.value, "label": $0.label, "selected": $0.value == value] as [String: Any] },
                "error": problems.first(where: { $0.field == field.name }).map(Self.sentence) ?? false,
            ]
        }
        return web.html(
            "support-new", title: problems.isEmpty ? "Record support" : "Error: record support", visitor: visitor,
            status: problems.isEmpty ? .ok : .unprocessableContent, current: "/support/new", context: page)
    }

    /// A problem as the page says it: the field's own message, with the value when there is one.
    static func sentence(_ problem: FieldProblem) -> String {
        let label = problem.field == "pupil" ? "" : problem.field.replacingOccurrences(of: "_", with: " ").capitalizedFirst + ": "
        return label + problem.message + (problem.value.map { " (you entered \($0))" } ?? "")
    }

    func record(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let form = try await web.form(request)
        let visitor = try await web.poster(request, context, form: form)
        try requireRecording(visitor)
        let pupils = form.values("pupil")
        let filters = WebPupilPages.Filters(form)
        guard !pupils.isEmpty else {
            return try await formPage(visitor, context, filters: filters, submitted: form,
                                      problems: [FieldProblem(field: "pupil", value: nil, message: "Tick at least one pupil")])
        }
        // The API's JSON fields, as the form gave them (blank fields left out, as an API caller would).
        var common: [String: JSONValue] = [:]
        for name in Self.fieldNames {
            if let value = form.value(name) { common[name] = .string(value) }
        }
        let providerID = visitor.principal.providerID
        let object = common
        do {
            let created = try await web.run(as: visitor, context) { connection -> [SupportRecord] in
                let rules = try SupportRecordRules.load(connection, providerID: providerID)
                let store = SupportRecords(connection: connection, providerID: providerID)
                var problems: [FieldProblem] = []
                var created: [SupportRecord] = []
                for (index, pupil) in pupils.enumerated() {
                    var one = object
                    one["student"] = .string(pupil)
                    var fields = FieldReader(one)
                    let record = SupportRecordRoutes.readNewRecord(&fields, rules: rules)
                    // The support fields are the same for every pupil: their problems are reported once.
                    if index == 0 { problems += fields.problems.filter { $0.field != "student" } }
                    problems += fields.problems.filter { $0.field == "student" }.map {
                        FieldProblem(field: "pupil", value: nil, message: "\(pupil): \($0.message)")
                    }
                    guard let record, fields.problems.isEmpty else { continue }
                    switch try store.create(record) {
                    case .created(let made):
                        created.append(made)
                    case .student(let lookup):
                        problems.append(FieldProblem(field: "pupil", value: nil, message: "\(pupil): \(lookup.problem(pupil) ?? "not found")"))
                    case .duplicate:
                        problems.append(FieldProblem(
                            field: "pupil", value: nil,
                            message: "\(pupil) already has this type of support starting on that date; change that record instead"))
                    }
                }
                // One problem leaves everything unwritten: the transaction is rolled back.
                guard problems.isEmpty else { throw APIError.invalidFields(problems) }
                return created
            }
            let type = created.first?.type.replacingOccurrences(of: "_", with: " ") ?? ""
            return web.html("support-recorded", title: "Support recorded", visitor: visitor, current: "/support/new", context: [
                "count": created.count, "recordWord": created.count == 1 ? "record" : "records", "type": type,
                "records": created.map {
                    ["student": $0.student, "type": $0.type.replacingOccurrences(of: "_", with: " "), "startDate": $0.startDate,
                     "hours": $0.hours.map { String(format: "%g", $0) } ?? ""]
                },
            ])
        } catch APIError.invalidFields(let problems) {
            return try await formPage(visitor, context, filters: filters, submitted: form, problems: problems)
        }
    }

    enum Ended: Sendable {
        case ended(student: String)
        case notFound
        case problem(FieldProblem)
    }

    func end(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let form = try await web.form(request)
        let visitor = try await web.poster(request, context, form: form)
        try requireRecording(visitor)
        let providerID = visitor.principal.providerID
        let id = Int(context.parameters.get("id") ?? "") ?? 0
        let endText = form.value("end_date") ?? ""
        let outcome = try await web.run(as: visitor, context) { connection -> Ended in
            let store = SupportRecords(connection: connection, providerID: providerID)
            guard id > 0, let current = try store.find(id: id) else { return .notFound }
            let checked = Result { () throws(FieldProblem) in
                let date = try SupportRecordRules.date(endText)
                try SupportRecordRules.notBeforeStart(date, text: endText, start: try SupportRecordRules.date(current.startDate))
                return date
            }
            switch checked {
            case .failure(let problem):
                return .problem(FieldProblem(field: "end_date", value: endText, message: problem.message))
            case .success(let date):
                var change = SupportRecordChange()
                change.endDate = .some(date)
                change.status = .ended
                guard try store.update(id: id, change) != nil else { return .notFound }
                return .ended(student: current.student)
            }
        }
        switch outcome {
        case .ended(let student):
            return WebPages.redirect("/pupils/\(URLText.query(student))?notice=ended")
        case .notFound:
            return WebPupilPages(web: web).noSuchPupil(visitor, "")
        case .problem(let problem):
            return web.html("message", title: "Error: end support", visitor: visitor, status: .unprocessableContent, context: [
                "heading": "The support was not ended", "message": "End date: \(problem.message)",
                "link": ["href": "/pupils", "label": "Find the pupil again"],
            ])
        }
    }
}

extension WebSupportPages {
    /// The fields the change form offers; a blank one is left as it is.
    static let changeFields = ["hours", "sessions", "review_date", "staff"]

    enum Changed: Sendable {
        case changed(student: String)
        case notFound
        case problems([FieldProblem])
    }

    /// Changes a record by the API's own reader of a change (`SupportRecordRoutes.readChange`).
    func change(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let form = try await web.form(request)
        let visitor = try await web.poster(request, context, form: form)
        try requireRecording(visitor)
        let providerID = visitor.principal.providerID
        let id = Int(context.parameters.get("id") ?? "") ?? 0
        var object: [String: JSONValue] = [:]
        for name in Self.changeFields {
            if let value = form.value(name) { object[name] = .string(value) }
        }
        // The plan's boxes show what is stored: one sent empty clears it, as null does over the API.
        for name in Self.planFieldNames where form.pairs.contains(where: { $0.name == name }) {
            object[name] = form.value(name).map(JSONValue.string) ?? .null
        }
        let given = object
        let outcome = try await web.run(as: visitor, context) { connection -> Changed in
            let store = SupportRecords(connection: connection, providerID: providerID)
            guard id > 0, let current = try store.find(id: id) else { return .notFound }
            var fields = FieldReader(given)
            let change = SupportRecordRoutes.readChange(&fields, rules: try SupportRecordRules.load(connection, providerID: providerID), of: current)
            guard fields.problems.isEmpty else { return .problems(fields.problems) }
            guard try store.update(id: id, change) != nil else { return .notFound }
            return .changed(student: current.student)
        }
        switch outcome {
        case .changed(let student):
            return WebPages.redirect("/pupils/\(URLText.query(student))?notice=changed")
        case .notFound:
            return WebPupilPages(web: web).noSuchPupil(visitor, "")
        case .problems(let problems):
            return web.html("message", title: "Error: change support", visitor: visitor, status: .unprocessableContent, context: [
                "heading": "The support was not changed", "message": problems.map(Self.sentence).joined(separator: " "),
                "link": ["href": "/pupils", "label": "Find the pupil again"],
            ])
        }
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
