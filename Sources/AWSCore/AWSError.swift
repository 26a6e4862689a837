import CurlHTTP
import SimpleJSON

/// A failed AWS call: a service error decoded from its body, or a transport,
/// credentials or deadline failure. `message` may hold AWS's raw words: log it,
/// do not show it to end users.
public struct AWSError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The service answered with an error status.
        case service
        /// No HTTP response (connection, TLS, timeout).
        case transport
        /// No usable credentials.
        case credentials
        /// The invocation's deadline would pass before another try could finish.
        case deadline
    }

    public var kind: Kind
    /// The error code: `ThrottlingException`, `NoSuchKey`, `PreconditionFailed`…
    public var code: String
    public var message: String
    public var status: Int?
    public var requestID: String?

    public init(kind: Kind, code: String, message: String, status: Int? = nil, requestID: String? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.status = status
        self.requestID = requestID
    }

    public var description: String {
        var s = "\(code)"
        if let status { s += " (HTTP \(status))" }
        if !message.isEmpty { s += ": \(message)" }
        if let requestID { s += " [request \(requestID)]" }
        return s
    }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException", "ModelNotReadyException",
    ]
    static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "InternalServerError",
        "InternalServerException", "ServiceUnavailable", "ServiceUnavailableException",
    ]

    public var isThrottling: Bool { AWSError.throttlingCodes.contains(code) || status == 429 }

    /// Worth another try under the SDKs' standard retry mode.
    public var isRetryable: Bool {
        switch kind {
        case .transport: return true
        case .credentials, .deadline: return false
        case .service:
            if isThrottling || AWSError.transientCodes.contains(code) { return true }
            return [500, 502, 503, 504].contains(status ?? 0)
        }
    }

    /// Decodes an error response: `X-Amzn-ErrorType`, a JSON `__type`/`code`, or an XML `<Code>`.
    public static func decode(_ response: HTTPClientResponse) -> AWSError {
        var code = response.header("x-amzn-errortype").map { String($0.split(separator: ":").first ?? "") } ?? ""
        var message = ""
        let requestID = response.header("x-amzn-requestid") ?? response.header("x-amz-request-id")
        if let json = try? JSON.parse(response.body), json.object != nil {
            let type = json["__type"]?.string ?? json["code"]?.string ?? json["Code"]?.string ?? ""
            if code.isEmpty, let last = type.split(separator: "#").last { code = String(last) }
            message = json["message"]?.string ?? json["Message"]?.string ?? ""
        } else if !response.body.isEmpty {
            let text = String(decoding: response.body.prefix(4096), as: UTF8.self)
            if code.isEmpty, let c = xmlElement("Code", in: text) { code = c }
            message = xmlElement("Message", in: text) ?? ""
        }
        if code.isEmpty {
            switch response.status {
            case 304: code = "NotModified"
            case 400: code = "BadRequest"
            case 403: code = "AccessDenied"
            case 404: code = "NotFound"
            case 412: code = "PreconditionFailed"
            case 429: code = "TooManyRequestsException"
            default: code = "HTTP\(response.status)"
            }
        }
        return AWSError(kind: .service, code: code, message: message, status: response.status, requestID: requestID)
    }

    static func xmlElement(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }
}

extension String {
    /// Substring search without Foundation.
    func range(of needle: String, range: Range<String.Index>? = nil) -> Range<String.Index>? {
        let hay = range.map { self[$0] } ?? self[...]
        guard !needle.isEmpty else { return nil }
        var i = hay.startIndex
        while i < hay.endIndex {
            if hay[i...].hasPrefix(needle) { return i..<hay.index(i, offsetBy: needle.count) }
            i = hay.index(after: i)
        }
        return nil
    }
}
