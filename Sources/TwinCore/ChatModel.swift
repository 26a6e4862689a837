/// What the chat core asks a model for: a persona, prior turns and the new message.
public struct ChatPrompt: Sendable {
    public var system: String
    /// Prior turns, oldest first, as stored (the model client repairs alternation).
    public var history: [Message]
    public var userMessage: String
    /// A model chosen for this request, or nil for the configured one.
    public var modelID: String?
    /// Epoch milliseconds by which the answer must be back, or nil.
    public var deadlineMilliseconds: Int64?

    public init(system: String, history: [Message], userMessage: String, modelID: String? = nil, deadlineMilliseconds: Int64? = nil) {
        self.system = system
        self.history = history
        self.userMessage = userMessage
        self.modelID = modelID
        self.deadlineMilliseconds = deadlineMilliseconds
    }
}

/// A model's answer and what it cost.
public struct ChatCompletion: Sendable, Equatable {
    public var text: String
    public var modelID: String
    public var inputTokens: Int
    public var outputTokens: Int

    public init(text: String, modelID: String, inputTokens: Int = 0, outputTokens: Int = 0) {
        self.text = text
        self.modelID = modelID
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

/// Answers chat prompts. The Bedrock Converse client is the real one; tests bring their own.
public protocol ChatModel: AnyObject {
    func complete(_ prompt: ChatPrompt) throws(TwinError) -> ChatCompletion
}

/// A failure the twin reports to its caller: an HTTP status, a client-safe
/// `detail`, and a fuller `logMessage` that stays in the logs.
public struct TwinError: Error, CustomStringConvertible, Sendable {
    public var status: Int
    public var detail: String
    public var logMessage: String?

    public init(status: Int, detail: String, logMessage: String? = nil) {
        self.status = status
        self.detail = detail
        self.logMessage = logMessage
    }

    public var description: String { "\(status) \(detail)" + (logMessage.map { " (\($0))" } ?? "") }

    public init(_ error: MemoryError, doing action: String) {
        switch error.code {
        case .accessDenied:
            self.init(status: 500, detail: "\(action): access to conversation memory was denied", logMessage: error.description)
        case .corrupt:
            self.init(status: 500, detail: "\(action): \(error.message)", logMessage: error.description)
        case .unavailable, .conflict:
            self.init(status: 503, detail: "\(action): conversation memory is unavailable, try again", logMessage: error.description)
        default:
            self.init(status: 500, detail: "\(action): \(error.message)", logMessage: error.description)
        }
    }
}
