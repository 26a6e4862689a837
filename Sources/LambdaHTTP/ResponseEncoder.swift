import SimpleJSON

/// Encodes an `HTTPResponse` in the shape of the event the request came in.
public enum ResponseEncoder {
    public static func encode(_ response: HTTPResponse, for shape: EventShape) -> JSON {
        let (body, isBase64) = encodeBody(response)
        var members: [(String, JSON)] = [("statusCode", .number(Double(response.status)))]
        switch shape {
        case .apiGatewayV1(let multiValue):
            // REST APIs merge both maps, multiValueHeaders winning for a name in both; repeated
            // names (Set-Cookie) need it, and a request that used it gets it back.
            members.append(("headers", singleValueHeaders(response.headers, join: false)))
            if multiValue || hasRepeatedNames(response.headers) {
                members.append(("multiValueHeaders", multiValueHeaders(response.headers)))
            }
        case .apiGatewayV2, .functionURL:
            // Payload 2.0 has no repeated headers: Set-Cookie moves to `cookies`, which
            // Function URLs require to be present even when empty; others are comma-joined.
            var headers = response.headers
            let cookies = headers.values("set-cookie")
            headers.remove("set-cookie")
            members.append(("headers", singleValueHeaders(headers, join: true)))
            members.append(("cookies", .array(cookies.map(JSON.string))))
        case .alb:
            // ALB wants the status line's text. It reads `multiValueHeaders` when the target group
            // has multi-value headers on and `headers` otherwise, ignoring the other: both are sent,
            // as aws-lambda-rust-runtime does, so a mode the event did not reveal still gets its map.
            members.append(("statusDescription", .string("\(response.status) \(reasonPhrase(response.status))")))
            members.append(("headers", singleValueHeaders(response.headers, join: false)))
            members.append(("multiValueHeaders", multiValueHeaders(response.headers)))
        }
        members.append(("body", .string(body)))
        members.append(("isBase64Encoded", .bool(isBase64)))
        return .object(members)
    }

    public static func encodeBytes(_ response: HTTPResponse, for shape: EventShape) -> [UInt8] {
        encode(response, for: shape).bytes()
    }

    /// Bodies go as text when their content type is textual and the bytes are UTF-8, else base64.
    static func encodeBody(_ response: HTTPResponse) -> (String, Bool) {
        if response.body.isEmpty { return ("", false) }
        let type = (response.headers["content-type"] ?? "").lowercased()
        let textual = type.isEmpty || type.hasPrefix("text/") || type.contains("json") || type.contains("xml")
            || type.contains("javascript") || type.hasPrefix("application/x-www-form-urlencoded")
        if textual, let text = String(validating: response.body, as: UTF8.self) {
            return (text, false)
        }
        return (Base64.encode(response.body), true)
    }

    static func hasRepeatedNames(_ headers: HTTPHeaders) -> Bool {
        var seen = Set<String>()
        for (name, _) in headers where !seen.insert(name.lowercased()).inserted { return true }
        return false
    }

    static func singleValueHeaders(_ headers: HTTPHeaders, join: Bool) -> JSON {
        var members: [(String, JSON)] = []
        for (name, value) in headers {
            let lowered = name.lowercased()
            if let i = members.firstIndex(where: { $0.0.lowercased() == lowered }) {
                members[i].1 = join ? .string((members[i].1.string ?? "") + ", " + value) : .string(value)
            } else {
                members.append((name, .string(value)))
            }
        }
        return .object(members)
    }

    static func multiValueHeaders(_ headers: HTTPHeaders) -> JSON {
        var members: [(String, [JSON])] = []
        for (name, value) in headers {
            let lowered = name.lowercased()
            if let i = members.firstIndex(where: { $0.0.lowercased() == lowered }) {
                members[i].1.append(.string(value))
            } else {
                members.append((name, [.string(value)]))
            }
        }
        return .object(members.map { ($0.0, JSON.array($0.1)) })
    }
}
