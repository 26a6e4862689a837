/// Which kind of event a request came in, so its response goes back in the same shape.
public enum EventShape: Sendable, Equatable {
    /// API Gateway REST API (payload 1.0); `multiValue` when the event carried `multiValueHeaders`.
    case apiGatewayV1(multiValue: Bool)
    /// API Gateway HTTP API (payload 2.0).
    case apiGatewayV2
    /// A Lambda Function URL (the 2.0 payload shape).
    case functionURL
    /// An Application Load Balancer target; `multiValue` when the target group has multi-value headers on.
    case alb(multiValue: Bool)

    public var name: String {
        switch self {
        case .apiGatewayV1: "apigateway-rest"
        case .apiGatewayV2: "apigateway-http"
        case .functionURL: "function-url"
        case .alb: "alb"
        }
    }
}

/// One HTTP request, whatever event kind carried it.
public struct HTTPRequest: Sendable {
    /// Upper-case method, e.g. `GET`.
    public var method: String
    /// The path routes match against: percent-decoded, API Gateway's stage prefix removed.
    public var path: String
    /// The path as the event gave it.
    public var rawPath: String
    public var headers: HTTPHeaders
    /// Query parameters in order, repeated names kept, values decoded.
    public var query: [(name: String, value: String)]
    /// `name=value` cookie strings.
    public var cookies: [String]
    /// The body, base64 already decoded.
    public var body: [UInt8]
    public var sourceIP: String?
    /// The front end's request id (API Gateway / Function URL), not Lambda's.
    public var requestID: String?
    public var shape: EventShape

    public init(method: String, path: String, rawPath: String? = nil, headers: HTTPHeaders = HTTPHeaders(),
                query: [(name: String, value: String)] = [], cookies: [String] = [], body: [UInt8] = [],
                sourceIP: String? = nil, requestID: String? = nil, shape: EventShape = .apiGatewayV2)
    {
        self.method = method.uppercased()
        self.path = path
        self.rawPath = rawPath ?? path
        self.headers = headers
        self.query = query
        self.cookies = cookies
        self.body = body
        self.sourceIP = sourceIP
        self.requestID = requestID
        self.shape = shape
    }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}
