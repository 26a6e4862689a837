import AWSCore
import Observability
import SimpleJSON
import TwinCore

/// The chat model on Amazon Bedrock's Converse API
/// (`POST /model/{modelId}/converse`, signed for service `bedrock`).
///
/// It sends the persona in `system`, the history repaired to alternate
/// user/assistant, then the new message. A bare model id that Bedrock will only
/// serve through an inference profile is retried once with the region's
/// geography prefix, and the profile id is remembered for the process's life.
/// Throttled or unavailable models fall back to `fallbackModels` in order.
public final class BedrockChatModel: ChatModel {
    public struct Options: Sendable {
        public var modelID: String
        public var region: String
        public var maxTokens: Int
        public var temperature: Double
        public var topP: Double
        public var fallbackModels: [String]
        /// Per-call timeout; the invocation's remaining time lowers it.
        public var timeoutMilliseconds: Int
        /// Kept free before the invocation's deadline to answer 504 in time.
        public var deadlineMarginMilliseconds: Int

        public init(modelID: String, region: String, maxTokens: Int = 2000, temperature: Double = 0.7, topP: Double = 0.9,
                    fallbackModels: [String] = [], timeoutMilliseconds: Int = 60_000, deadlineMarginMilliseconds: Int = 1000)
        {
            self.modelID = modelID
            self.region = region
            self.maxTokens = maxTokens
            self.temperature = temperature
            self.topP = topP
            self.fallbackModels = fallbackModels
            self.timeoutMilliseconds = timeoutMilliseconds
            self.deadlineMarginMilliseconds = deadlineMarginMilliseconds
        }
    }

    public let options: Options
    private let client: AWSClient
    private let endpoint: AWSEndpoint
    private let signer: SigV4Signer
    private let bearerToken: String?
    private let logger: Logger
    /// Bare model id -> inference profile id, learned from Bedrock's answers.
    private var profileFor: [String: String] = [:]

    public init(options: Options, client: AWSClient, environment: [String: String], logger: Logger) {
        self.options = options
        self.client = client
        self.endpoint = AWSEndpoint.resolve(serviceID: "Bedrock Runtime", hostPrefix: "bedrock-runtime", region: options.region,
                                            environment: environment)
        self.signer = SigV4Signer(service: "bedrock", region: options.region)
        let token = environment["AWS_BEARER_TOKEN_BEDROCK"] ?? ""
        self.bearerToken = token.isEmpty ? nil : token
        self.logger = logger
        // Models the catalog knows to need a profile skip the doomed bare-id request.
        for model in [options.modelID] + options.fallbackModels where ModelCatalog.info(model)?.requiresProfile == true {
            if let profile = ModelCatalog.inferenceProfileID(for: model, region: options.region) { profileFor[model] = profile }
        }
    }

    public func complete(_ prompt: ChatPrompt) throws(TwinError) -> ChatCompletion {
        let deadline = prompt.deadlineMilliseconds.map { $0 - Int64(options.deadlineMarginMilliseconds) }
        let candidates = [prompt.modelID ?? options.modelID] + options.fallbackModels.filter { $0 != (prompt.modelID ?? options.modelID) }
        let body = BedrockChatModel.requestBody(prompt, options: options)
        var lastError: AWSError?
        for (index, model) in candidates.enumerated() {
            do {
                return try converse(model: model, body: body, deadline: deadline)
            } catch {
                lastError = error
                let canFallBack = error.isThrottling || BedrockChatModel.unavailableCodes.contains(error.code)
                guard canFallBack, index + 1 < candidates.count else { break }
                logger.warn("model unavailable, falling back", [("model", .string(model)), ("code", .string(error.code)),
                                                                 ("fallback", .string(candidates[index + 1]))])
            }
        }
        throw BedrockChatModel.clientError(lastError!)
    }

    static let unavailableCodes: Set<String> = [
        "ServiceUnavailableException", "ModelNotReadyException", "InternalServerException", "ModelTimeoutException",
    ]

    /// One model: its remembered profile if any; a profile retry when Bedrock asks for one.
    private func converse(model: String, body: [UInt8], deadline: Int64?) throws(AWSError) -> ChatCompletion {
        let effective = profileFor[model] ?? model
        do {
            return try send(modelID: effective, body: body, deadline: deadline)
        } catch {
            guard error.code == "ValidationException", BedrockChatModel.needsInferenceProfile(error.message),
                  effective == model, let profile = ModelCatalog.inferenceProfileID(for: model, region: options.region)
            else { throw error }
            let completion = try send(modelID: profile, body: body, deadline: deadline)
            profileFor[model] = profile
            logger.info("model needs an inference profile; using it from now on", [("model", .string(model)), ("profile", .string(profile))])
            return completion
        }
    }

    private func send(modelID: String, body: [UInt8], deadline: Int64?) throws(AWSError) -> ChatCompletion {
        let path = "/model/\(SigV4Signer.uriEncode(modelID, keepSlash: false))/converse"
        let request = AWSRequest(method: "POST", endpoint: endpoint, path: path,
                                 headers: [("Content-Type", "application/json"), ("Accept", "application/json")], body: body)
        let response = try client.send(request, signer: signer, bearerToken: bearerToken, deadlineMilliseconds: deadline,
                                       timeoutMilliseconds: options.timeoutMilliseconds)
        guard let json = try? JSON.parse(response.body),
              let content = json["output"]?["message"]?["content"]?.array
        else {
            throw AWSError(kind: .service, code: "InvalidResponse", message: "Converse answered without output.message.content", status: response.status)
        }
        let text = content.compactMap { $0["text"]?.string }.joined()
        return ChatCompletion(text: text, modelID: modelID, inputTokens: json["usage"]?["inputTokens"]?.int ?? 0,
                              outputTokens: json["usage"]?["outputTokens"]?.int ?? 0)
    }

    // MARK: Request shape

    /// The Converse body: `system`, alternating `messages` ending with the new user turn, `inferenceConfig`.
    public static func requestBody(_ prompt: ChatPrompt, options: Options) -> [UInt8] {
        let turns = alternatingTurns(prompt.history, then: prompt.userMessage)
        var members: [(String, JSON)] = []
        if !prompt.system.isEmpty { members.append(("system", [["text": .string(prompt.system)]])) }
        members.append(("messages", .array(turns.map { turn in
            ["role": .string(turn.role.rawValue), "content": [["text": .string(turn.text)]]]
        })))
        members.append(("inferenceConfig", [
            "maxTokens": .number(Double(options.maxTokens)),
            "temperature": .number(options.temperature),
            "topP": .number(options.topP),
        ]))
        return JSON.object(members).bytes()
    }

    public struct Turn: Equatable, Sendable {
        public var role: Message.Role
        public var text: String
    }

    /// Converse wants turns that start with `user` and alternate. Stored history may not
    /// (a failed turn, a hand-edited file): blank messages are dropped, leading assistant
    /// turns dropped, consecutive same-role turns merged, and a trailing user turn merged
    /// into the new message.
    public static func alternatingTurns(_ history: [Message], then userMessage: String) -> [Turn] {
        var turns: [Turn] = []
        for m in history where m.content.contains(where: { !$0.isWhitespace }) {
            if turns.isEmpty && m.role == .assistant { continue }
            if let last = turns.last, last.role == m.role {
                turns[turns.count - 1].text += "\n\n" + m.content
            } else {
                turns.append(Turn(role: m.role, text: m.content))
            }
        }
        if let last = turns.last, last.role == .user {
            turns[turns.count - 1].text += "\n\n" + userMessage
        } else {
            turns.append(Turn(role: .user, text: userMessage))
        }
        return turns
    }

    // MARK: Inference profiles

    static func needsInferenceProfile(_ message: String) -> Bool {
        let m = message.lowercased()
        return m.contains("on-demand throughput") && (m.contains("isn't supported") || m.contains("is not supported") || m.contains("inference profile"))
    }

    // MARK: Errors for clients

    /// Maps Bedrock's errors to statuses and details safe to show: no raw AWS text, no account ids.
    public static func clientError(_ error: AWSError) -> TwinError {
        let log = error.description
        switch (error.kind, error.code) {
        case (.deadline, _), (.transport, "Timeout"):
            return TwinError(status: 504, detail: "the model did not answer in time", logMessage: log)
        case (.credentials, _):
            return TwinError(status: 500, detail: "the function has no AWS credentials for Bedrock", logMessage: log)
        case (.transport, _):
            return TwinError(status: 502, detail: "Bedrock could not be reached", logMessage: log)
        case (_, "ValidationException"):
            return TwinError(status: 400, detail: "Bedrock rejected the request as invalid for this model", logMessage: log)
        case (_, "AccessDeniedException"), (_, "UnrecognizedClientException"), (_, "InvalidSignatureException"):
            return TwinError(status: 403, detail: "access to the Bedrock model was denied: enable the model in the Bedrock console (Model access) "
                + "and allow bedrock:InvokeModel on it in the function's IAM role", logMessage: log)
        case (_, "ResourceNotFoundException"):
            return TwinError(status: 404, detail: "the Bedrock model was not found in this region", logMessage: log)
        case (_, "ServiceQuotaExceededException"):
            return TwinError(status: 429, detail: "the Bedrock quota for this model is exhausted, try again later", logMessage: log)
        case (_, "ModelTimeoutException"):
            return TwinError(status: 502, detail: "the model timed out", logMessage: log)
        case (_, "ModelErrorException"), (_, "InternalServerException"), (_, "InvalidResponse"):
            return TwinError(status: 502, detail: "the model failed to answer", logMessage: log)
        case (_, "ServiceUnavailableException"):
            return TwinError(status: 503, detail: "Bedrock is unavailable, try again later", logMessage: log)
        default:
            if error.isThrottling {
                return TwinError(status: 429, detail: "the model is busy (throttled), try again shortly", logMessage: log)
            }
            return TwinError(status: 502, detail: "the model call failed", logMessage: log)
        }
    }
}
