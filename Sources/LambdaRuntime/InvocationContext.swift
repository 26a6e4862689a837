import Observability

/// What Lambda tells the function about one invocation, from the `/next` response headers.
public struct InvocationContext: Sendable {
    public var requestID: String
    /// Epoch milliseconds by which the invocation must answer; nil when the
    /// platform gave no usable value (the local emulator sends a constant).
    public var deadlineMilliseconds: Int64?
    public var invokedFunctionARN: String?
    public var traceID: String?
    public var clientContext: String?
    public var cognitoIdentity: String?

    public init(requestID: String, deadlineMilliseconds: Int64? = nil, invokedFunctionARN: String? = nil,
                traceID: String? = nil, clientContext: String? = nil, cognitoIdentity: String? = nil)
    {
        self.requestID = requestID
        self.deadlineMilliseconds = deadlineMilliseconds
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
    }

    /// Reads the Runtime API's `Lambda-Runtime-*` headers.
    /// - Throws: when the request id header is missing: without it nothing can be answered.
    public init(headers lookup: (String) -> String?) throws(RuntimeError) {
        guard let id = lookup("Lambda-Runtime-Aws-Request-Id"), !id.isEmpty else {
            throw RuntimeError(.missingHeader, "the /next response has no Lambda-Runtime-Aws-Request-Id header")
        }
        self.init(
            requestID: id,
            deadlineMilliseconds: lookup("Lambda-Runtime-Deadline-Ms").flatMap(InvocationContext.parseDeadline),
            invokedFunctionARN: lookup("Lambda-Runtime-Invoked-Function-Arn"),
            traceID: lookup("Lambda-Runtime-Trace-Id"),
            clientContext: lookup("Lambda-Runtime-Client-Context"),
            cognitoIdentity: lookup("Lambda-Runtime-Cognito-Identity")
        )
    }

    /// Epoch milliseconds are 13 digits today; anything below 1e12 (year 2001)
    /// is not a wall-clock deadline and is treated as absent.
    static func parseDeadline(_ text: String) -> Int64? {
        guard let v = Int64(text.filter { $0 != " " }), v >= 1_000_000_000_000 else { return nil }
        return v
    }

    /// Milliseconds left before the deadline (negative once passed); nil when there is no deadline.
    public func remainingMilliseconds(now: Int64 = WallClock.nowMilliseconds()) -> Int64? {
        deadlineMilliseconds.map { $0 - now }
    }
}
