import SimpleJSON

/// One HTTP response, encoded back into the event's shape by `ResponseEncoder`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response with `Content-Type: application/json`.
    public static func json(_ value: JSON, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: value.bytes())
    }
}

/// An error a handler throws to answer with a status and FastAPI's `{"detail": "..."}` body.
/// `detail` is shown to clients; `logMessage` (never shown) may say more.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var detail: String
    public var headers: HTTPHeaders
    public var logMessage: String?

    public init(_ status: Int, _ detail: String, headers: HTTPHeaders = HTTPHeaders(), logMessage: String? = nil) {
        self.status = status
        self.detail = detail
        self.headers = headers
        self.logMessage = logMessage
    }

    public var description: String { "HTTP \(status): \(logMessage ?? detail)" }

    public var response: HTTPResponse {
        var r = HTTPResponse.json(["detail": .string(detail)], status: status)
        for (name, value) in headers { r.headers.add(name, value) }
        return r
    }
}

/// Standard reason phrases, for ALB's `statusDescription`.
public func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 200: "OK"
    case 201: "Created"
    case 202: "Accepted"
    case 204: "No Content"
    case 301: "Moved Permanently"
    case 302: "Found"
    case 304: "Not Modified"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 403: "Forbidden"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 408: "Request Timeout"
    case 409: "Conflict"
    case 412: "Precondition Failed"
    case 413: "Payload Too Large"
    case 415: "Unsupported Media Type"
    case 422: "Unprocessable Entity"
    case 429: "Too Many Requests"
    case 500: "Internal Server Error"
    case 501: "Not Implemented"
    case 502: "Bad Gateway"
    case 503: "Service Unavailable"
    case 504: "Gateway Timeout"
    default: "Status \(status)"
    }
}
