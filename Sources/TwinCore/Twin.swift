import Observability

/// The chat core: answers a message in the persona's voice and remembers the conversation.
/// It sees typed requests and returns typed results; HTTP lives in TwinAPI.
public final class Twin {
    public let config: TwinConfig
    public let store: ConversationStore
    public let model: ChatModel
    public let systemPrompt: String
    public let metrics: MetricsEmitter

    public init(config: TwinConfig, store: ConversationStore, model: ChatModel, systemPrompt: String, metrics: MetricsEmitter? = nil) {
        self.config = config
        self.store = store
        self.model = model
        self.systemPrompt = systemPrompt
        self.metrics = metrics ?? MetricsEmitter(namespace: config.metricsNamespace)
    }

    /// One chat turn's result.
    public struct ChatResult: Sendable {
        public var response: String
        public var sessionID: SessionID
        public var completion: ChatCompletion
        /// From the catalog's prices; nil for a model the catalog does not know.
        public var estimatedCostUSD: Double?
    }

    /// Answers `message` in session `sessionID` (a new one when nil). Nothing is
    /// stored unless the model answered; a reply is returned only once it is stored.
    public func chat(message: String, sessionID: String?, modelID: String? = nil,
                     deadlineMilliseconds: Int64? = nil, logger: Logger) throws(TwinError) -> ChatResult
    {
        let session: SessionID
        if let sessionID {
            guard let s = SessionID(sessionID) else { throw TwinError(status: 400, detail: "invalid session_id: \(SessionID.rule)") }
            session = s
        } else {
            session = SessionID(Twin.newUUID())!
        }

        if let modelID, !config.selectableModels.contains(modelID) {
            let known = ModelCatalog.info(modelID) != nil
            throw TwinError(status: 400, detail: (known ? "model \(modelID) is not allowed here" : "unknown model \(modelID)")
                + "; allowed: \(config.selectableModels.joined(separator: ", "))")
        }

        let history: [Message]
        do {
            history = config.historyMessages == 0 ? [] : try store.recent(session, limit: config.historyMessages)
        } catch {
            throw TwinError(error, doing: "could not load the conversation")
        }

        let prompt = ChatPrompt(system: systemPrompt, history: history, userMessage: message,
                                modelID: modelID, deadlineMilliseconds: deadlineMilliseconds)
        let started = WallClock.nowMilliseconds()
        let completion = try model.complete(prompt)
        let latency = WallClock.nowMilliseconds() - started

        let userTime = Twin.timestamp()
        let turn = [
            Message(role: .user, content: message, timestamp: userTime),
            Message(role: .assistant, content: completion.text, timestamp: Twin.timestamp()),
        ]
        do {
            try store.append(turn, to: session)
        } catch {
            var failure = TwinError(error, doing: "the reply could not be saved")
            if failure.status < 500 { failure.status = 500 }
            throw failure
        }
        let cost = ModelCatalog.info(completion.modelID)?.cost(inputTokens: completion.inputTokens, outputTokens: completion.outputTokens)
        logger.info("chat answered", [("session_id", .string(session.value)), ("model", .string(completion.modelID)),
                                      ("history", .number(Double(history.count))),
                                      ("inputTokens", .number(Double(completion.inputTokens))),
                                      ("outputTokens", .number(Double(completion.outputTokens)))])
        metrics.emit([("ChatLatency", Double(latency), .milliseconds),
                      ("InputTokens", Double(completion.inputTokens), .count),
                      ("OutputTokens", Double(completion.outputTokens), .count),
                      ("EstimatedCostUSD", cost ?? 0, .none)],
                     dimensions: [("Model", completion.modelID)],
                     properties: logger.requestID.map { [("requestId", .string($0))] } ?? [],
                     timestampMilliseconds: WallClock.nowMilliseconds())
        return ChatResult(response: completion.text, sessionID: session, completion: completion, estimatedCostUSD: cost)
    }

    /// Every stored message of a session.
    public func conversation(_ sessionID: String) throws(TwinError) -> (SessionID, [Message]) {
        let session = try Twin.validate(sessionID)
        do {
            return (session, try store.load(session))
        } catch {
            throw TwinError(error, doing: "could not load the conversation")
        }
    }

    /// Forgets a session; false when there was nothing stored.
    public func deleteConversation(_ sessionID: String) throws(TwinError) -> (SessionID, Bool) {
        let session = try Twin.validate(sessionID)
        do {
            return (session, try store.delete(session))
        } catch {
            throw TwinError(error, doing: "could not delete the conversation")
        }
    }

    static func validate(_ text: String) throws(TwinError) -> SessionID {
        guard let s = SessionID(text) else { throw TwinError(status: 400, detail: "invalid session_id: \(SessionID.rule)") }
        return s
    }

    /// A random (version 4) UUID in lower case, as Python's `str(uuid.uuid4())`.
    public static func newUUID() -> String {
        var rng = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for (i, b) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(i) { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func timestamp() -> String { Logger.timestamp() }
}
