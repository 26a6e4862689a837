import CurlHTTP
import LambdaRuntime
import Observability
import Testing

/// A Runtime API that hands out queued events and records what the loop posts.
final class RecordingRuntime: RuntimeAPIClient {
    var queue: [Invocation]
    var responses: [(String, [UInt8])] = []
    var errors: [(String, InvocationError)] = []

    init(_ events: [(String, String)]) {
        queue = events.map { Invocation(context: InvocationContext(requestID: $0.0, traceID: "Root=1-\($0.0)"), event: Array($0.1.utf8)) }
    }

    func nextInvocation() throws(RuntimeError) -> Invocation { queue.removeFirst() }
    func sendResponse(_ body: [UInt8], for requestID: String) throws(RuntimeError) { responses.append((requestID, body)) }
    func sendError(_ error: InvocationError, for requestID: String) throws(RuntimeError) { errors.append((requestID, error)) }
    func sendInitError(_ error: InvocationError) throws(RuntimeError) {}
}

@Suite struct RunLoop {
    let quiet = Logger(level: .fatal, sink: { _ in })

    @Test func successesAndFailuresGoToTheirEndpoints() throws {
        let runtime = RecordingRuntime([("a", "ping"), ("b", "fail")])
        var traces: [String?] = []
        try LambdaRunLoop.run(client: runtime, logger: quiet, maxInvocations: 2) { invocation, _ in
            traces.append(Environment.get("_X_AMZN_TRACE_ID"))
            if invocation.event == Array("fail".utf8) { return .failure(InvocationError(type: "Boom", message: "it failed")) }
            return .success(Array("pong".utf8))
        }
        #expect(runtime.responses.map(\.0) == ["a"])
        #expect(runtime.responses.first?.1 == Array("pong".utf8))
        #expect(runtime.errors.map(\.0) == ["b"])
        #expect(runtime.errors.first?.1.errorType == "Boom")
        #expect(traces == ["Root=1-a", "Root=1-b"])
    }

    @Test func aResponseOverSixMegabytesBecomesAnError() throws {
        let runtime = RecordingRuntime([("big", "x")])
        try LambdaRunLoop.run(client: runtime, logger: quiet, maxInvocations: 1) { _, _ in
            .success([UInt8](repeating: 0x41, count: RuntimeClient.maxResponseBytes + 1))
        }
        #expect(runtime.responses.isEmpty)
        #expect(runtime.errors.first?.1.errorType == "Function.ResponseSizeTooLarge")
    }
}

@Suite struct Context {
    @Test func readsTheRuntimeHeaders() throws {
        let headers = ["Lambda-Runtime-Aws-Request-Id": "id-1", "Lambda-Runtime-Deadline-Ms": "1763784000123",
                       "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:twin",
                       "Lambda-Runtime-Trace-Id": "Root=1-abc"]
        let c = try InvocationContext { headers[$0] }
        #expect(c.requestID == "id-1")
        #expect(c.deadlineMilliseconds == 1_763_784_000_123)
        #expect(c.invokedFunctionARN?.hasSuffix(":twin") == true)
        #expect(c.remainingMilliseconds(now: 1_763_784_000_000) == 123)
    }

    @Test func aDeadlineThatIsNotEpochMillisecondsMeansNone() throws {
        let c = try InvocationContext { $0 == "Lambda-Runtime-Aws-Request-Id" ? "id" : ($0 == "Lambda-Runtime-Deadline-Ms" ? "600000" : nil) }
        #expect(c.deadlineMilliseconds == nil && c.remainingMilliseconds() == nil)
    }

    @Test func aMissingRequestIdIsATypedError() {
        #expect(throws: RuntimeError.self) { try InvocationContext { _ in nil } }
    }

    @Test func runtimeURLsArePrefixedNotParsed() {
        let client = RuntimeClient(runtimeAPI: "127.0.0.1:9000/.rt/bootstrap", logger: Logger(sink: { _ in }))
        #expect(client.url(.next) == "http://127.0.0.1:9000/.rt/bootstrap/2018-06-01/runtime/invocation/next")
        #expect(client.url(.error(requestID: "r1")) == "http://127.0.0.1:9000/.rt/bootstrap/2018-06-01/runtime/invocation/r1/error")
        #expect(client.url(.initError) == "http://127.0.0.1:9000/.rt/bootstrap/2018-06-01/runtime/init/error")
    }
}

@Suite struct Logging {
    final class Lines: @unchecked Sendable { var all: [String] = [] }

    @Test func jsonLinesCarryLevelTimestampAndRequestId() {
        let lines = Lines()
        let logger = Logger.fromEnvironment(["AWS_LAMBDA_LOG_LEVEL": "WARN"]).with(requestID: "r-9")
        var l = logger
        l.sink = { lines.all.append($0) }
        l.info("hidden")
        l.warn("shown", [("k", "v")])
        #expect(lines.all.count == 1)
        #expect(lines.all[0].hasPrefix(#"{"timestamp":""#))
        #expect(lines.all[0].contains(#""level":"WARN","message":"shown","requestId":"r-9","k":"v"}"#))
    }

    @Test func textFormatOnRequest() {
        let lines = Lines()
        var l = Logger.fromEnvironment(["AWS_LAMBDA_LOG_FORMAT": "Text"])
        l.sink = { lines.all.append($0) }
        l.info("hello")
        #expect(lines.all.first?.contains("\tINFO\t-\thello") == true)
    }

    @Test func rfc3339() {
        #expect(Logger.rfc3339(seconds: 0, milliseconds: 7) == "1970-01-01T00:00:00.007Z")
        #expect(Logger.rfc3339(seconds: 1_763_784_000, milliseconds: 123) == "2025-11-22T04:00:00.123Z")
    }
}
