/// AWS credentials. `description` never shows the secret or the token.
public struct AWSCredentials: Sendable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// Epoch seconds after which these must be refreshed; nil for long-lived keys.
    public var expiration: Int64?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Int64? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String { "AWSCredentials(accessKeyID: \(accessKeyID), secret: <redacted>)" }
}

/// A request to sign: method, the path as it goes on the wire (already percent-encoded),
/// the raw query string, headers and body.
public struct SignableRequest: Sendable {
    public var method: String
    public var path: String
    public var query: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, path: String, query: String = "", headers: [(String, String)], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// The intermediate and final results of signing, for tests and debugging.
public struct SigV4Result: Sendable {
    public var canonicalRequest: String
    public var stringToSign: String
    public var signature: String
    public var authorization: String
    /// The headers to send: the originals plus X-Amz-Date, the session token, the payload hash and Authorization.
    public var headers: [(String, String)]
}

/// AWS Signature Version 4 for any service, header-signed.
///
/// Paths are canonicalised the way the SDKs do: every service but S3 URI-encodes
/// the wire path once more (a Bedrock `/model/a%3A0/converse` is signed as
/// `%253A`) and removes dot segments; S3 signs the wire path as is.
public struct SigV4Signer: Sendable {
    public var service: String
    public var region: String
    /// S3's rules: single encoding, no normalisation, and an `x-amz-content-sha256` header.
    public var s3Rules: Bool
    /// Adds `x-amz-content-sha256` for services other than S3 too.
    public var signPayloadHeader: Bool
    /// Sends the session token unsigned, added after signing (some services want that).
    public var omitSessionTokenFromSignature: Bool
    public var normalizePath: Bool

    public init(service: String, region: String, s3Rules: Bool? = nil, signPayloadHeader: Bool = false,
                omitSessionTokenFromSignature: Bool = false, normalizePath: Bool? = nil)
    {
        self.service = service
        self.region = region
        self.s3Rules = s3Rules ?? (service == "s3")
        self.signPayloadHeader = signPayloadHeader
        self.omitSessionTokenFromSignature = omitSessionTokenFromSignature
        self.normalizePath = normalizePath ?? !(s3Rules ?? (service == "s3"))
    }

    /// Signs `request` at `date` (`yyyyMMdd'T'HHmmss'Z'`).
    public func sign(_ request: SignableRequest, credentials: AWSCredentials, amzDate: String) -> SigV4Result {
        let dateStamp = String(amzDate.prefix(8))
        let payloadHash = request.body.isEmpty ? Crypto.emptySHA256Hex : Crypto.hex(Crypto.sha256(request.body))

        var headers = request.headers
        headers.append(("X-Amz-Date", amzDate))
        if s3Rules || signPayloadHeader { headers.append(("X-Amz-Content-Sha256", payloadHash)) }
        if let token = credentials.sessionToken, !omitSessionTokenFromSignature {
            headers.append(("X-Amz-Security-Token", token))
        }

        let (canonicalHeaders, signedHeaders) = SigV4Signer.canonicalHeaders(headers)
        let canonicalRequest = [
            request.method.uppercased(),
            canonicalPath(request.path),
            SigV4Signer.canonicalQuery(request.query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(dateStamp)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Crypto.hex(Crypto.sha256(Array(canonicalRequest.utf8))))"

        var key = Crypto.hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), data: Array(dateStamp.utf8))
        key = Crypto.hmacSHA256(key: key, data: Array(region.utf8))
        key = Crypto.hmacSHA256(key: key, data: Array(service.utf8))
        key = Crypto.hmacSHA256(key: key, data: Array("aws4_request".utf8))
        let signature = Crypto.hex(Crypto.hmacSHA256(key: key, data: Array(stringToSign.utf8)))

        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        if let token = credentials.sessionToken, omitSessionTokenFromSignature {
            headers.append(("X-Amz-Security-Token", token))
        }
        headers.append(("Authorization", authorization))
        return SigV4Result(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
                           authorization: authorization, headers: headers)
    }

    // MARK: Canonical forms

    func canonicalPath(_ path: String) -> String {
        let p = path.isEmpty ? "/" : path
        if s3Rules { return p }
        return SigV4Signer.uriEncode(normalizePath ? SigV4Signer.removeDotSegments(p) : p, keepSlash: true)
    }

    /// Removes `.`/`..` segments and empty segments; keeps a trailing slash.
    static func removeDotSegments(_ path: String) -> String {
        var out: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { _ = out.popLast(); continue }
            out.append(segment)
        }
        var result = "/" + out.joined(separator: "/")
        if path.hasSuffix("/"), !out.isEmpty { result += "/" }
        return result
    }

    /// Sorted `name=value` pairs, each part decoded then strictly re-encoded.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring, value: Substring
            if let eq = part.firstIndex(of: "=") {
                name = part[..<eq]
                value = part[part.index(after: eq)...]
            } else {
                name = part
                value = ""
            }
            pairs.append((uriEncode(percentDecode(name), keepSlash: false), uriEncode(percentDecode(value), keepSlash: false)))
        }
        pairs.sort { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Lower-cased names, sorted; values trimmed with inner runs of whitespace collapsed; repeats comma-joined.
    static func canonicalHeaders(_ headers: [(String, String)]) -> (String, String) {
        var merged: [(String, String)] = []
        for (name, value) in headers {
            let n = name.lowercased()
            let v = collapseWhitespace(value)
            if let i = merged.firstIndex(where: { $0.0 == n }) {
                merged[i].1 += "," + v
            } else {
                merged.append((n, v))
            }
        }
        merged.sort { $0.0 < $1.0 }
        let canonical = merged.map { "\($0.0):\($0.1)\n" }.joined()
        return (canonical, merged.map(\.0).joined(separator: ";"))
    }

    static func collapseWhitespace(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for c in value {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(c)
            }
        }
        return out
    }

    /// RFC 3986 encoding: everything but `A-Z a-z 0-9 - . _ ~` (and `/` when kept) as `%XX`.
    public static func uriEncode(_ text: some StringProtocol, keepSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(c)
            case UInt8(ascii: "/") where keepSlash:
                out.append(c)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func percentDecode(_ text: Substring) -> String {
        guard text.contains("%") || text.contains("+") else { return String(text) }
        var out: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        func hexValue(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - 55
            default: nil
            }
        }
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count, let h = hexValue(utf8[i + 1]), let l = hexValue(utf8[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
