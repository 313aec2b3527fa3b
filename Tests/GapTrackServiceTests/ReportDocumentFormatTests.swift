import Foundation
import GapTrackReports
@testable import GapTrackService
import GapTrackStore
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// The termly report as JSON, HTML and PDF, and the pupils' drill-down, over a real server
/// (docs/methodology.md §7.7): staff and data leads get the lists, governors get 403 for them and
/// never a pupil's name in any format.
@Suite struct ReportDocumentFormatTests {
    /// School A of `TwoProviders` with nine more Year 11 pupils (surname "Extra"): twelve in all,
    /// three of them FSM ("Pupil1" to "Pupil3"), Pupil1 also looked after (restricted) with a
    /// restricted housing support record; all three tutored in the autumn.
    static func withSchool(_ body: @escaping @Sendable (TwoProviders, any TestClientProtocol) async throws -> Void) async throws {
        try await ServiceTestDatabase.withDatabase { conninfo in
            let fixture = try TwoProviders.make(conninfo: conninfo)
            try ReportEndpointTests.addYear11(9, provider: fixture.a, serialsFrom: 10, conninfo: conninfo)
            let (app, _) = makeApplication(conninfo: conninfo)
            try await app.test(.live) { client in try await body(fixture, client) }
        }
    }

    static let termly = "/v1/reports/termly?cohort=year-11&term=2024/25-autumn"
    static let pupilNames = ["Pupil1", "Pupil2", "Pupil3", "Extra"]

    /// Pages of a PDF: pdfinfo where poppler-utils is installed, else the page objects counted.
    static func pageCount(_ pdf: Data) throws -> Int {
        let pdfinfo = ["/usr/bin/pdfinfo", "/usr/local/bin/pdfinfo"].first { FileManager.default.isExecutableFile(atPath: $0) }
        if let pdfinfo {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-\(UUID().uuidString).pdf")
            try pdf.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let process = Process()
            let pipe = Pipe()
            process.executableURL = URL(fileURLWithPath: pdfinfo)
            process.arguments = [file.path]
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return output.split(separator: "\n").first { $0.hasPrefix("Pages:") }.flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) } ?? 0
        }
        return String(decoding: pdf, as: UTF8.self).matches(of: /\/Type\s*\/Page(?![s])/).count
    }

    @Test func theTermlyReportComesAsJSONHTMLOrPDFAndAGovernorNeverSeesAPupil() async throws {
        try await Self.withSchool { fixture, client in
            let governor = try fixture.token("school-a", .governor)
            let dataLead = try fixture.token("school-a", .dataLead)
            let staff = try fixture.token("school-a", .staff)
            do {
                let json = try await client.call(.get, Self.termly, token: governor)
                #expect(json.status == .ok && json.headers[.contentType] == "application/json; charset=utf-8")
                let report = try JSONReportRenderer.decode(json.text)

                let html = try await client.call(.get, Self.termly + "&format=html", token: governor)
                #expect(html.status == .ok && html.headers[.contentType] == "text/html; charset=utf-8", "\(html.text.prefix(300))")
                #expect(html.text == HTMLReportRenderer.render(report), "the same self-contained page the CLI writes")
                #expect(html.text.contains(">12<"), "the cohort's size is on the page")
                #expect(!html.text.contains("<script") && !html.text.contains("src=\"http"))
                var accept = HTTPFields()
                accept[.authorization] = "Bearer \(governor)"
                accept[.accept] = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
                let negotiated = try await client.executeRequest(uri: Self.termly, method: .get, headers: accept, body: nil)
                #expect(negotiated.headers[.contentType] == "text/html; charset=utf-8")

                accept[.accept] = "application/pdf"
                let pdf = try await client.executeRequest(uri: Self.termly, method: .get, headers: accept, body: nil)
                #expect(pdf.status == .ok, "\(String(buffer: pdf.body).prefix(300))")
                #expect(pdf.headers[.contentType] == "application/pdf")
                let bytes = Data(pdf.body.readableBytesView)
                #expect(bytes.starts(with: Array("%PDF-".utf8)))
                #expect(try Self.pageCount(bytes) >= 1)

                // A governor's report names no pupil, in any form; the data lead's (a staff report) lists them.
                for response in [json, html] {
                    for name in Self.pupilNames { #expect(!response.text.contains(name), "\(name) in a governor's report") }
                }
                #expect(!json.text.contains("drillDown"))
                let staffReport = try await client.call(.get, Self.termly + "&format=html", token: dataLead)
                #expect(staffReport.text.contains("Pupils behind the figures") && staffReport.text.contains("Pupil2"))
                // A staff token's report lists the pupils too, never a restricted marker or record.
                let staffJSON = try await client.call(.get, Self.termly, token: staff)
                let lists = try #require(try JSONReportRenderer.decode(staffJSON.text).drillDown)
                #expect(lists.contains { $0.pupils.contains { $0.surname == "Pupil1" } })
                // The restricted housing support counts in the report's support table (a role never
                // changes a figure) but no list shows it: its own list, if any, names no pupil.
                #expect(!lists.flatMap(\.pupils).flatMap(\.markers).contains("looked_after"))
                #expect(!lists.flatMap(\.pupils).flatMap(\.support).contains { $0.type == "housing_support" })
                #expect(lists.filter { $0.list.type == "housing_support" }.allSatisfy { $0.pupils.isEmpty })
                #expect(lists.allSatisfy { $0.restrictedRecords == .omitted })
                let staffPDF = try await client.call(.get, Self.termly + "&format=pdf", token: dataLead)
                #expect(staffPDF.status == .ok && Data(staffPDF.body.readableBytesView).starts(with: Array("%PDF-".utf8)))
                let staffPages = try Self.pageCount(Data(staffPDF.body.readableBytesView))
                #expect(staffPages >= (try Self.pageCount(bytes)), "the lists add to the report, never take from it")

                let bad = try await client.call(.get, Self.termly + "&format=docx", token: governor)
                #expect(bad.status == .badRequest && bad.errorMessage?.contains("json, html, pdf") == true, "\(bad.text)")
            }
        }
    }

    @Test func staffAndDataLeadsListThePupilsWithoutRestrictedRecordsForStaffAndGovernorsAreRefused() async throws {
        try await Self.withSchool { fixture, client in
            let staff = try fixture.token("school-a", .staff)
            let dataLead = try fixture.token("school-a", .dataLead)
            let governor = try fixture.token("school-a", .governor)
            do {
                let path = "/v1/reports/students?cohort=year-11&term=2024/25-autumn"
                func list(_ query: String, _ token: String) async throws -> StudentDrillDown {
                    let response = try await client.call(.get, path + query, token: token)
                    #expect(response.status == .ok && response.headers[.contentType] == "application/json; charset=utf-8", "\(response.text.prefix(400))")
                    return try JSONDecoder().decode(StudentDrillDown.self, from: Data(response.text.utf8))
                }
                // The data lead sees Pupil1's looked-after marker and restricted housing support.
                let lead = try await list("&group=disadvantaged", dataLead)
                #expect(lead.pupils.map(\.surname) == ["Pupil1", "Pupil2", "Pupil3"])
                #expect(lead.restrictedRecords == .included)
                let first = try #require(lead.pupils.first)
                #expect(first.markers.contains("looked_after") && first.support.contains { $0.type == "housing_support" })
                #expect(try await list("&group=looked-after", dataLead).pupils.map(\.surname) == ["Pupil1"])

                // Staff: Pupil1 is FSM too, so still listed, without what is restricted; the list of
                // looked-after pupils is empty though the report counts one.
                let own = try await list("&group=disadvantaged", staff)
                #expect(own.pupils.map(\.surname) == ["Pupil1", "Pupil2", "Pupil3"])
                let restricted = try #require(own.pupils.first)
                #expect(!restricted.markers.contains { $0.hasPrefix("looked_after") })
                #expect(restricted.support.map(\.type) == ["tutoring"])
                #expect(try await list("&group=looked-after", staff).pupils.isEmpty)
                #expect(try await list("&type=housing_support", staff).pupils.isEmpty)
                #expect(try await list("&type=tutoring", staff).pupils.count == 3)

                // Other formats, by parameter or by Accept.
                let csv = try await client.call(.get, path + "&type=tutoring&format=csv", token: staff)
                #expect(csv.headers[.contentType] == "text/csv; charset=utf-8" && csv.text.hasPrefix("provider,cohort,term,list,surname"))
                let html = try await client.call(.get, path + "&type=tutoring&format=html", token: staff)
                #expect(html.text.hasPrefix("<!DOCTYPE html>") && html.text.contains("Pupil3"))

                // Governors never get a pupil-level list; mistakes are named.
                let refused = try await client.call(.get, path, token: governor)
                #expect(refused.status == .forbidden && refused.errorMessage?.contains("staff only") == true, "\(refused.text)")
                let group = try await client.call(.get, path + "&group=lac", token: staff)
                #expect(group.status == .badRequest && group.errorMessage?.contains("looked-after") == true, "\(group.text)")
                let type = try await client.call(.get, path + "&type=juggling", token: staff)
                #expect(type.status == .badRequest && type.errorMessage?.contains("tutoring") == true, "\(type.text)")
                let cohort = try await client.call(.get, "/v1/reports/students?cohort=year-7&term=2024/25-autumn", token: staff)
                #expect(cohort.status == .notFound && cohort.errorMessage?.contains("year-11") == true, "\(cohort.text)")
                let both = try await client.call(.get, path + "&year=2024/25", token: staff)
                #expect(both.status == .badRequest)
            }
        }
    }

    /// Writes a script that other tests' processes cannot hold open: the suite's tests run in
    /// parallel and start processes (Chromium, PostgreSQL tools), and a child forked while the
    /// script's file was open for writing keeps it open, so executing the script fails with "text
    /// file busy". Foundation's `write(to:atomically:)` does not open with `O_CLOEXEC`; this does,
    /// so no exec'd child inherits the descriptor.
    static func writeExecutable(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }

    @Test func aPDFIsRefusedWithoutChromiumPastItsTimeLimitOrWhileTwoArePrinting() async throws {
        let missing = PDFPrinter(executable: nil)
        await #expect(throws: PDFPrintError.chromiumMissing(nil)) { try await missing.print(html: "<p>x</p>") }
        #expect(PDFPrintError.chromiumMissing(nil).description.contains("chromium"))
        let notThere = PDFPrinter.fromEnvironment(["PATH": "/nonexistent"])
        #expect(notThere.executable == nil)
        let named = PDFPrinter.fromEnvironment(["GAPTRACK_CHROMIUM": "/nonexistent/chromium"])
        await #expect(throws: PDFPrintError.chromiumMissing("/nonexistent/chromium")) { try await named.print(html: "<p>x</p>") }
        // A browser that never finishes is stopped at the time limit.
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-slow-\(UUID().uuidString).sh")
        try Self.writeExecutable("#!/bin/sh\nexec sleep 120\n", to: script.path)
        defer { try? FileManager.default.removeItem(at: script) }
        let started = ContinuousClock.now
        let slow = PDFPrinter(executable: script.path, timeout: .milliseconds(300))
        await #expect(throws: PDFPrintError.timedOut(.milliseconds(300))) { try await slow.print(html: "<p>x</p>") }
        // Killed, not left to sleep its 120 s. The bound is loose on purpose: under a full test run
        // on two cores, starting and reaping the process alone has taken over a minute.
        #expect(ContinuousClock.now - started < .seconds(115), "killed at the limit, not left to sleep its 120 s")

        // Two prints at once at most: a third is turned away with 503 (overloaded), not queued, and
        // a slot is free again once a print ends.
        let slots = PrintSlots(limit: 2)
        let busy = PDFPrinter(executable: script.path, timeout: .seconds(3))
        async let first: Void = { _ = try? await PDFPrinter.printForResponse("<p>1</p>", with: busy, slots: slots) }()
        async let second: Void = { _ = try? await PDFPrinter.printForResponse("<p>2</p>", with: busy, slots: slots) }()
        var waited = 0
        while slots.take() {
            slots.give()
            waited += 1
            try await Task.sleep(for: .milliseconds(50))
            if waited > 40 { break }
        }
        #expect(waited <= 40, "both prints took their slots")
        do {
            _ = try await PDFPrinter.printForResponse("<p>3</p>", with: busy, slots: slots)
            Issue.record("a third print was let in")
        } catch {
            #expect(error.status == .serviceUnavailable && error.description.contains("retry shortly"), "\(error)")
        }
        _ = await (first, second)
        #expect(slots.take(), "the slots are given back")
    }
}
