/// Cross-origin rules, as Starlette's CORSMiddleware applies them for the Python twin:
/// allowed origins are echoed back, others get no CORS headers, preflights are answered here.
public struct CORSPolicy: Sendable {
    public let allowedOrigins: [String]
    public let allowedMethods: [String]
    public let maxAgeSeconds: Int

    public init(allowedOrigins: [String], allowedMethods: [String] = ["GET", "POST", "DELETE", "OPTIONS"], maxAgeSeconds: Int = 600) {
        self.allowedOrigins = allowedOrigins
        self.allowedMethods = allowedMethods
        self.maxAgeSeconds = maxAgeSeconds
    }

    /// Parses `CORS_ORIGINS`: a comma-separated list; `*` allows any origin.
    public init(originList: String) {
        self.init(allowedOrigins: originList.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty })
    }

    var allowsAny: Bool { allowedOrigins.contains("*") }

    public func allows(origin: String) -> Bool {
        allowsAny || allowedOrigins.contains(origin)
    }

    /// The answer to a CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`), or nil for other requests.
    public func preflightResponse(for request: HTTPRequest) -> HTTPResponse? {
        guard request.method == "OPTIONS", let origin = request.headers["origin"],
              let requestedMethod = request.headers["access-control-request-method"] else { return nil }
        var headers = HTTPHeaders()
        headers.add("Vary", "Origin")
        guard allows(origin: origin), allowedMethods.contains(requestedMethod.uppercased()) else {
            headers.add("Content-Type", "text/plain; charset=utf-8")
            let reason = allows(origin: origin) ? "Disallowed CORS method" : "Disallowed CORS origin"
            return HTTPResponse(status: 400, headers: headers, body: Array(reason.utf8))
        }
        headers.add("Access-Control-Allow-Origin", allowsAny ? "*" : origin)
        headers.add("Access-Control-Allow-Methods", allowedMethods.joined(separator: ", "))
        if let requestedHeaders = request.headers["access-control-request-headers"], !requestedHeaders.isEmpty {
            headers.add("Access-Control-Allow-Headers", requestedHeaders)
        }
        headers.add("Access-Control-Max-Age", String(maxAgeSeconds))
        headers.add("Content-Length", "0")
        return HTTPResponse(status: 200, headers: headers)
    }

    /// Adds the CORS headers a simple (non-preflight) response needs, errors included.
    public func apply(to response: inout HTTPResponse, for request: HTTPRequest) {
        guard let origin = request.headers["origin"], allows(origin: origin) else { return }
        response.headers.set("Access-Control-Allow-Origin", allowsAny ? "*" : origin)
        if !allowsAny { response.headers.add("Vary", "Origin") }
    }
}
