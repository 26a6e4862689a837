import CurlHTTP
import SimpleJSON
import Observability

/// What a handler makes of one event: the response bytes, or an error for `/error`.
public typealias InvocationResult = Result<[UInt8], InvocationError>

/// The runtime's main loop: next event, handler, response or error, again.
public enum LambdaRunLoop {
    /// Serves invocations until `maxInvocations` (forever when nil) or until the Runtime API fails for good.
    ///
    /// Each invocation runs with `_X_AMZN_TRACE_ID` set to its trace id and a logger
    /// that carries its request id. A response too large for Lambda becomes a clean
    /// `Function.ResponseSizeTooLarge` error rather than a rejected post.
    public static func run(
        client: some RuntimeAPIClient,
        logger: Logger,
        maxInvocations: Int? = nil,
        handler: (Invocation, Logger) -> InvocationResult
    ) throws(RuntimeError) {
        var served = 0
        while maxInvocations.map({ served < $0 }) ?? true {
            let invocation = try client.nextInvocation()
            served += 1
            let context = invocation.context
            Environment.set("_X_AMZN_TRACE_ID", context.traceID ?? "")
            let log = logger.with(requestID: context.requestID)

            switch handler(invocation, log) {
            case .success(let body) where body.count > RuntimeClient.maxResponseBytes:
                log.error("response of \(body.count) bytes exceeds Lambda's \(RuntimeClient.maxResponseBytes)-byte limit")
                report(InvocationError(type: "Function.ResponseSizeTooLarge",
                                       message: "Response payload size (\(body.count) bytes) exceeded maximum allowed payload size (\(RuntimeClient.maxResponseBytes) bytes)."),
                       for: context.requestID, client: client, log: log)
            case .success(let body):
                do {
                    try client.sendResponse(body, for: context.requestID)
                } catch {
                    log.error("posting the response failed: \(error)")
                    // A rejected response (e.g. 413) still owes Lambda an answer.
                    if case .unexpectedStatus = error.code {
                        report(InvocationError(type: "Runtime.ResponseRejected", message: "The Runtime API rejected the response"),
                               for: context.requestID, client: client, log: log)
                    }
                }
            case .failure(let error):
                log.error("invocation failed", [("errorType", .string(error.errorType)), ("errorMessage", .string(error.errorMessage))])
                report(error, for: context.requestID, client: client, log: log)
            }
        }
    }

    private static func report(_ error: InvocationError, for requestID: String, client: some RuntimeAPIClient, log: Logger) {
        do {
            try client.sendError(error, for: requestID)
        } catch {
            log.error("posting the invocation error failed: \(error)")
        }
    }
}
