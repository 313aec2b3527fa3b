import Foundation
import GapTrackDomain
import GapTrackStore
import GapTrackWeb
import Hummingbird

/// Uploading an import file in the web pages: the upload form, its dry run (every problem by line
/// and column, or the counts the import would write), and the confirmation that imports exactly the
/// file that was checked. A data lead's only; the rows are written as the person's own scoped
/// session, the ledger row through the owner's door (docs/security.md §6, "Uploads").
struct WebImportPages: Sendable {
    let web: WebPages

    func register(on router: Router<GapTrackRequestContext>) {
        router.get("imports/new") { request, context in try await web.page(request, context) { try await form(request, context) } }
        router.post("imports/check") { request, context in try await web.page(request, context) { try await check(request, context) } }
        router.post("imports/confirm") { request, context in try await web.page(request, context) { try await confirm(request, context) } }
    }

    /// The largest upload, the whole form included: the service's body limit.
    var limit: Int { web.dependencies.configuration.maximumBodyBytes }

    var limitText: String {
        limit >= 1_048_576 && limit % 1_048_576 == 0 ? "\(limit / 1_048_576) MB" : "\(limit / 1024) KB"
    }

    static let kindLabels: [ImportKind: String] = [
        .students: "Pupils (students.csv)", .markers: "Markers: FSM, SEN and others (markers.csv)",
        .attendance: "Attendance marks (attendance.csv)", .assessments: "Assessment results (assessments.csv)", .support: "Support and interventions (support.csv)",
        .calendar: "School calendar (calendar.csv)",
    ]

    /// MIS presets a school's file may use (`ColumnMapping.Preset`; the university ones stay with the CLI).
    static let presets: [ColumnMapping.Preset] = [.sims, .arbor, .bromcom]

    /// Staff and governors get the answer for a page that does not exist, as for any page they may not see.
    func requireDataLead(_ visitor: WebPages.Visitor) throws {
        guard visitor.person.role == .dataLead else {
            throw WebPages.Interruption.page(web.html("message", title: "Page not found", visitor: visitor, status: .notFound, context: [
                "heading": "Page not found", "message": "There is no such page here.", "link": ["href": "/", "label": "Back to gaptrack"],
            ]))
        }
    }

    func form(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let visitor = try await web.visitor(request, context)
        try requireDataLead(visitor)
        return formPage(visitor, kind: nil, preset: nil, skipInvalid: false, problems: [])
    }

    func formPage(_ visitor: WebPages.Visitor, kind: String?, preset: String?, skipInvalid: Bool, problems: [FieldProblem],
                  status: HTTPResponse.Status? = nil) -> Response {
        web.html(
            "import-new", title: problems.isEmpty ? "Upload an import file" : "Error: upload an import file", visitor: visitor,
            status: status ?? (problems.isEmpty ? .ok : .unprocessableContent), current: "/imports/new",
            context: [
                "formToken": visitor.cookie.formToken, "limitText": limitText,
                "kinds": WebUploads.kinds.map { ["value": $0.rawValue, "label": Self.kindLabels[$0] ?? $0.rawValue, "selected": $0.rawValue == kind] as [String: Any] },
                "presets": Self.presets.map { ["value": $0.rawValue, "label": $0.rawValue.uppercased() == "SIMS" ? "SIMS" : $0.rawValue.capitalizedFirst, "selected": $0.rawValue == preset] as [String: Any] },
                "skipInvalid": skipInvalid,
                "hasErrors": !problems.isEmpty, "errors": problems.map { ["field": $0.field, "message": $0.message] },
                "kindError": problems.first { $0.field == "kind" }?.message ?? false,
                "fileError": problems.first { $0.field == "file" }?.message ?? false,
            ])
    }

    // MARK: - The check (dry run)

    func check(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let visitor = try await web.visitor(request, context)
        try requireDataLead(visitor)
        let body: [UInt8]
        do {
            body = Array(try await request.body.collect(upTo: limit).readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return formPage(visitor, kind: nil, preset: nil, skipInvalid: false, problems: [
                FieldProblem(field: "file", value: nil, message: "The file is larger than \(limitText), so nothing was read or kept. Split it, or import it with gaptrack import"),
            ], status: .contentTooLarge)
        }
        let form: MultipartForm
        do {
            form = try MultipartForm(body, contentType: request.headers[.contentType] ?? "")
        } catch {
            throw WebPages.Interruption.page(web.refusedForm(visitor: visitor))
        }
        guard let token = form.value("form_token"), WebPages.sameText(token, visitor.cookie.formToken) else {
            throw WebPages.Interruption.page(web.refusedForm(visitor: visitor))
        }
        let kindText = form.value("kind")
        let presetText = form.value("preset")
        let skipInvalid = form.value("skip_invalid") == "yes"
        var problems: [FieldProblem] = []
        let kind = kindText.flatMap(ImportKind.init(rawValue:)).flatMap { WebUploads.kinds.contains($0) ? $0 : nil }
        if kind == nil { problems.append(FieldProblem(field: "kind", value: kindText, message: "Choose the kind of file")) }
        let preset = presetText.flatMap(ColumnMapping.Preset.init(rawValue:)).flatMap { Self.presets.contains($0) ? $0 : nil }
        if presetText != nil, preset == nil { problems.append(FieldProblem(field: "preset", value: presetText, message: "Choose one of the column name presets")) }
        let file = form.file("file")
        if file == nil { problems.append(FieldProblem(field: "file", value: nil, message: "Choose the file to upload")) }
        if let file, file.content.isEmpty { problems.append(FieldProblem(field: "file", value: nil, message: "The file is empty")) }
        guard problems.isEmpty, let kind, let file, let name = file.fileName, !name.isEmpty else {
            return formPage(visitor, kind: kindText, preset: presetText, skipInvalid: skipInvalid, problems: problems)
        }
        let upload = WebUploads.Upload(kind: kind, fileName: String(name.prefix(200)), preset: preset, skipInvalid: skipInvalid, content: file.content)
        let person = visitor.person
        let providerCode = visitor.principal.providerCode
        let actor = visitor.principal.auditActor
        // The upload is kept and checked in one transaction; the check's own writes are a savepoint
        // it rolls back, so what is kept is the file alone.
        let checked = try await web.run(as: visitor, context) { connection -> WebImport.Check in
            try WebUploads(connection: connection, providerID: person.providerID, sessionID: person.sessionID).keep(upload)
            return try WebImport(connection: connection, provider: providerCode).check(upload, actor: actor)
        }
        return checkPage(visitor, upload, checked)
    }

    func checkPage(_ visitor: WebPages.Visitor, _ upload: WebUploads.Upload, _ checked: WebImport.Check) -> Response {
        var page: [String: Any] = [
            "fileName": upload.fileName, "kindLabel": Self.kindLabels[upload.kind] ?? upload.kind.rawValue, "sha256": upload.sha256,
            "formToken": visitor.cookie.formToken, "extraStyle": Self.narrowStyle,
            "hasProblems": !checked.problems.isEmpty,
            "problems": checked.problems.map { ["line": $0.line, "column": $0.column ?? "(the whole row)", "message": $0.message] as [String: Any] },
            "problemSummary": checked.totalProblems > checked.problems.count
                ? "the first \(checked.problems.count) of \(checked.totalProblems)" : "\(checked.problems.count)",
        ]
        switch checked.outcome {
        case .refused(let error):
            page["heading"] = "The file has problems: nothing was imported"
            if case .invalidRows = error {
                page["refusal"] = "Correct the rows below and upload the file again, or tick “Import the valid rows” to leave them out."
            } else {
                page["refusal"] = error.description
            }
            page["confirm"] = false
            return web.html("import-check", title: "Error: check \(upload.fileName)", visitor: visitor, status: .unprocessableContent,
                            current: "/imports/new", context: page)
        case .counted(let summary):
            page["heading"] = "Check of \(upload.fileName): nothing written yet"
            page["counts"] = Self.counts(summary).merging(["countsHeading": "What the import would do"]) { $1 }
            page["previous"] = summary.previousImport.map {
                "This file was imported before (import \($0.importID)); importing it again changes only what has been changed since."
            } ?? false
            page["confirm"] = true
            return web.html("import-check", title: "Check \(upload.fileName)", visitor: visitor, current: "/imports/new", context: page)
        }
    }

    /// A checksum or a long file name wraps on a phone instead of widening the page.
    static let narrowStyle = "dl.facts dd { min-width: 0; overflow-wrap: anywhere; }"

    static func counts(_ summary: ImportSummary) -> [String: Any] {
        [
            "rowsRead": summary.rowsRead, "inserted": summary.inserted, "updated": summary.updated, "unchanged": summary.unchanged,
            "rejected": summary.rejected, "ignored": summary.ignoredColumns.isEmpty ? false : summary.ignoredColumns.joined(separator: ", "),
            "notices": summary.notices,
        ]
    }

    // MARK: - The confirmation

    enum Confirmed: Sendable {
        case unknown
        case imported(ImportSummary, [PupilSearch.Pupil], WebUploads.Upload)
        case refused(WebUploads.Upload, WebImport.Check)
    }

    func confirm(_ request: Request, _ context: GapTrackRequestContext) async throws -> Response {
        let form = try await web.form(request)
        let visitor = try await web.poster(request, context, form: form)
        try requireDataLead(visitor)
        let sha256 = form.value("file") ?? ""
        let person = visitor.person
        let providerCode = visitor.principal.providerCode
        let actor = visitor.principal.auditActor
        let outcome = try await web.run(as: visitor, context) { connection -> Confirmed in
            guard let upload = try WebUploads(connection: connection, providerID: person.providerID, sessionID: person.sessionID).find(sha256: sha256)
            else { return .unknown }
            let importer = WebImport(connection: connection, provider: providerCode)
            switch try importer.run(upload, dryRun: false, actor: actor) {
            case .counted(let summary):
                return .imported(summary, try importer.pupilsChanged(by: summary.importID, providerID: person.providerID, limit: 51), upload)
            case .refused:
                // Something changed since the check (a pupil removed, say): the check again, to show why.
                return .refused(upload, try importer.check(upload, actor: actor))
            }
        }
        switch outcome {
        case .unknown:
            return web.html("message", title: "File not found", visitor: visitor, status: .notFound, current: "/imports/new", context: [
                "heading": "There is no checked file to import",
                "message": "This session has checked no file with that checksum, so nothing was imported. Upload the file and check it first.",
                "link": ["href": "/imports/new", "label": "Upload a file"],
            ])
        case .refused(let upload, let checked):
            return checkPage(visitor, upload, checked)
        case .imported(let summary, let pupils, let upload):
            let changed = summary.inserted + summary.updated
            var page = Self.counts(summary)
            page["importID"] = summary.importID
            page["fileName"] = upload.fileName
            page["extraStyle"] = Self.narrowStyle
            page["heading"] = changed == 0 ? "Nothing changed" : "Imported \(upload.fileName)"
            page["summary"] = changed == 0
                ? "Every row was already as the file says\(summary.previousImport.map { " (it was imported before as import \($0.importID))" } ?? ""); import \(summary.importID) changed nothing."
                : "Import \(summary.importID): \(summary.inserted) new and \(summary.updated) changed of \(summary.rowsRead) rows."
            page["hasPupils"] = !pupils.isEmpty
            page["pupils"] = pupils.prefix(50).map { ["identifier": $0.identifier, "forename": $0.forename, "surname": $0.surname] }
            page["more"] = pupils.count > 50 ? "And more: find them with the search." : false
            return web.html("import-done", title: changed == 0 ? "Nothing changed" : "Imported \(upload.fileName)", visitor: visitor,
                            current: "/imports/new", context: page)
        }
    }
}
