/// A failure of the runtime itself (not of a handler), with a code that can grow.
public struct RuntimeError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// `AWS_LAMBDA_RUNTIME_API` is not set: the process was not started by Lambda.
        case missingRuntimeAPI
        /// A `/next` response lacked a header the runtime cannot do without.
        case missingHeader
        /// The Runtime API answered with an unexpected status.
        case unexpectedStatus(Int)
        /// The Runtime API could not be reached.
        case transport
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// What a handler reports to `/error`: Lambda's `{errorMessage, errorType, stackTrace}`.
public struct InvocationError: Error, Sendable, Equatable {
    public var errorType: String
    public var errorMessage: String
    public var stackTrace: [String]

    public init(type: String, message: String, stackTrace: [String] = []) {
        self.errorType = type
        self.errorMessage = message
        self.stackTrace = stackTrace
    }
}
