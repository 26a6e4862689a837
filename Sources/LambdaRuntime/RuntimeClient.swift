#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CurlHTTP
import SimpleJSON
import Observability

/// The Runtime API's endpoints, each with its path.
public enum RuntimeEndpoint: Sendable {
    /// GET  /2018-06-01/runtime/invocation/next
    case next
    /// POST /2018-06-01/runtime/invocation/{id}/response
    case response(requestID: String)
    /// POST /2018-06-01/runtime/invocation/{id}/error
    case error(requestID: String)
    /// POST /2018-06-01/runtime/init/error
    case initError

    public var path: String {
        switch self {
        case .next: "/2018-06-01/runtime/invocation/next"
        case .response(let id): "/2018-06-01/runtime/invocation/\(id)/response"
        case .error(let id): "/2018-06-01/runtime/invocation/\(id)/error"
        case .initError: "/2018-06-01/runtime/init/error"
        }
    }
}

/// One event to handle.
public struct Invocation: Sendable {
    public var context: InvocationContext
    public var event: [UInt8]

    public init(context: InvocationContext, event: [UInt8]) {
        self.context = context
        self.event = event
    }
}

/// The seam the run loop drives; the real client talks HTTP to Lambda.
public protocol RuntimeAPIClient {
    func nextInvocation() throws(RuntimeError) -> Invocation
    func sendResponse(_ body: [UInt8], for requestID: String) throws(RuntimeError)
    func sendError(_ error: InvocationError, for requestID: String) throws(RuntimeError)
    func sendInitError(_ error: InvocationError) throws(RuntimeError)
}

/// The Lambda Runtime API over one reused libcurl connection.
public final class RuntimeClient: RuntimeAPIClient {
    /// Largest synchronous response Lambda accepts (6 MB).
    public static let maxResponseBytes = 6 * 1024 * 1024

    private let http: HTTPClient
    private let base: String
    private let logger: Logger
    /// Pause after a failed poll; doubles up to `maxBackoffMilliseconds`.
    private let initialBackoffMilliseconds = 10
    private let maxBackoffMilliseconds = 1000

    /// - Parameter runtimeAPI: the value of `AWS_LAMBDA_RUNTIME_API`, `host:port` on Lambda
    ///   and possibly `host:port/some/path` elsewhere, so it is prefixed, never parsed.
    public init(runtimeAPI: String, logger: Logger) {
        self.http = HTTPClient(caBundle: nil)
        self.base = "http://" + (runtimeAPI.hasSuffix("/") ? String(runtimeAPI.dropLast()) : runtimeAPI)
        self.logger = logger
    }

    public convenience init(environment: [String: String], logger: Logger) throws(RuntimeError) {
        guard let api = environment["AWS_LAMBDA_RUNTIME_API"], !api.isEmpty else {
            throw RuntimeError(.missingRuntimeAPI, "AWS_LAMBDA_RUNTIME_API is not set: run this bootstrap under Lambda or a Runtime API emulator (make run)")
        }
        self.init(runtimeAPI: api, logger: logger)
    }

    public func url(_ endpoint: RuntimeEndpoint) -> String { base + endpoint.path }

    /// Waits for the next event with no timeout. A 408 (an idle poll timed out) polls
    /// again at once; connection failures and 5xx poll again after a growing pause.
    public func nextInvocation() throws(RuntimeError) -> Invocation {
        var backoff = initialBackoffMilliseconds
        var failures = 0
        while true {
            do {
                let response = try http.send(HTTPClientRequest(method: "GET", url: url(.next)))
                switch response.status {
                case 200:
                    let context = try InvocationContext(headers: response.header)
                    return Invocation(context: context, event: response.body)
                case 408:
                    continue
                case 500...599:
                    logger.warn("Runtime API /next answered \(response.status); polling again")
                default:
                    throw RuntimeError(.unexpectedStatus(response.status), "Runtime API /next answered HTTP \(response.status)")
                }
            } catch let error as RuntimeError {
                throw error
            } catch {
                failures += 1
                // A runtime that cannot reach its API for this long has lost its sandbox.
                if failures > 50 { throw RuntimeError(.transport, "Runtime API unreachable: \(error)") }
                logger.warn("Runtime API /next failed: \(error); polling again")
            }
            usleep(useconds_t(backoff * 1000))
            backoff = min(backoff * 2, maxBackoffMilliseconds)
        }
    }

    public func sendResponse(_ body: [UInt8], for requestID: String) throws(RuntimeError) {
        try post(.response(requestID: requestID), body: body, headers: [("Content-Type", "application/json")])
    }

    public func sendError(_ error: InvocationError, for requestID: String) throws(RuntimeError) {
        try post(.error(requestID: requestID), body: RuntimeClient.errorBody(error),
                 headers: [("Content-Type", "application/json"), ("Lambda-Runtime-Function-Error-Type", error.errorType)])
    }

    /// Reports a failed start-up. Bounded in time: the process exits right after, whatever the answer.
    public func sendInitError(_ error: InvocationError) throws(RuntimeError) {
        try post(.initError, body: RuntimeClient.errorBody(error),
                 headers: [("Content-Type", "application/json"), ("Lambda-Runtime-Function-Error-Type", error.errorType)],
                 timeoutMilliseconds: 2000, attempts: 1)
    }

    static func errorBody(_ error: InvocationError) -> [UInt8] {
        JSON.object([
            ("errorMessage", .string(error.errorMessage)),
            ("errorType", .string(error.errorType)),
            ("stackTrace", .array(error.stackTrace.map(JSON.string))),
        ]).bytes()
    }

    /// Posts, retrying connection failures twice; Lambda answers 202 and emulators 200, so any 2xx is success.
    private func post(_ endpoint: RuntimeEndpoint, body: [UInt8], headers: [(String, String)],
                      timeoutMilliseconds: Int? = nil, attempts: Int = 3) throws(RuntimeError) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try http.send(HTTPClientRequest(method: "POST", url: url(endpoint), headers: headers, body: body,
                                                                 timeoutMilliseconds: timeoutMilliseconds))
                guard (200..<300).contains(response.status) else {
                    let detail = String(decoding: response.body.prefix(300), as: UTF8.self)
                    throw RuntimeError(.unexpectedStatus(response.status), "Runtime API \(endpoint.path) answered HTTP \(response.status): \(detail)")
                }
                return
            } catch let error as RuntimeError {
                throw error
            } catch {
                if attempt >= attempts { throw RuntimeError(.transport, "Runtime API \(endpoint.path) unreachable: \(error)") }
                usleep(useconds_t(initialBackoffMilliseconds * attempt * 1000))
            }
        }
    }
}
