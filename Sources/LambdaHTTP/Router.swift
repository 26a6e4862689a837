/// Routes requests by method and path pattern: `/conversation/{session_id}` captures
/// one segment; a final `{name+}` captures the rest of the path, slashes included
/// (API Gateway's greedy variable), so a handler can reject it with a clear 400.
///
/// Built once at start-up, then only read. A path that matches no pattern is a
/// 404; a path that matches with another method is a 405 listing the allowed
/// ones in `Allow`, as FastAPI answers. A trailing slash is ignored.
public struct Router<Context> {
    public typealias Handler = (HTTPRequest, RouteParameters, Context) throws(HTTPError) -> HTTPResponse

    struct Route {
        let method: String
        let segments: [Segment]
        let handler: Handler
    }

    enum Segment: Equatable {
        case literal(String)
        case parameter(String)
        case greedy(String)
    }

    private var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        let segments = Router.split(pattern).map { s -> Segment in
            guard s.hasPrefix("{") && s.hasSuffix("}") else { return .literal(String(s)) }
            let name = s.dropFirst().dropLast()
            return name.hasSuffix("+") ? .greedy(String(name.dropLast())) : .parameter(String(name))
        }
        routes.append(Route(method: method.uppercased(), segments: segments, handler: handler))
    }

    public func respond(to request: HTTPRequest, context: Context) throws(HTTPError) -> HTTPResponse {
        let path = Router.split(request.path)
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Router.match(route.segments, path) else { continue }
            if route.method == request.method || (request.method == "HEAD" && route.method == "GET") {
                return try route.handler(request, parameters, context)
            }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if allowed.isEmpty { throw HTTPError(404, "Not Found") }
        throw HTTPError(405, "Method Not Allowed", headers: HTTPHeaders([("Allow", allowed.joined(separator: ", "))]))
    }

    static func split(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    static func match(_ pattern: [Segment], _ path: [Substring]) -> RouteParameters? {
        var parameters = RouteParameters()
        for (i, segment) in pattern.enumerated() {
            guard i < path.count else { return nil }
            switch segment {
            case .literal(let text): if text != path[i] { return nil }
            case .parameter(let name): parameters.values.append((name, String(path[i])))
            case .greedy(let name):
                parameters.values.append((name, path[i...].joined(separator: "/")))
                return parameters
            }
        }
        return pattern.count == path.count ? parameters : nil
    }
}

/// Values captured by `{name}` segments.
public struct RouteParameters: Sendable {
    var values: [(String, String)] = []

    public subscript(name: String) -> String? { values.first { $0.0 == name }?.1 }
}
