import LambdaHTTP
import LambdaRuntime
import Observability
import SimpleJSON
import TwinCore

/// What a route handler knows about the invocation serving it.
public struct RequestContext: Sendable {
    public var logger: Logger
    public var deadlineMilliseconds: Int64?

    public init(logger: Logger, deadlineMilliseconds: Int64? = nil) {
        self.logger = logger
        self.deadlineMilliseconds = deadlineMilliseconds
    }
}

/// The twin's HTTP API, a drop-in for the Python twin's FastAPI app:
/// `GET /`, `GET /health`, `POST /chat`, `GET|DELETE /conversation/{session_id}`.
public final class TwinApp {
    public let twin: Twin
    public let cors: CORSPolicy
    private var router = Router<RequestContext>()

    public init(twin: Twin) {
        self.twin = twin
        self.cors = CORSPolicy(originList: twin.config.corsOrigins)
        router.add("GET", "/") { [unowned self] _, _, _ in .json(self.rootInfo) }
        router.add("GET", "/health") { [unowned self] _, _, _ in .json(self.healthInfo) }
        router.add("GET", "/models") { [unowned self] _, _, _ in .json(self.modelList) }
        router.add("POST", "/chat") { [unowned self] request, _, context throws(HTTPError) in try self.chat(request, context) }
        router.add("GET", "/conversation/{session_id+}") { [unowned self] _, parameters, _ throws(HTTPError) in
            try self.conversation(parameters["session_id"] ?? "")
        }
        router.add("DELETE", "/conversation/{session_id+}") { [unowned self] _, parameters, _ throws(HTTPError) in
            try self.deleteConversation(parameters["session_id"] ?? "")
        }
    }

    // MARK: The per-invocation path

    /// Event bytes in, response bytes out: decode the event, route, encode in the event's shape.
    /// An event that is not an HTTP request is an invocation error, not an HTTP response.
    public func handle(_ invocation: Invocation, logger: Logger) -> InvocationResult {
        let request: HTTPRequest
        do {
            request = try EventDecoder.decode(invocation.event)
        } catch {
            return .failure(InvocationError(type: "InvalidEvent", message: error.message))
        }
        let context = RequestContext(logger: logger, deadlineMilliseconds: invocation.context.deadlineMilliseconds)
        let response = handle(request, context: context)
        return .success(ResponseEncoder.encodeBytes(response, for: request.shape))
    }

    /// Routes one request: CORS preflight, the route, errors as `{"detail": ...}`, CORS headers on every answer.
    public func handle(_ request: HTTPRequest, context: RequestContext) -> HTTPResponse {
        let started = WallClock.nowMilliseconds()
        var response: HTTPResponse
        if let preflight = cors.preflightResponse(for: request) {
            response = preflight
        } else {
            do {
                response = try router.respond(to: request, context: context)
            } catch {
                if error.status >= 500 {
                    context.logger.error("request failed: \(error.detail)", [("cause", .string(error.logMessage ?? error.detail))])
                }
                response = error.response
            }
            cors.apply(to: &response, for: request)
        }
        if request.method == "HEAD" { response.body = [] }
        context.logger.info("\(request.method) \(request.path) \(response.status)", [
            ("method", .string(request.method)), ("path", .string(request.path)), ("status", .number(Double(response.status))),
            ("event", .string(request.shape.name)), ("durationMs", .number(Double(WallClock.nowMilliseconds() - started))),
        ])
        return response
    }

    // MARK: Routes

    var rootInfo: JSON {
        [
            "message": "AI Digital Twin API (Powered by AWS Bedrock)",
            "memory_enabled": true,
            "storage": .string(twin.store.storageName),
            "ai_model": .string(twin.config.modelID),
        ]
    }

    var healthInfo: JSON {
        [
            "status": "healthy",
            "use_s3": .bool(twin.config.usesS3),
            "storage": .string(twin.store.storageName),
            "bedrock_model": .string(twin.config.modelID),
        ]
    }

    /// The model catalog, with what this deployment lets a request choose.
    var modelList: JSON {
        let config = twin.config
        var ids = ModelCatalog.models.map(\.id)
        for id in config.selectableModels where !ids.contains(id) { ids.append(id) }
        return [
            "default": .string(config.modelID),
            "region": .string(config.bedrockRegion),
            "models": .array(ids.map { id in
                let info = ModelCatalog.info(id)
                return [
                    "id": .string(id),
                    "name": .optional(info?.name),
                    "provider": .optional(info?.provider),
                    "inference_profile": .optional(info?.requiresProfile == true ? ModelCatalog.inferenceProfileID(for: id, region: config.bedrockRegion) : nil),
                    "input_per_1k_usd": info.map { .number($0.inputPer1K) } ?? .null,
                    "output_per_1k_usd": info.map { .number($0.outputPer1K) } ?? .null,
                    "allowed": .bool(config.selectableModels.contains(id)),
                ]
            }),
        ]
    }

    /// Longest message accepted, in characters.
    static let maxMessageCharacters = 100_000

    func chat(_ request: HTTPRequest, _ context: RequestContext) throws(HTTPError) -> HTTPResponse {
        let body = try ChatRequestBody(bytes: request.body)
        do {
            let result = try twin.chat(message: body.message, sessionID: body.sessionID, modelID: body.model,
                                       deadlineMilliseconds: context.deadlineMilliseconds, logger: context.logger)
            return .json([
                "response": .string(result.response),
                "session_id": .string(result.sessionID.value),
                "model": .string(result.completion.modelID),
                "usage": [
                    "inputTokens": .number(Double(result.completion.inputTokens)),
                    "outputTokens": .number(Double(result.completion.outputTokens)),
                ],
                "estimated_cost_usd": result.estimatedCostUSD.map { .number($0) } ?? .null,
            ])
        } catch {
            throw HTTPError(error)
        }
    }

    func conversation(_ sessionID: String) throws(HTTPError) -> HTTPResponse {
        do {
            let (session, messages) = try twin.conversation(sessionID)
            return .json(["session_id": .string(session.value), "messages": .array(messages.map(\.json))])
        } catch {
            throw HTTPError(error)
        }
    }

    func deleteConversation(_ sessionID: String) throws(HTTPError) -> HTTPResponse {
        let outcome: (SessionID, Bool)
        do {
            outcome = try twin.deleteConversation(sessionID)
        } catch {
            throw HTTPError(error)
        }
        guard outcome.1 else { throw HTTPError(404, "no conversation stored for this session_id") }
        return .json(["session_id": .string(outcome.0.value), "deleted": true])
    }
}

extension HTTPError {
    init(_ error: TwinError) {
        self.init(error.status, error.detail, logMessage: error.logMessage)
    }
}
