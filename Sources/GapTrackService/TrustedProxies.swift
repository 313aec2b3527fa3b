#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reverse proxies gaptrack is deployed behind (`gaptrack serve --trusted-proxy`), and so the
/// address a request really came from (docs/security.md §6, "Failed sign-ins").
///
/// Behind a proxy every request arrives from the proxy's own address, so the per-address sign-in
/// limit would lock out a whole school after 20 failures anywhere, and the audit log would name
/// the proxy. `X-Forwarded-For` cannot simply be believed either: a client writes whatever it
/// likes there. So the header is read only when the peer is a proxy named here, and from the
/// right: each trusted proxy appends the address it was reached from, so the rightmost entry that
/// is not itself a trusted proxy is the last address no client could forge.
public struct TrustedProxies: Sendable, Equatable {
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notAnAddress(String)

        public var description: String {
            switch self {
            case .notAnAddress(let text):
                "'\(text.prefix(60))' is not an IP address: give each trusted proxy as an IPv4 or IPv6 address, e.g. 10.0.0.5 or ::1"
            }
        }
    }

    /// In canonical form (inet_ntop's), so `::0001` and `::1` are one proxy.
    public let addresses: Set<String>

    public static let none = TrustedProxies(canonical: [])

    private init(canonical: Set<String>) { self.addresses = canonical }

    public init(parsing list: [String]) throws(ParseError) {
        var canonical = Set<String>()
        for text in list.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters() }) where !text.isEmpty {
            guard let address = Self.canonical(text) else { throw .notAnAddress(text) }
            canonical.insert(address)
        }
        self.addresses = canonical
    }

    /// The client's address: the peer's own, unless the peer is a trusted proxy, then the rightmost
    /// `X-Forwarded-For` entry that is not a trusted proxy. A malformed entry ends the walk there
    /// (the proxy's own address stands), so garbage in the header never becomes an address.
    public func clientAddress(peer: String?, forwardedFor headerLines: [String]) -> String? {
        guard let peer, let canonicalPeer = Self.canonical(peer) else { return peer }
        guard addresses.contains(canonicalPeer) else { return canonicalPeer }
        var client = canonicalPeer
        let hops = headerLines.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters() }
        for hop in hops.reversed() {
            guard let address = Self.canonical(hop) else { break }
            client = address
            if !addresses.contains(address) { break }
        }
        return client
    }

    /// An IPv4 or IPv6 literal in canonical form, or nil. An IPv6 address may come in brackets.
    static func canonical(_ text: String) -> String? {
        var text = text
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return Self.text(family: AF_INET, v4, length: Int(INET_ADDRSTRLEN)) }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return Self.text(family: AF_INET6, v6, length: Int(INET6_ADDRSTRLEN)) }
        return nil
    }

    private static func text<Address>(family: Int32, _ address: Address, length: Int) -> String? {
        var buffer = [CChar](repeating: 0, count: length)
        let written = withUnsafePointer(to: address) { inet_ntop(family, $0, &buffer, socklen_t(length)) }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String { Substring(self).trimmingCharacters() }
}
