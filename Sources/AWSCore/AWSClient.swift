#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CurlHTTP
import Observability

/// Where a service is reached: `scheme://host[:port]` plus an optional base path.
public struct AWSEndpoint: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var basePath: String
    /// True when the user set an endpoint (`AWS_ENDPOINT_URL…`): S3 then uses path-style addressing.
    public var isCustom: Bool

    public init(url: String, isCustom: Bool) {
        var rest = Substring(url)
        if let r = url.range(of: "://") {
            scheme = String(url[..<r.lowerBound]).lowercased()
            rest = url[r.upperBound...]
        } else {
            scheme = "https"
        }
        if let slash = rest.firstIndex(of: "/") {
            host = String(rest[..<slash])
            var path = String(rest[slash...])
            while path.hasSuffix("/") { path.removeLast() }
            basePath = path
        } else {
            host = String(rest)
            basePath = ""
        }
        self.isCustom = isCustom
    }

    public var origin: String { "\(scheme)://\(host)" }

    /// The endpoint for a service, honouring `AWS_ENDPOINT_URL_<SERVICE>` then `AWS_ENDPOINT_URL`.
    /// - Parameters:
    ///   - serviceID: the SDK service id, e.g. `S3`, `DynamoDB`, `Bedrock Runtime`.
    ///   - hostPrefix: the default host's first label, e.g. `s3`, `dynamodb`, `bedrock-runtime`.
    public static func resolve(serviceID: String, hostPrefix: String, region: String, environment: [String: String]) -> AWSEndpoint {
        let key = "AWS_ENDPOINT_URL_" + serviceID.uppercased().map { $0 == " " || $0 == "-" ? "_" : $0 }.reduce("") { $0 + String($1) }
        if let url = environment[key], !url.isEmpty { return AWSEndpoint(url: url, isCustom: true) }
        if let url = environment["AWS_ENDPOINT_URL"], !url.isEmpty { return AWSEndpoint(url: url, isCustom: true) }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return AWSEndpoint(url: "https://\(hostPrefix).\(region).\(suffix)", isCustom: false)
    }
}

/// One AWS API call before signing.
public struct AWSRequest: Sendable {
    public var method: String
    public var endpoint: AWSEndpoint
    /// The path as it goes on the wire, percent-encoded, without the endpoint's base path.
    public var path: String
    public var query: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Overrides the endpoint's host (S3 virtual-hosted buckets).
    public var host: String?

    public init(method: String, endpoint: AWSEndpoint, path: String, query: String = "", headers: [(String, String)] = [],
                body: [UInt8] = [], host: String? = nil)
    {
        self.method = method
        self.endpoint = endpoint
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.host = host
    }
}

/// Signed AWS calls over one reused HTTPS connection, with the SDKs' standard
/// retries: throttling, 5xx and transport errors retried with exponential backoff
/// and full jitter, a bounded number of attempts, never past the caller's deadline.
public final class AWSClient {
    public let http: HTTPClient
    public let credentials: CredentialProvider
    public var logger: Logger
    /// Attempts per call, first included (`AWS_MAX_ATTEMPTS`, default 3).
    public var maxAttempts: Int
    /// Base of the exponential backoff, in milliseconds.
    public var backoffBaseMilliseconds = 100
    public var maxBackoffMilliseconds = 20_000
    /// Per-attempt timeout when the caller gives none.
    public var defaultTimeoutMilliseconds = 10_000
    /// The current invocation's deadline (epoch ms), set by the run loop before each event:
    /// calls that name no deadline of their own (memory reads and writes) stop retrying,
    /// and time out, `invocationMarginMilliseconds` before it.
    public var invocationDeadlineMilliseconds: Int64?
    public var invocationMarginMilliseconds: Int64 = 300

    public init(http: HTTPClient, credentials: CredentialProvider, logger: Logger, environment: [String: String]) {
        self.http = http
        self.credentials = credentials
        self.logger = logger
        self.maxAttempts = environment["AWS_MAX_ATTEMPTS"].flatMap { Int($0) }.map { max(1, min($0, 10)) } ?? 3
    }

    /// Sends `request`, signed by `signer` (or with `bearerToken`), retrying what is worth retrying.
    /// - Parameters:
    ///   - deadlineMilliseconds: epoch ms after which no attempt may still be running.
    ///   - timeoutMilliseconds: the longest a single attempt may take.
    /// - Returns: the first 2xx (or 3xx) response.
    /// - Throws: the last error, decoded, when attempts run out or the error is final.
    public func send(_ request: AWSRequest, signer: SigV4Signer, bearerToken: String? = nil,
                     deadlineMilliseconds: Int64? = nil, timeoutMilliseconds: Int? = nil) throws(AWSError) -> HTTPClientResponse
    {
        let deadlineMilliseconds = deadlineMilliseconds ?? invocationDeadlineMilliseconds.map { $0 - invocationMarginMilliseconds }
        var attempt = 0
        while true {
            attempt += 1
            var timeout = timeoutMilliseconds ?? defaultTimeoutMilliseconds
            if let deadline = deadlineMilliseconds {
                let left = Int(deadline - WallClock.nowMilliseconds())
                if left <= 0 {
                    throw AWSError(kind: .deadline, code: "DeadlineExceeded", message: "no time left before the invocation's deadline")
                }
                timeout = min(timeout, left)
            }
            let result = attemptOnce(request, signer: signer, bearerToken: bearerToken, timeoutMilliseconds: timeout)
            let error: AWSError
            switch result {
            case .success(let response): return response
            case .failure(let e): error = e
            }
            if error.kind == .transport, error.code == "Timeout", let deadline = deadlineMilliseconds,
               WallClock.nowMilliseconds() >= deadline - 5
            {
                throw AWSError(kind: .deadline, code: "DeadlineExceeded", message: "the call did not finish before the invocation's deadline")
            }
            if error.code == "ExpiredToken" || error.code == "ExpiredTokenException" { credentials.invalidate() }
            guard error.isRetryable, attempt < maxAttempts else { throw error }
            let ceiling = min(maxBackoffMilliseconds, backoffBaseMilliseconds << min(attempt, 16))
            let delay = Int.random(in: 0...ceiling)
            if let deadline = deadlineMilliseconds, WallClock.nowMilliseconds() + Int64(delay) + 50 >= deadline {
                throw error  // another try could not finish in time
            }
            logger.warn("AWS call failed, retrying", [("code", .string(error.code)), ("attempt", .number(Double(attempt))),
                                                       ("delayMs", .number(Double(delay)))])
            usleep(useconds_t(delay * 1000))
        }
    }

    private func attemptOnce(_ request: AWSRequest, signer: SigV4Signer, bearerToken: String?,
                             timeoutMilliseconds: Int) -> Result<HTTPClientResponse, AWSError>
    {
        let host = request.host ?? request.endpoint.host
        let path = request.endpoint.basePath + (request.path.isEmpty ? "/" : request.path)
        var headers = request.headers
        headers.append(("Host", host))
        if let bearerToken {
            headers.append(("Authorization", "Bearer \(bearerToken)"))
        } else {
            let creds: AWSCredentials
            do {
                creds = try credentials.credentials()
            } catch {
                return .failure(error)
            }
            let signable = SignableRequest(method: request.method, path: path, query: request.query, headers: headers, body: request.body)
            headers = signer.sign(signable, credentials: creds, amzDate: AWSClient.amzDate()).headers
        }
        let url = "\(request.endpoint.scheme)://\(host)\(path)" + (request.query.isEmpty ? "" : "?\(request.query)")
        do {
            let response = try http.send(HTTPClientRequest(method: request.method, url: url, headers: headers, body: request.body,
                                                           timeoutMilliseconds: timeoutMilliseconds))
            if (200..<400).contains(response.status) { return .success(response) }
            return .failure(AWSError.decode(response))
        } catch {
            return .failure(AWSError(kind: .transport, code: error.kind == .timeout ? "Timeout" : "NetworkError", message: error.description))
        }
    }

    /// The current time as SigV4 wants it: `yyyyMMdd'T'HHmmss'Z'`.
    public static func amzDate(epochSeconds: Int = Int(time(nil))) -> String {
        let f = WallClock.utcFields(epochSeconds: epochSeconds)
        return "\(f.year)\(f.month)\(f.day)T\(f.hour)\(f.minute)\(f.second)Z"
    }
}
