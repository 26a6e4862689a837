import Foundation
import LambdaHTTP
import LambdaRuntime
import Observability
import SimpleJSON
import Testing
import TwinAPI
import TwinCore

/// A chat model for tests: echoes, records prompts, or fails on request.
final class ScriptedModel: ChatModel {
    var prompts: [ChatPrompt] = []
    var failure: TwinError?

    func complete(_ prompt: ChatPrompt) throws(TwinError) -> ChatCompletion {
        prompts.append(prompt)
        if let failure { throw failure }
        return ChatCompletion(text: "Echo: \(prompt.userMessage)", modelID: prompt.modelID ?? "test-model", inputTokens: 10, outputTokens: 3)
    }
}

/// A store whose writes fail, to prove a reply is never reported as saved when it was not.
final class FailingStore: ConversationStore {
    var storageName: String { "broken" }
    func load(_ session: SessionID) throws(MemoryError) -> [Message] { [] }
    func append(_ messages: [Message], to session: SessionID) throws(MemoryError) { throw MemoryError(.io, "disk full") }
    func delete(_ session: SessionID) throws(MemoryError) -> Bool { false }
}

struct Harness {
    let app: TwinApp
    let model = ScriptedModel()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("twin-api-\(UUID().uuidString)").path

    init(env: [String: String] = [:], store: ConversationStore? = nil) throws {
        let config = try TwinConfig.fromEnvironment(env.merging(["MEMORY_DIR": directory]) { a, _ in a })
        app = TwinApp(twin: Twin(config: config, store: try store ?? FileMemoryStore(directory: config.memoryDirectory),
                                 model: model, systemPrompt: "persona"))
    }

    func send(_ method: String, _ path: String, json: String? = nil, headers: [(String, String)] = []) -> (Int, JSON, HTTPHeaders) {
        let request = HTTPRequest(method: method, path: path, headers: HTTPHeaders(headers), body: Array((json ?? "").utf8))
        let response = app.handle(request, context: RequestContext(logger: Logger(level: .fatal, sink: { _ in })))
        return (response.status, (try? JSON.parse(response.body)) ?? .null, response.headers)
    }
}

@Suite struct Routes {
    @Test func rootAndHealthKeepTheTwinsFields() throws {
        let h = try Harness()
        let (s1, root, _) = h.send("GET", "/")
        #expect(s1 == 200 && root == ["message": "AI Digital Twin API (Powered by AWS Bedrock)", "memory_enabled": true,
                                      "storage": "local", "ai_model": "amazon.nova-lite-v1:0"])
        let (s2, health, _) = h.send("GET", "/health")
        #expect(s2 == 200 && health == ["status": "healthy", "use_s3": false, "storage": "local", "bedrock_model": "amazon.nova-lite-v1:0"])
    }

    @Test func chatStoresBothTurnsAndSendsHistoryNextTime() throws {
        let h = try Harness()
        let (status, reply, _) = h.send("POST", "/chat", json: #"{"message": "hello", "session_id": "s-1"}"#)
        #expect(status == 200)
        #expect(reply["response"]?.string == "Echo: hello" && reply["session_id"]?.string == "s-1")
        #expect(reply["usage"]?["inputTokens"]?.int == 10)
        _ = h.send("POST", "/chat", json: #"{"message": "again", "session_id": "s-1"}"#)
        #expect(h.model.prompts.last?.history.map(\.content) == ["hello", "Echo: hello"])
        #expect(h.model.prompts.last?.system == "persona")
        let (_, conversation, _) = h.send("GET", "/conversation/s-1")
        #expect(conversation["messages"]?.array?.count == 4)
    }

    @Test func historyIsWindowedToHistoryMessages() throws {
        let h = try Harness(env: ["HISTORY_MESSAGES": "2"])
        for i in 0..<3 { _ = h.send("POST", "/chat", json: #"{"message": "m\#(i)", "session_id": "w"}"#) }
        #expect(h.model.prompts.last?.history.map(\.content) == ["m1", "Echo: m1"])
    }

    @Test(arguments: [
        ("", 422, "request body is required"),
        ("{bad", 400, "not valid JSON"),
        ("[]", 422, "JSON object"),
        (#"{}"#, 422, "field required: message"),
        (#"{"message": null}"#, 422, "field required: message"),
        (#"{"message": 5}"#, 422, "message must be a string"),
        (#"{"message": " \n "}"#, 422, "must not be empty"),
        (#"{"message": "hi", "session_id": 7}"#, 422, "session_id must be a string"),
        (#"{"message": "hi", "session_id": "../x"}"#, 400, "invalid session_id"),
    ])
    func badChatBodiesGetAClearDetail(_ body: String, _ status: Int, _ detail: String) throws {
        let h = try Harness()
        let (s, json, _) = h.send("POST", "/chat", json: body)
        #expect(s == status)
        #expect(json["detail"]?.string?.contains(detail) == true, "\(json)")
        #expect(h.model.prompts.isEmpty)
    }

    @Test func aFailedModelCallWritesNothing() throws {
        let h = try Harness()
        h.model.failure = TwinError(status: 429, detail: "the model is busy")
        let (s, json, _) = h.send("POST", "/chat", json: #"{"message": "hi", "session_id": "f"}"#)
        #expect(s == 429 && json["detail"]?.string == "the model is busy")
        #expect(!FileManager.default.fileExists(atPath: "\(h.directory)/f.json"))
    }

    @Test func aFailedSaveIsA5xxNotASuccess() throws {
        let h = try Harness(store: FailingStore())
        let (s, json, _) = h.send("POST", "/chat", json: #"{"message": "hi"}"#)
        #expect(s == 500)
        #expect(json["detail"]?.string?.contains("could not be saved") == true)
        #expect(json["response"] == nil)
    }

    @Test func conversationRoutesValidateAndDelete() throws {
        let h = try Harness()
        #expect(h.send("GET", "/conversation/../../etc/passwd").0 == 400)
        #expect(h.send("GET", "/conversation/unknown").1["messages"]?.array == [])
        #expect(h.send("DELETE", "/conversation/unknown").0 == 404)
        _ = h.send("POST", "/chat", json: #"{"message": "hi", "session_id": "d"}"#)
        #expect(h.send("DELETE", "/conversation/d").1 == ["session_id": "d", "deleted": true])
    }

    @Test func errorsKeepCORSHeaders() throws {
        let h = try Harness()
        let (s, _, headers) = h.send("POST", "/chat", json: "{bad", headers: [("Origin", "http://localhost:3000")])
        #expect(s == 400 && headers["Access-Control-Allow-Origin"] == "http://localhost:3000")
        let (s404, _, h404) = h.send("GET", "/missing", headers: [("Origin", "http://localhost:3000")])
        #expect(s404 == 404 && h404["Access-Control-Allow-Origin"] == "http://localhost:3000")
    }

    @Test func invocationsDecodeAndEncodeInTheEventsShape() throws {
        let h = try Harness()
        let event = #"{"version":"2.0","rawPath":"/health","requestContext":{"http":{"method":"GET"},"domainName":"x.lambda-url.us-east-1.on.aws"}}"#
        let result = h.app.handle(Invocation(context: InvocationContext(requestID: "r"), event: Array(event.utf8)), logger: Logger(level: .fatal, sink: { _ in }))
        let json = try JSON.parse(try result.get())
        #expect(json["statusCode"]?.int == 200 && json["cookies"]?.array == [])
        let bad = h.app.handle(Invocation(context: InvocationContext(requestID: "r"), event: Array("{}".utf8)), logger: Logger(level: .fatal, sink: { _ in }))
        guard case .failure(let error) = bad else { Issue.record("expected an invocation error"); return }
        #expect(error.errorType == "InvalidEvent")
    }
}
