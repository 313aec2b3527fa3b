import Foundation
import GapTrackDomain
import GapTrackStore
import Hummingbird

/// /v1/support-records: create, read, list, update and end interventions and support records
/// (one resource: the domain's intervention types include tutoring as well as hardship awards).
struct SupportRecordRoutes: Sendable {
    let dependencies: ServiceDependencies

    static let createFields: Set<String> = [
        "reference", "student", "type", "start_date", "end_date", "hours", "sessions", "amount", "funding_source", "staff",
        "intended_outcome", "status", "review_date", "restricted",
        SupportRecordRules.targetField, SupportRecordRules.entryField, SupportRecordRules.exitField,
    ]
    static let changeFields = createFields.subtracting(["student"])
    static let endFields: Set<String> = ["end_date", "status"]

    func register(on group: RouterGroup<GapTrackRequestContext>) {
        group.post("support-records") { request, context in try await create(request, context) }
        group.get("support-records") { request, context in try await list(request, context) }
        group.get("support-records/{id}") { request, context in try await show(request, context) }
        group.patch("support-records/{id}") { request, context in try await change(request, context) }
        group.post("support-records/{id}/end") { request, context in try await end(request, context) }
    }

    func create(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.recordSupport)
        let object = try await dependencies.bodies.object(from: request, fields: Self.createFields)
        let outcome = try await dependencies.database.run(as: caller, context: context) { connection -> Result<SupportRecord, APIError> in
            var fields = FieldReader(object)
            let record = Self.readNewRecord(&fields, rules: try SupportRecordRules.load(connection, providerID: caller.providerID))
            guard let record, fields.problems.isEmpty else { return .failure(.invalidFields(fields.problems)) }
            switch try SupportRecords(connection: connection, providerID: caller.providerID).create(record) {
            case .created(let created):
                return .success(created)
            case .student(let lookup):
                return .failure(.invalidFields([FieldProblem(
                    field: "student", value: record.student.value, message: lookup.problem(record.student.value) ?? "")]))
            case .duplicate(let existing):
                return .failure(.conflict(
                    "a support record with the same "
                        + (record.reference == nil ? "student, type and start date" : "reference '\(record.reference!)'")
                        + " already exists" + (existing.map { " (id \($0)); change it with PATCH /v1/support-records/\($0)" } ?? "")))
            }
        }
        let created = try outcome.get()
        return try JSONResponse.make(created, status: .created, location: "/v1/support-records/\(created.id)")
    }

    /// Reads a new record's fields by the rules `import support` uses (`SupportRecordRules`).
    static func readNewRecord(_ fields: inout FieldReader, rules: SupportRecordRules) -> NewSupportRecord? {
        let reference = fields.text("reference")
        let student = fields.text("student", required: true).map(StudentIdentifier.init)
        let type = fields.checked("type", required: true, rules.type)
        let start = fields.checked("start_date", required: true, SupportRecordRules.date)
        let end = fields.checked("end_date", SupportRecordRules.date)
        let hours = fields.checked("hours", SupportRecordRules.hours)
        let sessions = fields.checked("sessions", SupportRecordRules.sessions)
        let amount = fields.checked("amount", SupportRecordRules.amount)
        let funding = fields.checked("funding_source", rules.fundingSource)
        let staff = fields.text("staff")
        let outcome = fields.text("intended_outcome")
        let status = fields.checked("status", SupportRecordRules.status)
        let review = fields.checked("review_date", SupportRecordRules.date)
        let restricted = fields.bool("restricted")
        let plan = fields.supportPlan(rules: rules, stored: .none)
        if let start {
            for (key, date) in [("end_date", end), ("review_date", review)] {
                guard let date else { continue }
                _ = fields.checked(key) { (text: String) throws(FieldProblem) in
                    try SupportRecordRules.notBeforeStart(date, text: text, start: start)
                }
            }
        }
        guard let student, let type, let start, fields.problems.isEmpty else { return nil }
        return NewSupportRecord(
            reference: reference, student: student, type: type, startDate: start, endDate: end, hours: hours,
            sessions: sessions, amount: amount, fundingSource: funding, staff: staff, intendedOutcome: outcome,
            status: status ?? .active, reviewDate: review, restricted: restricted ?? false, plan: plan ?? .none)
    }

    func show(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.readSupport)
        let id = try Self.recordID(context)
        let found = try await dependencies.database.run(as: caller, context: context) { connection in
            try SupportRecords(connection: connection, providerID: caller.providerID).find(id: id)
        }
        guard let found else { throw Self.noSuchRecord(id) }
        return try JSONResponse.make(found)
    }

    struct Page: Codable, Sendable {
        let records: [SupportRecord]
        /// Pass as `after_id` for the next page; null on the last page.
        let nextAfterID: Int?

        enum CodingKeys: String, CodingKey {
            case records
            case nextAfterID = "next_after_id"
        }
    }

    func list(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.readSupport)
        let query = QueryReader(request.uri.queryParameters, allowed: ["student", "status", "type", "after_id", "limit"])
        try query.rejectUnknown()
        let student = query.text("student").map(StudentIdentifier.init)
        let status = try query.parsed("status", expected: "one of \(SupportStatus.allCases.map(\.rawValue).joined(separator: ", "))") {
            try SupportStatus.parse($0)
        }
        let typeText = query.text("type")
        let afterID = try query.integer("after_id", in: 0...Int(Int64.max))
        let limit = try query.integer("limit", in: 1...500) ?? 100
        // A list may lag a write by the standby's replay delay (docs/scaling.md); one record asked
        // for by id, often just after it was written, is read from the primary.
        let page = try await dependencies.readDatabase.run(as: caller, context: context) { connection -> Result<Page, APIError> in
            var type: String?
            if let typeText {
                let rules = try SupportRecordRules.load(connection, providerID: caller.providerID)
                do { type = try rules.type(typeText) } catch {
                    return .failure(.badQuery(parameter: "type", value: typeText, expected: "one of: \(rules.types.joined(separator: ", "))"))
                }
            }
            var studentID: Int?
            if let student {
                let lookup = try Students(connection: connection).lookUp(student, providerID: caller.providerID)
                guard let found = lookup.studentID else { return .failure(.notFound(lookup.problem(student.value) ?? student.value)) }
                studentID = found
            }
            let records = try SupportRecords(connection: connection, providerID: caller.providerID)
                .list(.init(studentID: studentID, status: status, type: type, afterID: afterID, limit: limit))
            return .success(Page(records: records, nextAfterID: records.count == limit ? records.last?.id : nil))
        }
        return try JSONResponse.make(try page.get())
    }

    func change(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.recordSupport)
        let id = try Self.recordID(context)
        let object = try await dependencies.bodies.object(from: request, fields: Self.changeFields)
        guard !object.isEmpty else {
            throw APIError.invalidFields([FieldProblem(field: "body", value: "{}", message: "names no field to change; fields are: \(Self.changeFields.sorted().joined(separator: ", "))")])
        }
        let updated = try await dependencies.database.run(as: caller, context: context) { connection -> Result<SupportRecord?, APIError> in
            var fields = FieldReader(object)
            let store = SupportRecords(connection: connection, providerID: caller.providerID)
            guard let current = try store.find(id: id) else { return .success(nil) }
            let change = Self.readChange(&fields, rules: try SupportRecordRules.load(connection, providerID: caller.providerID), of: current)
            guard fields.problems.isEmpty else { return .failure(.invalidFields(fields.problems)) }
            return .success(try store.update(id: id, change))
        }.get()
        guard let updated else { throw Self.noSuchRecord(id) }
        return try JSONResponse.make(updated)
    }

    /// A change to `current`, its plan included: the plan's fields are checked together with what
    /// `current` keeps (the API's PATCH and the web page's change form alike).
    static func readChange(_ fields: inout FieldReader, rules: SupportRecordRules, of current: SupportRecord) -> SupportRecordChange {
        var change = readChange(&fields, rules: rules)
        change.plan = fields.supportPlan(rules: rules, stored: SupportPlan(stored: current))
        return change
    }

    static func readChange(_ fields: inout FieldReader, rules: SupportRecordRules) -> SupportRecordChange {
        var change = SupportRecordChange()
        func optional<T>(_ key: String, _ read: (inout FieldReader) -> T?) -> T?? {
            guard fields.has(key) else { return nil }
            if fields.isNull(key) { return .some(nil) }
            guard let value = read(&fields) else { return nil }
            return .some(value)
        }
        func required<T>(_ key: String, _ read: (inout FieldReader) -> T?) -> T? {
            guard fields.has(key) else { return nil }
            if fields.isNull(key) {
                fields.report(key, .null, "cannot be cleared; send a value or leave it out")
                return nil
            }
            return read(&fields)
        }
        change.reference = optional("reference") { $0.text("reference") }
        change.type = required("type") { $0.checked("type", rules.type) }
        change.startDate = required("start_date") { $0.checked("start_date", SupportRecordRules.date) }
        change.endDate = optional("end_date") { $0.checked("end_date", SupportRecordRules.date) }
        change.hours = optional("hours") { $0.checked("hours", SupportRecordRules.hours) }
        change.sessions = optional("sessions") { $0.checked("sessions", SupportRecordRules.sessions) }
        change.amount = optional("amount") { $0.checked("amount", SupportRecordRules.amount) }
        change.fundingSource = optional("funding_source") { $0.checked("funding_source", rules.fundingSource) }
        change.staff = optional("staff") { $0.text("staff") }
        change.intendedOutcome = optional("intended_outcome") { $0.text("intended_outcome") }
        change.status = required("status") { $0.checked("status", SupportRecordRules.status) }
        change.reviewDate = optional("review_date") { $0.checked("review_date", SupportRecordRules.date) }
        change.restricted = required("restricted") { $0.bool("restricted") }
        return change
    }

    /// Ends a record: sets its end date and status `ended` (or `cancelled`) in one step.
    func end(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let caller = try context.caller()
        try caller.require(.recordSupport)
        let id = try Self.recordID(context)
        var fields = FieldReader(try await dependencies.bodies.object(from: request, fields: Self.endFields))
        let ending = fields.checked("end_date", required: true) { (text: String) throws(FieldProblem) in
            (text: text, date: try SupportRecordRules.date(text))
        }
        let status = fields.checked("status", SupportRecordRules.status) ?? .ended
        if status != .ended, status != .cancelled {
            fields.report("status", .string(status.rawValue), "ending a record sets status 'ended' or 'cancelled'")
        }
        try fields.finish()
        guard let ending else { throw APIError.invalidFields([]) }
        var change = SupportRecordChange()
        change.endDate = .some(ending.date)
        change.status = status
        let outcome = try await dependencies.database.run(as: caller, context: context) { [change] connection -> EndOutcome in
            let store = SupportRecords(connection: connection, providerID: caller.providerID)
            guard let current = try store.find(id: id) else { return .notFound }
            // Checked here, by the rule every door uses, to name the field; the table's CHECK
            // would refuse it anyway.
            do throws(FieldProblem) {
                try SupportRecordRules.notBeforeStart(ending.date, text: ending.text, start: try SupportRecordRules.date(current.startDate))
            } catch {
                return .beforeStart(error)
            }
            guard let ended = try store.update(id: id, change) else { return .notFound }
            return .ended(ended)
        }
        switch outcome {
        case .notFound:
            throw Self.noSuchRecord(id)
        case .beforeStart(let problem):
            throw APIError.invalidFields([FieldProblem(field: "end_date", value: ending.text, message: problem.message)])
        case .ended(let record):
            return try JSONResponse.make(record)
        }
    }

    enum EndOutcome: Sendable {
        case notFound
        case beforeStart(FieldProblem)
        case ended(SupportRecord)
    }

    static func recordID(_ context: GapTrackRequestContext) throws(APIError) -> Int {
        let text = try pathParameter("id", context)
        guard let id = Int(text), id > 0 else {
            throw .badQuery(parameter: "id", value: TextLimit.quoted(text), expected: "a support record id, a whole number")
        }
        return id
    }

    static func noSuchRecord(_ id: Int) -> APIError {
        .notFound("there is no support record \(id) for this token's provider")
    }
}
