import AWSCore
import SimpleJSON
import Testing
import TwinAWS
import TwinCore

@Suite struct ConverseRequests {
    func m(_ role: Message.Role, _ text: String) -> Message { Message(role: role, content: text, timestamp: "") }

    @Test func bodyHasSystemMessagesAndInferenceConfig() throws {
        let prompt = ChatPrompt(system: "persona", history: [m(.user, "a"), m(.assistant, "b")], userMessage: "c")
        let json = try JSON.parse(BedrockChatModel.requestBody(prompt, options: .init(modelID: "x", region: "us-east-1")))
        #expect(json["system"] == [["text": "persona"]])
        #expect(json["messages"]?.array?.map { $0["role"]!.string! } == ["user", "assistant", "user"])
        #expect(json["messages"]?.array?.last?["content"] == [["text": "c"]])
        #expect(json["inferenceConfig"] == ["maxTokens": 2000, "temperature": 0.7, "topP": 0.9])
    }

    @Test func historyIsRepairedToAlternateStartingWithUser() {
        let turns = BedrockChatModel.alternatingTurns([m(.assistant, "orphan"), m(.user, "q1"), m(.user, "q1 again"), m(.assistant, " "),
                                                       m(.assistant, "a1"), m(.user, "unanswered")], then: "new")
        #expect(turns.map(\.role) == [.user, .assistant, .user])
        #expect(turns[0].text == "q1\n\nq1 again")
        #expect(turns[2].text == "unanswered\n\nnew")
    }

    @Test func inferenceProfilesFollowTheRegionsGeography() {
        #expect(ModelCatalog.inferenceProfileID(for: "amazon.nova-pro-v1:0", region: "us-west-2") == "us.amazon.nova-pro-v1:0")
        #expect(ModelCatalog.inferenceProfileID(for: "amazon.nova-pro-v1:0", region: "eu-central-1") == "eu.amazon.nova-pro-v1:0")
        #expect(ModelCatalog.inferenceProfileID(for: "anthropic.claude-3-5-sonnet-20241022-v2:0", region: "ap-northeast-1")
            == "apac.anthropic.claude-3-5-sonnet-20241022-v2:0")
        #expect(ModelCatalog.inferenceProfileID(for: "us.amazon.nova-pro-v1:0", region: "us-east-1") == nil)
    }

    @Test(arguments: [
        ("ValidationException", 400), ("AccessDeniedException", 403), ("ResourceNotFoundException", 404),
        ("ThrottlingException", 429), ("ModelNotReadyException", 429), ("ModelTimeoutException", 502),
        ("ServiceUnavailableException", 503), ("InternalServerException", 502),
    ])
    func errorsMapToClientStatusesWithoutAWSText(_ code: String, _ status: Int) {
        let error = AWSError(kind: .service, code: code, message: "User: arn:aws:iam::123456789012:role/x is not authorized", status: 400)
        let mapped = BedrockChatModel.clientError(error)
        #expect(mapped.status == status)
        #expect(!mapped.detail.contains("123456789012") && !mapped.detail.contains("arn:"))
        #expect(mapped.logMessage?.contains(code) == true)
    }

    @Test func deadlineIs504() {
        #expect(BedrockChatModel.clientError(AWSError(kind: .deadline, code: "DeadlineExceeded", message: "")).status == 504)
    }
}
