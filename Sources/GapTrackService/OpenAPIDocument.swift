import Foundation

/// The API description, `openapi.yaml` next to this file, shipped as a resource of this target and
/// served at GET /openapi.yaml. It is the contract: GapTrackServiceTests drive the running service
/// through every operation it lists and check each answer against its schemas.
public enum OpenAPIDocument {
    public static func text() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
