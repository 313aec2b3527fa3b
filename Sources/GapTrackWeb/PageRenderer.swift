import Foundation
import Mustache

/// Renders the pages: each page's template inside the one layout (`layout.mustache`). Mustache
/// escapes every `{{value}}`; the only unescaped slots are `{{{body}}}` (a page this renderer made)
/// and `{{{report}}}` (the report renderer's own escaped HTML), so text a person typed never
/// reaches the page as markup.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    /// The templates shipped as this target's resources.
    public static let shared: PageRenderer = {
        do {
            return try PageRenderer(folder: templatesFolder())
        } catch {
            fatalError("the web page templates could not be read: \(error)")
        }
    }()

    public init(folder: URL) throws {
        var library = MustacheLibrary()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }.sorted()
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            try library.register(text, named: String(name.dropLast(".mustache".count)))
        }
        self.library = library
    }

    static func templatesFolder() throws -> URL {
        guard let url = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return url
    }

    /// One page: `template` rendered with `context`, then placed in the layout with the page title
    /// and the signed-in person's header (`chrome`; nil on the sign-in page).
    public func page(_ template: String, title: String, chrome: [String: Any]?, context: [String: Any]) -> String {
        let body = library.render(context, withTemplate: template) ?? ""
        var layout: [String: Any] = ["title": title, "body": body, "extraStyle": context["extraStyle"] ?? ""]
        if let chrome { layout["person"] = chrome }
        return library.render(layout, withTemplate: "layout") ?? body
    }

    /// The report renderer's page split into its stylesheet (scoped to `.report`, so that it does
    /// not restyle the page around it) and its body, for showing a report inside a page.
    public static func embeddable(reportPage html: String) -> (style: String, body: String) {
        func between(_ open: String, _ close: String) -> String {
            guard let start = html.range(of: open), let end = html.range(of: close, range: start.upperBound..<html.endIndex) else { return "" }
            return String(html[start.upperBound..<end.lowerBound])
        }
        let style = between("<style>", "</style>")
            .replacingOccurrences(of: "\nbody {", with: "\n.report {")
            .replacingOccurrences(of: "\nheader {", with: "\n.report header {")
            .replacingOccurrences(of: ":root {", with: ".report {")
        return (style, between("<body>", "</body>"))
    }
}
