import SimpleJSON

/// Why an event is not an HTTP request this function can serve.
public struct EventDecodingError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }

    static let expected = "expected an API Gateway REST (payload 1.0) or HTTP API (payload 2.0), Function URL or ALB event with an HTTP method and path"
}

/// Turns API Gateway, Function URL and ALB events into one `HTTPRequest`.
///
/// The shape is chosen from distinguishing keys (`requestContext.elb`, the 2.0
/// `rawPath`/`requestContext.http`, `httpMethod`), not by trial decoding. Only
/// the fields routing needs are required; the rest may be absent or null.
public enum EventDecoder {
    public static func decode(_ bytes: [UInt8]) throws(EventDecodingError) -> HTTPRequest {
        let event: JSON
        do {
            event = try JSON.parse(bytes)
        } catch {
            throw EventDecodingError(message: "the event is not valid JSON (\(error)); \(EventDecodingError.expected)")
        }
        return try decode(event)
    }

    public static func decode(_ event: JSON) throws(EventDecodingError) -> HTTPRequest {
        guard event.object != nil else {
            throw EventDecodingError(message: "the event is not a JSON object; \(EventDecodingError.expected)")
        }
        let context = event["requestContext"]
        if let elb = context?["elb"], !elb.isNull {
            return decodeALB(event)
        }
        // Checked before `httpMethod`: Function URL events from some front ends carry both.
        if event["version"]?.string == "2.0" || event["rawPath"]?.string != nil || context?["http"]?["method"]?.string != nil {
            return decodeV2(event)
        }
        if event["httpMethod"]?.string != nil {
            return decodeV1(event)
        }
        let keys = event.object!.prefix(8).map(\.0).joined(separator: ", ")
        throw EventDecodingError(message: "unrecognised event (keys: \(keys)); \(EventDecodingError.expected)")
    }

    // MARK: API Gateway REST API, payload 1.0

    static func decodeV1(_ event: JSON) -> HTTPRequest {
        let method = event["httpMethod"]?.string ?? ""
        let context = event["requestContext"]
        let rawPath = event["path"]?.string ?? context?["path"]?.string ?? "/"
        let multiValue = (event["multiValueHeaders"]?.object).map { !$0.isEmpty } ?? false
        var path = rawPath
        // `path` normally excludes the stage; when it equals requestContext.path it includes it.
        if let stage = context?["stage"]?.string, stage != "$default", rawPath == context?["path"]?.string {
            path = strip(stage: stage, from: rawPath)
        }
        let headers = mergedHeaders(single: event["headers"], multi: event["multiValueHeaders"])
        let query = mergedQuery(single: event["queryStringParameters"], multi: event["multiValueQueryStringParameters"], decode: false)
        return HTTPRequest(
            method: method, path: path.isEmpty ? "/" : path, rawPath: rawPath, headers: headers, query: query,
            cookies: cookies(fromHeaders: headers), body: body(of: event), sourceIP: context?["identity"]?["sourceIp"]?.string,
            requestID: context?["requestId"]?.string, shape: .apiGatewayV1(multiValue: multiValue)
        )
    }

    // MARK: API Gateway HTTP API payload 2.0, and Function URLs

    static func decodeV2(_ event: JSON) -> HTTPRequest {
        let context = event["requestContext"]
        let http = context?["http"]
        // The method lives in requestContext.http; a top-level httpMethod may be a front end's constant.
        let method = http?["method"]?.string ?? event["httpMethod"]?.string ?? ""
        let rawPath = event["rawPath"]?.string ?? http?["path"]?.string ?? "/"
        var path = PercentDecoding.decode(rawPath)
        if let stage = context?["stage"]?.string, stage != "$default", !stage.isEmpty {
            path = strip(stage: stage, from: path, exactMatchToo: true)
        }
        var headers = HTTPHeaders()
        for (name, value) in event["headers"]?.object ?? [] {
            if let text = value.scalarText { headers.add(name, text) }
        }
        var query: [(name: String, value: String)]
        if let raw = event["rawQueryString"]?.string, !raw.isEmpty {
            query = PercentDecoding.parseQuery(raw)
        } else {
            query = mergedQuery(single: event["queryStringParameters"], multi: nil, decode: false)
        }
        var cookies = (event["cookies"]?.array ?? []).compactMap(\.string)
        if cookies.isEmpty { cookies = EventDecoder.cookies(fromHeaders: headers) }
        let domain = context?["domainName"]?.string ?? ""
        let isFunctionURL = domain.contains(".lambda-url.") || context?["apiId"]?.isNull == true
        return HTTPRequest(
            method: method, path: path.isEmpty ? "/" : path, rawPath: rawPath, headers: headers, query: query,
            cookies: cookies, body: body(of: event), sourceIP: http?["sourceIp"]?.string,
            requestID: context?["requestId"]?.string, shape: isFunctionURL ? .functionURL : .apiGatewayV2
        )
    }

    // MARK: Application Load Balancer

    static func decodeALB(_ event: JSON) -> HTTPRequest {
        let multiValue = event["multiValueHeaders"]?.object != nil
        let rawPath = event["path"]?.string ?? "/"
        let headers = mergedHeaders(single: event["headers"], multi: event["multiValueHeaders"])
        // ALB passes the path and query as the client sent them, still percent-encoded.
        let query = mergedQuery(single: event["queryStringParameters"], multi: event["multiValueQueryStringParameters"], decode: true)
        let forwarded = headers["x-forwarded-for"]?.split(separator: ",").first.map { String($0.drop { $0 == " " }) }
        return HTTPRequest(
            method: event["httpMethod"]?.string ?? "", path: PercentDecoding.decode(rawPath), rawPath: rawPath,
            headers: headers, query: query, cookies: cookies(fromHeaders: headers), body: body(of: event),
            sourceIP: forwarded, requestID: nil, shape: .alb(multiValue: multiValue)
        )
    }

    // MARK: Shared pieces

    static func strip(stage: String, from path: String, exactMatchToo: Bool = false) -> String {
        let prefix = "/" + stage
        if path.hasPrefix(prefix + "/") { return String(path.dropFirst(prefix.count)) }
        if exactMatchToo, path == prefix { return "/" }
        return path
    }

    /// Headers from `multiValueHeaders` when present (they are a superset), else `headers`.
    static func mergedHeaders(single: JSON?, multi: JSON?) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let multi = multi?.object, !multi.isEmpty {
            for (name, values) in multi {
                if let list = values.array {
                    for v in list { if let text = v.scalarText { headers.add(name, text) } }
                } else if let text = values.scalarText {
                    headers.add(name, text)
                }
            }
        } else {
            for (name, value) in single?.object ?? [] {
                if let text = value.scalarText { headers.add(name, text) }
            }
        }
        return headers
    }

    static func mergedQuery(single: JSON?, multi: JSON?, decode: Bool) -> [(name: String, value: String)] {
        func d(_ s: String) -> String { decode ? PercentDecoding.decode(s, plusAsSpace: true) : s }
        var query: [(name: String, value: String)] = []
        if let multi = multi?.object, !multi.isEmpty {
            for (name, values) in multi {
                for v in values.array ?? [values] { if let text = v.scalarText { query.append((d(name), d(text))) } }
            }
        } else {
            for (name, value) in single?.object ?? [] {
                if let text = value.scalarText { query.append((d(name), d(text))) }
            }
        }
        return query
    }

    static func cookies(fromHeaders headers: HTTPHeaders) -> [String] {
        headers.values("cookie").flatMap { $0.split(separator: ";") }.map { String($0.drop { $0 == " " }) }.filter { !$0.isEmpty }
    }

    /// The body, base64-decoded when flagged. A flagged body that is not base64 (hand-written
    /// test events have them) is taken as the text it is, and the route judges it.
    static func body(of event: JSON) -> [UInt8] {
        guard let text = event["body"]?.string, !text.isEmpty else { return [] }
        let encoded = event["isBase64Encoded"]?.bool ?? (event["isBase64Encoded"]?.string == "true")
        guard encoded, let bytes = Base64.decode(text) else { return Array(text.utf8) }
        return bytes
    }
}
